/** GET /api/results/:id/chart (live/server/routes/run-views.ts). */
export interface SeriesXY { ts: (number | null)[]; y: (number | null)[] }
export interface CsvTable { columns: string[]; rows: (string | number | null)[][]; total: number }
export interface RunChart {
  kind: string;
  equity: SeriesXY;
  drawdownPct: SeriesXY;
  close: SeriesXY;
  fills: { ts: (number | null)[]; price: (number | null)[]; side: string[]; text: string[] };
  overlays: { name: string; onPrice: boolean; ts: (number | null)[]; y: (number | null)[] }[];
  overlayNote: string | null;
  trades: CsvTable | null;
  folds: CsvTable | null;
}

/** Write a results table to Parquet with DuckDB (appender into a temporary table, then COPY ... TO). */
import { renameSync } from 'node:fs';
import { withConnection, lit } from '../../data/cache/duck.ts';

export type ColumnType = 'DOUBLE' | 'BIGINT' | 'BOOLEAN' | 'VARCHAR';
export interface TableColumn {
  readonly name: string;
  readonly type: ColumnType;
  /** One value per row (numbers for DOUBLE/BIGINT, booleans, strings). */
  readonly values: ArrayLike<number | boolean | string>;
}

const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;
let tableSeq = 0;

export async function writeParquet(path: string, columns: readonly TableColumn[], rows: number): Promise<void> {
  const table = `sweep_rows_${process.pid}_${tableSeq++}`;
  const tmp = `${path}.tmp-${process.pid}`;
  await withConnection(async (c) => {
    await c.run(`CREATE TABLE ${table} (${columns.map((col) => `${ident(col.name)} ${col.type}`).join(', ')})`);
    try {
      const app = await c.createAppender(table);
      for (let r = 0; r < rows; r++) {
        for (const col of columns) {
          const v = col.values[r];
          switch (col.type) {
            case 'DOUBLE': app.appendDouble(v as number); break;
            case 'BIGINT': app.appendBigInt(BigInt(v as number)); break;
            case 'BOOLEAN': app.appendBoolean(v as boolean); break;
            default: app.appendVarchar(String(v));
          }
        }
        app.endRow();
      }
      app.closeSync();
      await c.run(`COPY ${table} TO ${lit(tmp)} (FORMAT parquet)`);
    } finally {
      await c.run(`DROP TABLE IF EXISTS ${table}`);
    }
  });
  renameSync(tmp, path);
}

/** Read a Parquet file back (tests, tools): column names and rows as plain values. */
export async function readParquet(path: string): Promise<{ columns: string[]; rows: Record<string, unknown>[] }> {
  return withConnection(async (c) => {
    const reader = await c.runAndReadAll(`SELECT * FROM read_parquet(${lit(path)})`);
    return { columns: reader.columnNames(), rows: reader.getRowObjectsJS() as Record<string, unknown>[] };
  });
}

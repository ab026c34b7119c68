// Lot accounting: per-lot realised/unrealised P&L and FIFO matching for the tax report.
export * from './ledger.ts';
export * from './fifo.ts';

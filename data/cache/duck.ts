/**
 * One in-memory DuckDB instance per process (created on first use); each operation takes its own connection.
 * DuckDB only reads and writes Parquet files here: the cache's state is the files on disk.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

let instance: Promise<DuckDBInstance> | undefined;

export async function withConnection<T>(fn: (c: DuckDBConnection) => Promise<T>): Promise<T> {
  instance ??= DuckDBInstance.create(':memory:');
  const conn = await (await instance).connect();
  try {
    return await fn(conn);
  } finally {
    conn.closeSync();
  }
}

/** SQL string literal (paths, labels). */
export const lit = (s: string): string => `'${s.replace(/'/g, "''")}'`;

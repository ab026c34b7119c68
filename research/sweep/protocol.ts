/** Messages between the sweep pool (main thread) and its workers. */
import type { FillConfig, ParamValues } from '../../engine/index.ts';
import type { SharedFrame } from './shared-frame.ts';

export interface JobMessage {
  readonly type: 'job';
  readonly jobId: number;
  /** Built-in strategy id, or the absolute path of a strategy file. */
  readonly strategyRef: string;
  readonly cwd: string;
  readonly frame: SharedFrame;
  readonly start: number;
  readonly end: number;
  readonly fill: FillConfig;
  readonly params: readonly ParamValues[];
  /**
   * Indicator columns shared by the workers: [memo key, shared buffer]. Each is computed once, by the first worker that
   * asks for it (see claims), and read by every other.
   */
  readonly shared: readonly (readonly [string, SharedArrayBuffer])[];
  /** One Int32 per shared column: CLAIM_FREE, CLAIM_BUSY (a worker computes it), CLAIM_READY (shared-columns.ts). */
  readonly claims: SharedArrayBuffer;
  /** rows × stride Float64 results (STAT_KEYS order), written by the workers. */
  readonly out: SharedArrayBuffer;
  readonly stride: number;
}

/** Rows first, first + step, first + 2 step, … below the job's row count (a strided share of the rows). */
export interface TaskMessage { readonly type: 'task'; readonly jobId: number; readonly first: number; readonly step: number }
export interface EndJobMessage { readonly type: 'end-job'; readonly jobId: number }

export type ToWorker = JobMessage | TaskMessage | EndJobMessage;

export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'done'; readonly jobId: number; readonly rows: number; readonly computed: number; readonly computedShared: number }
  | { readonly type: 'error'; readonly jobId: number; readonly message: string; readonly code?: string; readonly family?: string };

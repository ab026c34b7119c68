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
  /** Indicator columns computed once by the main thread: [memo key, shared buffer]. */
  readonly shared: readonly (readonly [string, SharedArrayBuffer])[];
  /** rows × stride Float64 results (STAT_KEYS order), written by the workers. */
  readonly out: SharedArrayBuffer;
  readonly stride: number;
}

export interface TaskMessage { readonly type: 'task'; readonly jobId: number; readonly from: number; readonly to: number }
export interface EndJobMessage { readonly type: 'end-job'; readonly jobId: number }

export type ToWorker = JobMessage | TaskMessage | EndJobMessage;

export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'done'; readonly jobId: number; readonly from: number; readonly to: number; readonly computed: number }
  | { readonly type: 'error'; readonly jobId: number; readonly message: string; readonly code?: string; readonly family?: string };

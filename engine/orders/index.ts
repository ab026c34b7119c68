// Order-level simulation: market specs, the intrabar fill model, and the entry point `runOrderBacktest`.
export * from './views.ts';
export * from './market-spec.ts';
export * from './intrabar.ts';
export * from './types.ts';
export { runOrderBacktest, alignTimeline } from './simulator.ts';

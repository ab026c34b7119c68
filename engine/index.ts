// Public surface of the engine: pure, no I/O. Sub-areas re-export through their own index.ts.
export * from './errors.ts';
export * from './frame.ts';
export * from './timeframe.ts';
export * from './params.ts';
export * from './strategy.ts';
export * from './sim/index.ts';
export * from './metrics/index.ts';
export * from './indicators/index.ts';
export * from './strategies/index.ts';
export * from './risk/index.ts';
export * from './random.ts';

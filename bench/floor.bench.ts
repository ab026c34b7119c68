// The floor every other case is measured against: one pass summing the close column.
import { defineBench } from './harness.ts';

export default defineBench((ctx) => {
  const f = ctx.frame1m();
  let sink = 0;
  return [{
    name: 'floor.single-pass',
    bars: f.length,
    clock: 'cpu', // single-threaded; see bench/run.ts
    run: () => {
      const c = f.close;
      let s = 0;
      for (let i = 0; i < c.length; i++) s += c[i];
      sink += s;
      return sink;
    },
  }];
});

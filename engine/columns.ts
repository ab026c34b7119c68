/**
 * Growth of the typed-array columns a run appends to (the order simulator's orders, fills and step log, the lot
 * ledger). Growing by doubling allocates twice the final size over a run (every copy it leaves behind is garbage),
 * and these columns are large: a year of the default grid on 1m bars places ~88k orders. Typed arrays live outside
 * the JS heap, and V8 answers every ~16-64 MB of them with a garbage collection of the whole heap, which in a process
 * holding other data costs more than the run itself. So when a store knows how far through its run it is, it grows
 * once to the size the run is heading for.
 */

type Column = Float64Array | Int32Array | Int16Array | Uint16Array | Uint8Array;

/**
 * The capacity to grow a full column of capacity `cap` to. `progress` is the share of the run done (0..1; 0 when
 * unknown): from 2 % on, the final count is projected from it (plus 5 % and a margin), growing by at least a quarter
 * (a projection that fell short late in a run costs one more, small, step) and at most 64x; before that, or unknown,
 * doubling.
 */
export function grownCapacity(cap: number, progress: number): number {
  if (!(progress >= 0.02 && progress < 1)) return cap * 2;
  const projected = Math.ceil((cap / progress) * 1.05) + 256;
  return Math.min(Math.max(projected, Math.ceil(cap * 1.25)), cap * 64);
}

/** A copy of `a` with capacity `cap` (same type; the tail is zero). */
export function grownColumn<T extends Column>(a: T, cap: number): T {
  const C = a.constructor as new (n: number) => T;
  const b = new C(cap);
  b.set(a);
  return b;
}

/**
 * The time of bar `bar` of market `m` in `barTs` (each market's bar timestamps), NaN for bar -1 (none yet): how the
 * order simulator's stores time orders and lots by their bars instead of keeping timestamp columns.
 */
export function barTime(barTs: readonly Float64Array[], m: number, bar: number): number {
  return bar >= 0 ? barTs[m][bar] : NaN;
}

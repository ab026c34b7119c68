/**
 * `grid`: the Coinbase-style accumulation grid, in full (issue 3).
 *
 * Levels: L_k = GridTop x (1 - step)^k, k = 0, 1, 2, ... GridTop = AnchorHigh x (1 - rebaseBuffer).
 * At each bar close (price c):
 *  - Rebase, add-only: if c > AnchorHigh, AnchorHigh = c and GridTop moves up; no order is cancelled by it.
 *  - Staging band: the wanted buys are the levels strictly below c and at or above c x (1 - band), at least
 *    `minBuys` (extending below the band) and at most `maxBuys` (the nearest ones). A level is taken when an open
 *    grid buy or an open lot (its paired sell resting) sits within half a step of it, so the grids of older
 *    anchors are kept and never duplicated. Grid buys below the lowest wanted level are cancelled (the band
 *    follows a rally).
 *  - Each buy is `buyPct` % of the budget (budgetPct % of account value, or a fixed quote amount),
 *    recomputed from the account as it runs. Every buy fill opens a lot and immediately places its paired sell
 *    at fill x (1 + step) ("step") or x (1 + customProfit) ("custom"), plus the fee buffer; the sell's fill
 *    closes the lot.
 *  - Capital cap: a new buy is placed only while capital in use (open lots at cost) + open buy orders + the new
 *    buy stay within maxCapital % of account value (so fills never overshoot it). When the INVENTORY alone leaves
 *    no room for the next buy, the market is in HOLD (no new buys; resting buys and every sell stay) until sells
 *    free capital.
 *  - Order caps: at most `maxOpenOrders` open orders over all markets, and a per-market soft cap (default
 *    ceil(maxOpenOrders / markets)) that blocks new BUYS only: paired sells are always placed. When a cap or
 *    `maxBuys` blocks a wanted buy, the market's grid buys are pruned to make room: farthest from price first,
 *    then oldest; buys outside the band are cancelled at every pass anyway.
 * Series recorded per market: anchorHigh, gridTop, hold (1 = HOLD).
 */
import { asArray, asObject, decF64, decNum, encF64, encNum, type JsonNum } from './state-codec.ts';
import { Type } from '@sinclair/typebox';
import { defineStrategy, type BarContext, type FillContext, type Intent } from '../strategy.ts';
import { ACCOUNT_CASH, ACCOUNT_EQUITY, ACCOUNT_FREE_CASH, ACCOUNT_IN_USE, ACCOUNT_OPEN_BUYS, type AccountView } from '../orders/views.ts';
import { TAG_NUM, TAG_NUM2, TAG_PREFIX, type NumericTag } from '../orders/tag-code.ts';
import { usageError } from '../errors.ts';

export const gridParams = Type.Object({
  gridStepPct: Type.Number({ default: 0.33, minimum: 0.01, maximum: 20, description: 'distance between grid levels, % of price' }),
  buyPct: Type.Number({ default: 0.33, minimum: 0.01, maximum: 100, description: 'each buy, % of the bot budget' }),
  budgetMode: Type.Union([Type.Literal('percent'), Type.Literal('fixed')], { default: 'percent', description: 'budget as % of account value, or a fixed quote amount' }),
  budgetPct: Type.Number({ default: 100, minimum: 1, maximum: 100, description: 'budget, % of account value (budgetMode=percent)' }),
  budgetQuote: Type.Number({ default: 10_000, minimum: 1, maximum: 1e12, description: 'budget in quote currency (budgetMode=fixed)' }),
  maxCapitalPct: Type.Number({ default: 70, minimum: 1, maximum: 100, description: 'at most this % of account value in the grid (lots + open buys)' }),
  feeBufferPct: Type.Number({ default: 0, minimum: 0, maximum: 10, description: 'added to the profit target of every paired sell, %' }),
  bandPct: Type.Number({ default: 5, minimum: 0.1, maximum: 50, description: 'staging band: keep buys within this % below price' }),
  minBuys: Type.Integer({ default: 10, minimum: 0, maximum: 500, description: 'at least this many buys per market (extends below the band)' }),
  maxBuys: Type.Integer({ default: 25, minimum: 1, maximum: 500, description: 'at most this many buys per market' }),
  profitMode: Type.Union([Type.Literal('step'), Type.Literal('custom')], { default: 'step', description: "sell at buy x (1 + step) ('step') or x (1 + customProfitPct) ('custom')" }),
  customProfitPct: Type.Number({ default: 0.5, minimum: 0.01, maximum: 100, description: "profit per lot, % (profitMode=custom)" }),
  rebaseBufferPct: Type.Number({ default: 0, minimum: 0, maximum: 50, description: 'GridTop = AnchorHigh x (1 - buffer)' }),
  maxOpenOrders: Type.Integer({ default: 490, minimum: 1, maximum: 100_000, description: 'open orders across all markets' }),
  perMarketCap: Type.Integer({ default: 0, minimum: 0, maximum: 100_000, description: 'soft cap of open orders per market for new buys (0 = ceil(maxOpenOrders / markets))' }),
});

export type GridParams = {
  gridStepPct: number; buyPct: number; budgetMode: 'percent' | 'fixed'; budgetPct: number; budgetQuote: number;
  maxCapitalPct: number; feeBufferPct: number; bandPct: number; minBuys: number; maxBuys: number;
  profitMode: 'step' | 'custom'; customProfitPct: number; rebaseBufferPct: number; maxOpenOrders: number; perMarketCap: number;
};

/**
 * Sorted multiset of prices: elements `a[lo] .. a[lo + n - 1]`, ascending, with free room on both sides of them, so
 * that an insertion or removal moves the shorter side. (The grid inserts near the bottom of its levels: with the
 * elements packed at the start of the array, a year of the default grid moved ~59 elements per insertion or removal,
 * 140k times; now the ~10 below.) Indexes in the API (`lowerQ`, `cur`) count from the smallest element.
 */
export class PriceSet {
  a = new Float64Array(128);
  /** Where the smallest element sits in `a`. */
  lo = 64;
  n = 0;
  /** The elements, smallest first (a view). */
  values(): Float64Array { return this.a.subarray(this.lo, this.lo + this.n); }
  /** Replace the elements by `sorted` (ascending). */
  load(sorted: ArrayLike<number>): void {
    const n = sorted.length;
    let cap = 128;
    while (cap < 2 * n + 2) cap *= 2;
    this.a = new Float64Array(cap);
    this.lo = (cap - n) >> 1;
    this.a.set(sorted, this.lo);
    this.n = n;
    this.cur = -1;
  }
  /** First index whose element is >= q (q: a field, not an argument, see below). */
  private q = 0;
  private lowerQ(): number {
    const q = this.q, a = this.a, b = this.lo;
    let lo = 0, hi = this.n;
    while (lo < hi) { const mid = (lo + hi) >>> 1; if (a[b + mid] < q) lo = mid + 1; else hi = mid; }
    return lo;
  }
  /** Re-centre the elements in an array with room on both sides (twice as large when more than half full). */
  private recentre(): void {
    const n = this.n, old = this.a;
    const cap = 2 * n + 2 > old.length ? old.length * 2 : old.length;
    const lo = (cap - n) >> 1;
    if (cap !== old.length) { const b = new Float64Array(cap); b.set(old.subarray(this.lo, this.lo + n), lo); this.a = b; }
    else old.copyWithin(lo, this.lo, this.lo + n);
    this.lo = lo;
  }
  // The hot callers pass their double argument in the field `x` (and `tol`) instead: V8 boxes double call arguments.
  x = 0;
  tol = 0;
  add(x: number): void { this.x = x; this.addX(); }
  remove(x: number): void { this.x = x; this.removeX(); }
  /** True when some element lies strictly within (x - tol, x + tol). */
  near(x: number, tol: number): boolean { this.x = x; this.tol = tol; return this.nearX(); }
  addX(): void {
    const x = this.x;
    this.q = x;
    const k = this.lowerQ(), n = this.n;
    if (k < n - k) {
      // the k smaller elements move down one
      if (this.lo === 0) this.recentre();
      const a = this.a, b = this.lo - 1;
      if (k > 16) a.copyWithin(b, b + 1, b + 1 + k); else for (let j = 0; j < k; j++) a[b + j] = a[b + j + 1];
      a[b + k] = x;
      this.lo = b;
    } else {
      // the n - k larger ones move up one
      if (this.lo + n === this.a.length) this.recentre();
      const a = this.a, b = this.lo;
      if (n - k > 16) a.copyWithin(b + k + 1, b + k, b + n); else for (let j = b + n; j > b + k; j--) a[j] = a[j - 1];
      a[b + k] = x;
    }
    this.n = n + 1;
  }
  /** True when `x` itself is an element. */
  has(x: number): boolean {
    this.q = x;
    const k = this.lowerQ();
    return k < this.n && this.a[this.lo + k] === x;
  }
  removeX(): void {
    const x = this.x;
    this.q = x;
    const k = this.lowerQ(), n = this.n;
    const a = this.a, b = this.lo;
    if (!(k < n && a[b + k] === x)) return;
    if (k < n - 1 - k) {
      // the k smaller elements move up one
      if (k > 16) a.copyWithin(b + 1, b, b + k); else for (let j = b + k; j > b; j--) a[j] = a[j - 1];
      this.lo = b + 1;
    } else if (n - 1 - k > 16) a.copyWithin(b + k, b + k + 1, b + n);
    else for (let j = b + k; j < b + n - 1; j++) a[j] = a[j + 1];
    this.n = n - 1;
  }
  nearX(): boolean {
    const x = this.x, tol = this.tol;
    this.q = x - tol;
    const k = this.lowerQ();
    if (k >= this.n) return false;
    const v = this.a[this.lo + k];
    return v < x + tol && v > x - tol;
  }
  /** Where the last `nearDown` found x - tol's lower bound; -1: unknown (the next one searches). */
  cur = -1;
  /**
   * `nearX` for a scan over decreasing x: steps down from the last lower bound instead of searching. Valid while
   * only `addX` of elements at or above the last x - tol happened since the last call; set `cur = -1` after anything
   * else (a removal, another scan).
   */
  nearDown(): boolean {
    const x = this.x, tol = this.tol, a = this.a, b = this.lo, q = x - tol;
    let k = this.cur;
    if (k < 0) { this.q = q; k = this.lowerQ(); } else while (k > 0 && a[b + k - 1] >= q) k--;
    this.cur = k;
    if (k >= this.n) return false;
    const v = a[b + k];
    return v < x + tol && v > x - tol;
  }
}

/**
 * Open lot id -> the level price its buy was placed at: a small open-addressing hash (a grid has a few hundred lots
 * open; lot ids run to ~18k a year), the value passed in the field `value` (V8 boxes double arguments and results).
 */
export class LotLevels {
  private keys = new Int32Array(64).fill(-1); // -1 empty, -2 deleted
  private vals = new Float64Array(64);
  private used = 0;
  size = 0;
  /** The value `set` stores, and `get` and `take` found. */
  value = 0;

  private static slot(lot: number, mask: number): number {
    const h = Math.imul(lot, 0x9e3779b1);
    return (h ^ (h >>> 15)) & mask;
  }

  /** lot -> `value` (replacing any). */
  set(lot: number): void {
    const keys = this.keys, mask = keys.length - 1;
    let i = LotLevels.slot(lot, mask), free = -1;
    for (;;) {
      const k = keys[i];
      if (k === lot) { this.vals[i] = this.value; return; }
      if (k === -1) break;
      if (k === -2 && free < 0) free = i;
      i = (i + 1) & mask;
    }
    if (free >= 0) i = free; else this.used++;
    keys[i] = lot;
    this.vals[i] = this.value;
    this.size++;
    if (this.used * 2 > keys.length) this.rebuild();
  }

  /** Whether `lot` is held (its value in `value`). */
  get(lot: number): boolean {
    const i = this.find(lot);
    if (i < 0) return false;
    this.value = this.vals[i];
    return true;
  }

  /** `get`, and remove it. */
  take(lot: number): boolean {
    const i = this.find(lot);
    if (i < 0) return false;
    this.value = this.vals[i];
    this.keys[i] = -2;
    this.size--;
    return true;
  }

  /** The lots held, ascending. */
  lots(): number[] {
    const out: number[] = [];
    for (const k of this.keys) if (k >= 0) out.push(k);
    return out.sort((a, b) => a - b);
  }

  private find(lot: number): number {
    const keys = this.keys, mask = keys.length - 1;
    let i = LotLevels.slot(lot, mask);
    for (;;) {
      const k = keys[i];
      if (k === lot) return i;
      if (k === -1) return -1;
      i = (i + 1) & mask;
    }
  }

  /** Scratch for rebuilds: the held pairs. */
  private spareKeys = new Int32Array(0);
  private spareVals = new Float64Array(0);

  /**
   * Re-insert without the deleted slots, doubling when more than a quarter is held; at the same capacity (the common
   * case: lots open and close all the time) in place, through the scratch arrays, allocating nothing.
   */
  private rebuild(): void {
    const keys = this.keys, vals = this.vals, n = this.size;
    if (this.spareKeys.length < n) { this.spareKeys = new Int32Array(Math.max(n, 2 * this.spareKeys.length)); this.spareVals = new Float64Array(this.spareKeys.length); }
    const sk = this.spareKeys, sv = this.spareVals;
    let j = 0;
    for (let i = 0; i < keys.length; i++) if (keys[i] >= 0) { sk[j] = keys[i]; sv[j] = vals[i]; j++; }
    if (n * 4 > keys.length) { this.keys = new Int32Array(keys.length * 2); this.vals = new Float64Array(keys.length * 2); }
    this.keys.fill(-1);
    this.used = 0;
    this.size = 0;
    for (let k = 0; k < j; k++) { this.value = sv[k]; this.set(sk[k]); }
  }
}

/**
 * The mutable intents a grid pass hands out (typed as `Intent`, read-only, to the runner). Their tag is the grid buy's
 * `b<number>`, held as a number (tag-code.ts): `tag` is a getter that spells it for whoever reads it (the live runtime,
 * reports); the order simulator books the number.
 */
interface PooledCancel extends NumericTag { readonly type: 'cancel'; readonly tag: string; [TAG_NUM]: number }
interface PooledBuy extends NumericTag { readonly type: 'limit'; readonly side: 'buy'; price: number; amount: number; readonly tag: string; [TAG_NUM]: number }

/** The grid's buy tags: 'b' and the buy's number. */
const BUY_PREFIX = 'b';

function spellBuyTag(this: NumericTag): string {
  return BUY_PREFIX + this[TAG_NUM];
}

/**
 * `o` with the grid buy tag fields after its own: `tag` (an enumerable getter, so that JSON and key order are those of
 * a plain intent), then the numeric spelling under its symbols. (A getter written in the object literal would leave
 * the object in V8's slow dictionary mode; one defined afterwards keeps it fast.)
 */
function withBuyTag(o: object): object {
  Object.defineProperty(o, 'tag', { get: spellBuyTag, enumerable: true, configurable: true });
  const t = o as { [TAG_PREFIX]: string; [TAG_NUM]: number };
  t[TAG_PREFIX] = BUY_PREFIX;
  t[TAG_NUM] = 0;
  return o;
}

/**
 * A pooled buy before `withBuyTag`: a class, so that `type`, `side`, `price` and `amount` sit in the object's first four
 * fields as in `PairedSell`, and `price` and `amount` hold doubles from the start. The order simulator then reads both
 * kinds of limit intent with one load (see simulator.ts, `applyOrder`), not a load per shape that boxes the double.
 */
class BuyIntent {
  readonly type = 'limit';
  readonly side = 'buy';
  price = 0.5;
  amount = 0.5;
}

/** The number of a grid buy tag ('b' and a number without leading zeros), or -1 for any other tag. */
export function buyTagNum(tag: string): number {
  if (tag.charCodeAt(0) !== 98) return -1;
  const n = Number(tag.slice(1));
  return Number.isInteger(n) && n >= 0 && BUY_PREFIX + n === tag ? n : -1;
}

/** The number of the grid buy a fill is of (-1: not a grid buy), from its numeric tag when it has one. */
function fillBuyNum(f: { readonly tag: string }): number {
  const nt = f as Partial<NumericTag>;
  const pfx = nt[TAG_PREFIX];
  if (pfx !== undefined) return pfx === BUY_PREFIX ? nt[TAG_NUM]! : -1;
  return buyTagNum(f.tag);
}

/** Per-market grid state. */
export class GridMarket {
  anchorHigh = NaN;
  gridTop = NaN;
  /** Scratch: the account as a pass reads it when the runner has no AccountView.numbers (see readAccount). */
  readonly acct = new Float64Array(5);
  /** Levels taken: open grid buys and open lots, by their level price. */
  readonly taken = new PriceSet();
  /**
   * Open grid buys (unsorted, in placement order; small) as parallel columns: tag number (tag 'b<n>'; integers, so that
   * the intents and the simulator hold small integers, not heap numbers), level price, sequence, notional.
   */
  nBuys = 0;
  buyNum = new Int32Array(32);
  buyLevel = new Float64Array(32);
  buySeq = new Float64Array(32);
  buyNotional = new Float64Array(32);
  /** Open lot id -> its level price. */
  readonly lotLevels = new LotLevels();
  seq = 0;
  /**
   * The intent list a pass returns, and its intent objects, reused by the next pass of this market (new ones per pass
   * were a third of the run's garbage). Runners consume a decision before asking for the next one: the order
   * simulator applies it at once, the live runner turns it into outbox entries (stored as JSON) at once. Intents
   * returned by `onFill` are new objects: a runner may collect those of several fills before acting on them.
   */
  readonly out: Intent[] = [];
  private readonly cancelPool: PooledCancel[] = [];
  private readonly buyPool: PooledBuy[] = [];
  private nCancel = 0;
  private nBuy = 0;

  /** Start a pass: empty `out`, recycle the intent objects of the last pass. */
  resetOut(): void {
    const out = this.out;
    while (out.length) out.pop(); // (keeps the backing store; a length reset is a runtime call that frees it)
    this.nCancel = 0;
    this.nBuy = 0;
  }

  /** Append a cancel of grid buy `num` (tag 'b<num>') to `out`. */
  pushCancel(num: number): void {
    let it = this.cancelPool[this.nCancel];
    if (it === undefined) { it = withBuyTag({ type: 'cancel' }) as PooledCancel; this.cancelPool.push(it); }
    this.nCancel++;
    it[TAG_NUM] = num;
    this.out.push(it);
  }

  /** Append grid buy `num` (tag 'b<num>') at `buyPrice` for `buyAmount` to `out` (prices in fields: V8 boxes double arguments). */
  buyPrice = 0;
  buyAmount = 0;
  pushBuy(num: number): void {
    let it = this.buyPool[this.nBuy];
    if (it === undefined) { it = withBuyTag(new BuyIntent()) as PooledBuy; this.buyPool.push(it); }
    this.nBuy++;
    it.price = this.buyPrice;
    it.amount = this.buyAmount;
    it[TAG_NUM] = num;
    this.out.push(it);
  }
  lastK0 = -1;
  lastKEnd = -1;
  lastKLast = -1;
  lastTop = NaN;
  dirty = true;
  incomplete = true;
  hold = false;
  /** Rejections seen in the run at the last check of the grid's buys. */
  rejectionsSeen = 0;
  /** Level prices for the current GridTop: lv[k] = GridTop x r^k (filled on demand, by multiplication). */
  lv = new Float64Array(256);
  /** Fast-path thresholds: the levels around the close (k0) and around the band's bottom (kLast). */
  loK0 = NaN;
  hiK0 = NaN;
  loKL = NaN;
  hiKL = NaN;
  lvN = 0;
  lvTop = NaN;

  /** Make room for one more open buy (the caller writes the columns at index nBuys). */
  reserveBuy(): void {
    if (this.nBuys === this.buyLevel.length) this.growBuys();
  }

  private growBuys(): void {
    const n = this.nBuys;
    const grow = <A extends Float64Array | Int32Array>(a: A): A => { const b = new (a.constructor as new (n: number) => A)(n * 2); b.set(a); return b; };
    this.buyNum = grow(this.buyNum); this.buyLevel = grow(this.buyLevel); this.buySeq = grow(this.buySeq); this.buyNotional = grow(this.buyNotional);
  }


  /** Remove buy j, keeping the order of the others. */
  removeBuy(j: number): void {
    const n = this.nBuys - 1;
    for (let k = j; k < n; k++) {
      this.buyNum[k] = this.buyNum[k + 1]; this.buyLevel[k] = this.buyLevel[k + 1];
      this.buySeq[k] = this.buySeq[k + 1]; this.buyNotional[k] = this.buyNotional[k + 1];
    }
    this.nBuys = n;
  }

  /** Level k's price. Hot path: a typed-array read; the table is (re)filled by `fill` when needed. */
  level(k: number): number {
    if (k >= this.lvN || this.lvTop !== this.gridTop) this.fill(k);
    return this.lv[k];
  }

  /** The level ratio 1 - step (a field: V8 boxes double arguments; set by `useParams`). */
  lvR = 1;

  /**
   * The params' numbers every bar or pass needs, computed once per run (`useParams`, when a pass meets a params object
   * it has not seen): 1 - band, the level ratio `lvR` = 1 - step, and half a step (fractions).
   */
  private params: GridParams | null = null;
  bandMul = 1;
  half = 0;
  /** buyPct, budgetPct and maxCapitalPct as fractions. */
  buyFrac = 0;
  budgetFrac = 0;
  capFrac = 0;
  useParams(p: GridParams): void {
    this.params = p;
    this.bandMul = 1 - p.bandPct / 100;
    this.buyFrac = p.buyPct / 100;
    this.budgetFrac = p.budgetPct / 100;
    this.capFrac = p.maxCapitalPct / 100;
    const s = p.gridStepPct / 100;
    this.lvR = 1 - s;
    this.half = s / 2;
  }
  paramsAre(p: GridParams): boolean { return this.params === p; }

  private fill(k: number): void {
    const r = this.lvR;
    if (this.lvTop !== this.gridTop) { this.lvTop = this.gridTop; this.lv[0] = this.gridTop; this.lvN = 1; }
    if (k >= this.lv.length) { const b = new Float64Array(Math.max(k + 1, this.lv.length * 2)); b.set(this.lv.subarray(0, this.lvN)); this.lv = b; }
    for (let j = this.lvN; j <= k; j++) this.lv[j] = this.lv[j - 1] * r;
    if (k >= this.lvN) this.lvN = k + 1;
  }
}

export interface GridState { markets: GridMarket[] }

const NUM_FIELDS = ['anchorHigh', 'gridTop', 'seq', 'lastK0', 'lastKEnd', 'lastKLast', 'lastTop', 'rejectionsSeen', 'loK0', 'hiK0', 'loKL', 'hiKL', 'lvN', 'lvTop', 'lvR'] as const;
const BOOL_FIELDS = ['dirty', 'incomplete', 'hold'] as const;

/** A grid market as JSON (every field that decides; `out` is a scratch list, empty between decisions). */
function saveGridMarket(g: GridMarket): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const f of NUM_FIELDS) o[f] = encNum(g[f]);
  for (const f of BOOL_FIELDS) o[f] = g[f];
  o.taken = encF64(g.taken.values(), g.taken.n);
  o.buyTag = Array.from(g.buyNum.subarray(0, g.nBuys), (num) => BUY_PREFIX + num);
  o.buyLevel = encF64(g.buyLevel, g.nBuys);
  o.buySeq = encF64(g.buySeq, g.nBuys);
  o.buyNotional = encF64(g.buyNotional, g.nBuys);
  const lots: JsonNum[] = [];
  for (const lot of g.lotLevels.lots()) { g.lotLevels.get(lot); lots.push(lot, encNum(g.lotLevels.value)); }
  o.lotLevel = lots;
  o.lv = encF64(g.lv, g.lvN);
  return o;
}

function loadGridMarket(x: unknown, m: number): GridMarket {
  const o = asObject(x, `grid market ${m}`);
  const g = new GridMarket();
  for (const f of NUM_FIELDS) g[f] = decNum(o[f], `grid.${f}`);
  for (const f of BOOL_FIELDS) g[f] = o[f] === true;
  const n = asArray(o.taken, 'grid.taken').length;
  g.taken.load(decF64(o.taken, 'grid.taken', n).subarray(0, n));
  const tags = asArray(o.buyTag, 'grid.buyTag').map(String);
  g.nBuys = tags.length;
  const cap = Math.max(32, tags.length);
  g.buyNum = new Int32Array(cap);
  tags.forEach((tag, j) => {
    const num = buyTagNum(tag);
    if (num < 0) throw usageError('BAD_STRATEGY_STATE', `saved strategy state: grid.buyTag[${j}] must be a grid buy tag ('b' and a number), got ${JSON.stringify(tag)}`);
    g.buyNum[j] = num;
  });
  g.buyLevel = decF64(o.buyLevel, 'grid.buyLevel', cap);
  g.buySeq = decF64(o.buySeq, 'grid.buySeq', cap);
  g.buyNotional = decF64(o.buyNotional, 'grid.buyNotional', cap);
  const lots = asArray(o.lotLevel, 'grid.lotLevel');
  // (states saved before lot levels were a map also hold `lotLevelLength`, the old array's length: not needed)
  for (let k = 0; k + 1 < lots.length; k += 2) {
    const lot = decNum(lots[k], 'grid.lotLevel');
    if (!(Number.isInteger(lot) && lot >= 0 && lot <= 0x7fffffff)) throw usageError('BAD_STRATEGY_STATE', `saved strategy state: grid.lotLevel holds lot id ${String(lot)}; lot ids are integers >= 0`);
    g.lotLevels.value = decNum(lots[k + 1], 'grid.lotLevel');
    g.lotLevels.set(lot);
  }
  g.lv = decF64(o.lv, 'grid.lv', 256);
  return g;
}

function market(state: GridState, m: number): GridMarket {
  return (state.markets[m] ??= new GridMarket());
}

type GridCtx = BarContext<GridParams, Record<string, Float64Array>, GridState>;

// Hot path (every bar): only the fast-path test. Everything else is out of line, and no double is passed to a
// call (V8 boxes double arguments, and may do so ahead of the branch that makes the call).
function decideGrid(ctx: GridCtx): Intent[] | undefined {
  const p = ctx.params;
  const g = market(ctx.state, ctx.market ?? 0);
  const c = ctx.frame.close[ctx.i];
  if (!(c > 0)) return undefined;
  if (!g.paramsAre(p)) g.useParams(p);
  if (!(c <= g.anchorHigh)) rebase(ctx, g, p); // first bar, or a new high
  const cb = c * g.bandMul;
  // Fast path: the price stayed between the same levels at the top and at the bottom of the band.
  if (g.gridTop === g.lastTop && !g.dirty && !g.incomplete && c > g.loK0 && c <= g.hiK0 && cb <= g.hiKL && cb > g.loKL) return undefined;
  return locate(ctx, g, p);
}

/** Add-only rebase: the close is a new AnchorHigh and GridTop moves up; no order is cancelled by it. */
function rebase(ctx: GridCtx, g: GridMarket, p: GridParams): void {
  const c = ctx.frame.close[ctx.i];
  g.anchorHigh = c;
  g.gridTop = c * (1 - p.rebaseBufferPct / 100);
  ctx.record?.('anchorHigh', g.anchorHigh);
  ctx.record?.('gridTop', g.gridTop);
}

function locate(ctx: GridCtx, g: GridMarket, p: GridParams): Intent[] | undefined {
  const m = ctx.market ?? 0;
  const c = ctx.frame.close[ctx.i];
  const r = g.lvR;
  const G = g.gridTop;
  const cb = c * g.bandMul;
  // k0: the first level strictly below c; kLast: the last level at or above the band's bottom.
  // Start from the last bar's indices (the price usually moved by one level at most), else from logarithms.
  let k0: number, kLast: number;
  if (G === g.lastTop && g.lastK0 >= 0) {
    k0 = g.lastK0;
    kLast = g.lastKLast;
  } else {
    const lnR = Math.log(r);
    // (| 0: small integers, kept as such by V8; it also maps a -0 from log(1) to 0, the same index)
    k0 = (c > G ? 0 : Math.max(0, Math.floor(Math.log(c / G) / lnR) + 1)) | 0;
    kLast = (cb > G ? -1 : Math.max(-1, Math.floor(Math.log(cb / G) / lnR))) | 0;
  }
  while (k0 > 0 && g.level(k0 - 1) < c) k0--;
  while (g.level(k0) >= c) k0++;
  while (kLast >= 0 && g.level(kLast) < cb) kLast--;
  while (g.level(kLast + 1) >= cb) kLast++;
  g.lastKLast = kLast;
  g.loK0 = g.level(k0);
  if (k0 > 0) g.hiK0 = g.level(k0 - 1); else g.hiK0 = Infinity;
  if (kLast >= 0) g.hiKL = g.level(kLast); else g.hiKL = Infinity;
  g.loKL = g.level(kLast + 1);
  let n = kLast - k0 + 1;
  if (n < p.minBuys) n = p.minBuys;
  if (n > p.maxBuys) n = p.maxBuys;
  const kEnd = k0 + n - 1;
  const same = G === g.lastTop && kEnd === g.lastKEnd && !g.dirty;
  // The price fell through a level and nothing else changed: no new level enters the band, nothing leaves it.
  if (same && k0 > g.lastK0 && !g.incomplete) { g.lastK0 = k0; return undefined; }
  // The price rose through a level and nothing else changed: the pass would look only at the levels that entered at the
  // top; when each is taken (a lot's sell rests above it), it would do nothing.
  if (same && k0 < g.lastK0 && !g.incomplete && ctx.orders!.rejected === g.rejectionsSeen && allTaken(g, k0, g.lastK0)) {
    g.lastK0 = k0;
    return undefined;
  }
  if (same && k0 === g.lastK0) {
    if (!g.incomplete) return undefined;
    if (stillBlocked(ctx, g, p)) return undefined;
  }
  return fullPass(ctx, g, p, m, k0, kEnd);
}

/** Whether every level k in [from, to) is taken (as the pass tests it, within half a step). */
function allTaken(g: GridMarket, from: number, to: number): boolean {
  const half = g.half;
  const taken = g.taken;
  for (let k = from; k < to; k++) {
    const level = g.level(k);
    taken.x = level;
    taken.tol = level * half;
    if (!taken.nearX()) return false;
  }
  return true;
}

/**
 * The account's numbers in the layout of `AccountView.numbers` (ACCOUNT_*): that array when the runner provides it (no
 * heap number per read), else `g.acct` filled from the getters.
 */
function readAccount(g: GridMarket, account: AccountView): Float64Array {
  const n = account.numbers;
  if (n !== undefined) return n;
  const a = g.acct;
  a[ACCOUNT_CASH] = account.cash; a[ACCOUNT_FREE_CASH] = account.freeCash; a[ACCOUNT_EQUITY] = account.equity;
  a[ACCOUNT_IN_USE] = account.capitalInUse; a[ACCOUNT_OPEN_BUYS] = account.openBuyNotional;
  return a;
}

/** Still blocked by the capital cap? (without a fill, only the account value changes) */
function stillBlocked(ctx: GridCtx, g: GridMarket, p: GridParams): boolean {
  const acct = readAccount(g, ctx.account!);
  const equity = acct[ACCOUNT_EQUITY];
  const notional = (p.buyPct / 100) * (p.budgetMode === 'percent' ? (p.budgetPct / 100) * equity : p.budgetQuote);
  const capLimit = (p.maxCapitalPct / 100) * equity * (1 + 1e-12);
  const inUse = acct[ACCOUNT_IN_USE];
  return g.hold ? inUse + notional > capLimit : inUse + acct[ACCOUNT_OPEN_BUYS] + notional > capLimit || notional > acct[ACCOUNT_FREE_CASH];
}

// Out of line from decideGrid, with integer arguments only (doubles passed to a call are boxed).
function fullPass(
  ctx: GridCtx, g: GridMarket, p: GridParams, m: number, k0: number, kEnd: number,
): Intent[] | undefined {
  const orders = ctx.orders!;
  const account = ctx.account!;
  const G = g.gridTop;
  const half = g.half;
  const out = g.out;
  g.resetOut();
  const taken = g.taken;
  // Drop grid buys that are no longer open (rejected on placement), and cancel those below the lowest wanted
  // level (the band follows the price). Compacts the buy columns in place, keeping their order.
  const floor = g.level(kEnd) * (1 - half);
  const verify = orders.rejected !== g.rejectionsSeen;
  g.rejectionsSeen = orders.rejected;
  // Incremental pass: nothing happened since the last pass but the price moving, so only the levels that just
  // entered the wanted range need a look.
  const incremental = !g.dirty && !g.incomplete && !verify && G === g.lastTop && g.lastKEnd >= 0;
  // After every pass, every grid buy sits at or above that pass's floor (those below were cancelled, new ones are
  // placed at wanted levels, above it); between passes buys only go (fills). So with the same GridTop and no new
  // rejection, buys need cancelling only if the range's bottom moved up (a higher floor).
  if (verify || G !== g.lastTop || g.lastKEnd < 0 || kEnd < g.lastKEnd) {
    const nums = g.buyNum, lv = g.buyLevel, sq = g.buySeq, nt = g.buyNotional;
    const n = g.nBuys;
    let w = 0;
    for (let j = 0; j < n; j++) {
      const num = nums[j], level = lv[j];
      if (verify && !orders.has(m, BUY_PREFIX + num)) { taken.x = level; taken.removeX(); continue; }
      if (level < floor) { g.pushCancel(num); taken.x = level; taken.removeX(); continue; }
      if (w !== j) { nums[w] = num; lv[w] = level; sq[w] = sq[j]; nt[w] = nt[j]; }
      w++;
    }
    g.nBuys = w;
  }
  // the account is read once, when the first free level is found
  let ready = false;
  let notional = 0, capLimit = 0, softCap = 0, committed = 0, freeCash = 0, total = 0, mine = 0, inUse = 0;
  let hold = false;
  let incomplete = false;
  taken.cur = -1; // levels are visited from the highest down: each near-test steps on from the last one
  for (let k = k0; k <= kEnd; k++) {
    if (incremental && k >= g.lastK0 && k <= g.lastKEnd) { k = g.lastKEnd; continue; } // handled by the last pass
    const level = g.level(k);
    taken.x = level;
    taken.tol = level * half;
    if (taken.nearDown()) continue;
    if (!ready) {
      ready = true;
      const acct = readAccount(g, account);
      const equity = acct[ACCOUNT_EQUITY];
      const budget = p.budgetMode === 'percent' ? g.budgetFrac * equity : p.budgetQuote;
      notional = g.buyFrac * budget;
      capLimit = g.capFrac * equity;
      softCap = p.perMarketCap > 0 ? p.perMarketCap : Math.ceil(p.maxOpenOrders / account.markets);
      inUse = acct[ACCOUNT_IN_USE]; // constant during decide (no fill happens in it)
      committed = inUse + acct[ACCOUNT_OPEN_BUYS];
      freeCash = acct[ACCOUNT_FREE_CASH];
      total = orders.total - out.length; // the cancels above free their slots
      mine = orders.count(m) - out.length;
    }
    // HOLD: the inventory alone leaves no room for the next buy under the cap.
    if (inUse + notional > capLimit * (1 + 1e-12)) { hold = true; incomplete = true; break; }
    // Otherwise buys are placed only while inventory + open buys + this one fit (so fills never overshoot the cap).
    if (committed + notional > capLimit * (1 + 1e-12) || notional > freeCash) { incomplete = true; break; }
    // make room: maxBuys, the per-market soft cap, the global cap. Prune the farthest (then oldest) grid buy
    // when it is farther from price than this level; otherwise this market has all the buys it may have.
    const needRoom = g.nBuys >= p.maxBuys || mine >= softCap || total >= p.maxOpenOrders;
    if (needRoom) {
      const lv = g.buyLevel, sq = g.buySeq;
      let w = -1;
      for (let j = 0; j < g.nBuys; j++) {
        if (w < 0 || lv[j] < lv[w] || (lv[j] === lv[w] && sq[j] < sq[w])) w = j;
      }
      if (w < 0 || !(lv[w] < level)) { incomplete = g.nBuys < p.maxBuys; break; }
      g.pushCancel(g.buyNum[w]);
      taken.x = lv[w];
      taken.removeX();
      taken.cur = -1;
      committed -= g.buyNotional[w];
      g.removeBuy(w);
      total--; mine--;
      if (g.nBuys >= p.maxBuys || mine >= softCap || total >= p.maxOpenOrders) { incomplete = true; break; }
    }
    const num = g.seq++;
    g.buyPrice = level;
    g.buyAmount = notional / level;
    g.pushBuy(num);
    g.reserveBuy();
    const nb = g.nBuys++;
    g.buyNum[nb] = num; g.buyLevel[nb] = level; g.buySeq[nb] = g.seq; g.buyNotional[nb] = notional;
    taken.x = level;
    taken.addX();
    committed += notional;
    freeCash -= notional;
    total++; mine++;
  }
  if (hold !== g.hold) { g.hold = hold; ctx.record?.('hold', hold ? 1 : 0); }
  g.lastK0 = k0;
  g.lastKEnd = kEnd;
  g.lastTop = G;
  g.dirty = false;
  g.incomplete = incomplete;
  return out.length ? out : undefined;
}

/**
 * A lot's paired sell: tag 's<lot>.<fill seq>', held as numbers (tag-code.ts' dotted form) and spelled by `tag` for
 * whoever reads it (the live runtime, reports); JSON has the fields of a plain intent. A new object per fill (intents
 * returned by onFill may be collected before they are acted on). Fields in the order of `BuyIntent`'s, `price` and
 * `amount` declared with a double (see there).
 */
class PairedSell implements NumericTag {
  readonly type = 'limit';
  readonly side = 'sell';
  readonly price: number = NaN;
  readonly amount: number = NaN;
  readonly lot: number;
  readonly [TAG_PREFIX] = 's';
  readonly [TAG_NUM]: number;
  readonly [TAG_NUM2]: number;
  constructor(price: number, amount: number, lot: number, seq: number) {
    this.price = price;
    this.amount = amount;
    this.lot = lot;
    this[TAG_NUM] = lot;
    this[TAG_NUM2] = seq;
  }
  get tag(): string { return 's' + this.lot + '.' + this[TAG_NUM2]; }
  toJSON(): Intent {
    return { type: 'limit', side: 'sell', price: this.price, amount: this.amount, tag: this.tag, lot: this.lot };
  }
}

function onGridFill(ctx: FillContext<GridParams, Record<string, Float64Array>, GridState>): Intent | undefined {
  const p = ctx.params;
  const f = ctx.fill;
  const g = market(ctx.state, f.market);
  g.dirty = true;
  if (f.side === 'buy') {
    const num = fillBuyNum(f);
    let k = g.nBuys - 1;
    while (k >= 0 && g.buyNum[k] !== num) k--;
    const level = k >= 0 ? g.buyLevel[k] : f.price;
    // The level passes from the buy to its lot: when the buy is complete, taking its level out of `taken` and putting
    // it back would leave the same multiset, so only a level that is not there is added.
    if (k >= 0 && f.remaining === 0) {
      g.removeBuy(k);
      if (!g.taken.has(level)) g.taken.add(level);
    } else {
      g.taken.add(level);
    }
    g.lotLevels.value = level;
    g.lotLevels.set(f.lotId);
    const profit = (p.profitMode === 'step' ? p.gridStepPct : p.customProfitPct) / 100 + p.feeBufferPct / 100;
    return new PairedSell(f.price * (1 + profit), f.amount, f.lotId, f.seq);
  }
  if (f.remaining === 0 && f.lotId >= 0 && g.lotLevels.take(f.lotId)) g.taken.remove(g.lotLevels.value);
  return undefined;
}

export const grid = defineStrategy({
  id: 'grid',
  version: '1.0.0',
  description: 'Coinbase-style accumulation grid: buys staged in a band below price, a paired sell one step up for every fill, add-only rebase, capital and order caps.',
  kind: 'orders',
  params: gridParams,
  constraints: [{ expr: 'minBuys <= maxBuys', check: (q) => q.minBuys <= q.maxBuys }],
  warmup: () => 0,
  indicators: () => ({}),
  initState: (): GridState => ({ markets: [] }),
  decide: (ctx) => decideGrid(ctx as never),
  onFill: (ctx) => onGridFill(ctx as never),
  saveState: (st) => ({ markets: Array.from(st.markets, (g) => (g ? saveGridMarket(g) : null)) }),
  loadState: (saved): GridState => {
    const markets: GridMarket[] = [];
    asArray(asObject(saved, 'grid state').markets, 'grid state.markets').forEach((x, m) => { if (x !== null) markets[m] = loadGridMarket(x, m); });
    return { markets };
  },
});

/**
 * The order-level simulator: order strategies (`kind: 'orders'`) place and cancel limit and market orders
 * on candles and react to their fills. Pure and deterministic (no clock, no randomness).
 *
 * Event path per timestamp of the aligned timeline (markets in input order):
 *  1. fills of each market that has a bar at t, along the stated intrabar path (see intrabar.ts):
 *     leg 0 (the open): resting limits the open has already passed fill AT THE OPEN (maker; taker if the order
 *     arrived with the bar, i.e. was placed by `decide` at the previous close), then market orders placed by
 *     `decide` fill at the open +/- slippage (taker); legs 1..3: a buy fills at its limit when a falling leg
 *     trades through it ('through': strictly below; 'touch': reaches it), a sell when a rising leg does.
 *     Fills are reported in path order; `onFill` is called after each and its orders are live at once.
 *  2. every market's mark = its latest close;
 *  3. `decide(ctx)` at the close of each market's bar: its limits are live from that market's next bar
 *     (no look-ahead), its market orders fill at that next bar's open;
 *  4. per-step series (equity, cash, capital in use, open orders, P&L, fees) are recorded.
 * Cash is reserved when a buy limit is placed (price x amount x (1 + max(maker, taker))); base when a sell is.
 */
import { dataError, invariantError, usageError } from '../errors.ts';
import { lowerBound, type CandleFrame } from '../frame.ts';
import { grownCapacity, grownColumn } from '../columns.ts';
import { LotLedger, type Lot } from '../lots/ledger.ts';
import type { ParamValues } from '../params.ts';
import { type AnyStrategy, type DecideResult, type Intent, type LimitIntent, type MarketIntent, type PositionView } from '../strategy.ts';
import { FILL_ON, INTRABAR_PATHS } from './intrabar.ts';
import { Book } from './book.ts';
import { matchBarOf, type BarMatcher } from './bar-match.ts';
import { checkOrderOf, roundOrderInPlace, validateMarketSpec, type MarketSpec, type RejectReason } from './market-spec.ts';
import type {
  HoldPeriod, MarketSummary, OrderFillModel, OrderMarketInput, OrderRecord, OrderSimConfig, OrderSimResult,
  RejectedOrder, StepSeries,
} from './types.ts';
import { ACCOUNT_CASH, ACCOUNT_EQUITY, ACCOUNT_FREE_CASH, ACCOUNT_IN_USE, ACCOUNT_OPEN_BUYS, type AccountView, type FillLiquidity, type FillView, type OpenOrderView, type OrderSide, type OrdersView } from './views.ts';
import { StepLog, type MarkSource, type StepColumns } from './step-log.ts';
import { dottedTagStart, MAX_TAG_NUM, TAG_NUM, TAG_NUM2, TAG_PREFIX, tagNumberAt, tagNumberStart, type NumericTag } from './tag-code.ts';
import { F_ARRIVAL, F_FROM_FILL, F_MARKET, F_SELL, OrderHandle, OrderStore, ST_CANCELLED, ST_FILLED, ST_OPEN, ST_REJECTED } from './order-store.ts';

/**
 * Every fill of a run in typed-array columns. A fill's columns are written once, when it happens (its market and time
 * are its order's and its bar's); `FillHandle` is its object view (handed to `onFill` and in `ctx.fills`, made per fill;
 * the result's `fills` are made on first read).
 */
class FillStore {
  n = 0;
  bar = new Int32Array(1024);
  orderId = new Int32Array(1024);
  lotId = new Int32Array(1024);
  leg = new Uint8Array(1024);
  taker = new Uint8Array(1024);
  price = new Float64Array(1024);
  amount = new Float64Array(1024);
  fee = new Float64Array(1024);
  remaining = new Float64Array(1024);
  /** The previous fill of the same order (-1: none): the order store's chain (order-store.ts, FillChain). */
  prevFill = new Int32Array(1024);

  /** Grow the columns (see engine/columns.ts; `progress`: share of the run done). */
  grow(progress: number): void {
    const cap = grownCapacity(this.price.length, progress);
    this.bar = grownColumn(this.bar, cap); this.orderId = grownColumn(this.orderId, cap);
    this.lotId = grownColumn(this.lotId, cap); this.leg = grownColumn(this.leg, cap); this.taker = grownColumn(this.taker, cap);
    this.price = grownColumn(this.price, cap); this.amount = grownColumn(this.amount, cap);
    this.fee = grownColumn(this.fee, cap); this.remaining = grownColumn(this.remaining, cap); this.prevFill = grownColumn(this.prevFill, cap);
  }

  /** Fill k as an object. */
  row(k: number, orders: OrderStore): FillHandle {
    return new FillHandle(this, orders, k);
  }
}

/** Object view of fill `seq` (reads the fill's columns, which never change once written; no per-fill numbers boxed). */
class FillHandle implements FillView {
  constructor(private readonly s: FillStore, private readonly o: OrderStore, readonly seq: number) {}
  get market(): number { return this.o.market[this.s.orderId[this.seq]]; }
  get symbol(): string { return this.o.symbols[this.o.market[this.s.orderId[this.seq]]]; }
  get bar(): number { return this.s.bar[this.seq]; }
  get ts(): number { return this.o.barTsOf(this.o.market[this.s.orderId[this.seq]], this.s.bar[this.seq]); }
  get tag(): string { return this.o.tagOf(this.s.orderId[this.seq]); }
  /** The numeric spelling of the tag (tag-code.ts): its prefix, or undefined when the tag is kept as a string. */
  get [TAG_PREFIX](): string | undefined {
    const pre = this.o.tagPre[this.s.orderId[this.seq]];
    return pre < 0 ? undefined : this.o.prefixes.names[pre];
  }
  /** The numeric spelling's number (meaningful when `[TAG_PREFIX]` is defined). */
  get [TAG_NUM](): number { return this.o.tagNum[this.s.orderId[this.seq]]; }
  /** The dotted numeric spelling's second number (undefined for the plain form and for string tags). */
  get [TAG_NUM2](): number | undefined {
    const id = this.s.orderId[this.seq];
    const n2 = this.o.tagNum2[id];
    return this.o.tagPre[id] < 0 || n2 < 0 ? undefined : n2;
  }
  get orderId(): number { return this.s.orderId[this.seq]; }
  get side(): OrderSide { return this.o.isSell(this.s.orderId[this.seq]) ? 'sell' : 'buy'; }
  get type(): 'limit' | 'market' { return this.o.isMarket(this.s.orderId[this.seq]) ? 'market' : 'limit'; }
  get price(): number { return this.s.price[this.seq]; }
  get amount(): number { return this.s.amount[this.seq]; }
  get fee(): number { return this.s.fee[this.seq]; }
  get liquidity(): FillLiquidity { return this.s.taker[this.seq] ? 'taker' : 'maker'; }
  get remaining(): number { return this.s.remaining[this.seq]; }
  get lotId(): number { return this.s.lotId[this.seq]; }
  get pathLeg(): number { return this.s.leg[this.seq]; }
  toJSON(): FillView {
    return {
      seq: this.seq, market: this.market, symbol: this.symbol, bar: this.bar, ts: this.ts, tag: this.tag, orderId: this.orderId, side: this.side,
      type: this.type, price: this.price, amount: this.amount, fee: this.fee, liquidity: this.liquidity, remaining: this.remaining,
      lotId: this.lotId, pathLeg: this.pathLeg,
    };
  }
}

interface MutableCtx {
  i: number;
  frame: CandleFrame;
  ind: unknown;
  params: ParamValues;
  position: PositionView;
  state: unknown;
  market: number;
  symbol: string;
  fills: FillView[];
  orders: OrdersView;
  account: AccountView;
  record: (name: string, value: number) => void;
  fill: FillView | undefined;
}

const DUST = 1e-12;

function validateConfig(cfg: OrderSimConfig): Required<Omit<OrderSimConfig, 'maxVolumeShare'>> & { maxVolumeShare: number | null } {
  const bad = (field: string, value: unknown, allowed: string) =>
    usageError('BAD_FILL_CONFIG', `${field}=${String(value)} is not allowed; expected ${allowed}`, { field });
  if (!(typeof cfg.initialCash === 'number' && Number.isFinite(cfg.initialCash) && cfg.initialCash >= 0)) throw bad('initialCash', cfg.initialCash, 'a finite number >= 0');
  const slippageBps = cfg.slippageBps ?? 0;
  if (!(Number.isFinite(slippageBps) && slippageBps >= 0 && slippageBps < 10_000)) throw bad('slippageBps', slippageBps, 'a number in 0..10000');
  const intrabarPath = cfg.intrabarPath ?? 'nearest-extreme-first';
  if (!INTRABAR_PATHS.includes(intrabarPath)) throw bad('intrabarPath', intrabarPath, `one of ${INTRABAR_PATHS.join(', ')}`);
  const fillOn = cfg.fillOn ?? 'through';
  if (!FILL_ON.includes(fillOn)) throw bad('fillOn', fillOn, `one of ${FILL_ON.join(', ')}`);
  const share = cfg.maxVolumeShare ?? null;
  if (share !== null && !(share > 0 && share <= 1)) throw bad('maxVolumeShare', share, 'a share in (0, 1]');
  return {
    initialCash: cfg.initialCash, slippageBps, intrabarPath, fillOn, maxVolumeShare: share,
    startTs: cfg.startTs ?? -Infinity, endTs: cfg.endTs ?? Infinity,
  };
}

/** Whether `x` can be a number of a numeric tag (tag-code.ts). */
function validTagNum(x: unknown): x is number {
  return typeof x === 'number' && (x | 0) === x && x >= 0 && x <= MAX_TAG_NUM;
}

/** The union of the markets' bar timestamps within [startTs, endTs), ascending. */
export function alignTimeline(frames: readonly CandleFrame[], startTs = -Infinity, endTs = Infinity): Float64Array {
  if (frames.length === 1) {
    const ts = frames[0].ts;
    return ts.subarray(lowerBound(ts, startTs), lowerBound(ts, endTs));
  }
  let n = 0;
  for (const f of frames) n += lowerBound(f.ts, endTs) - lowerBound(f.ts, startTs);
  const all = new Float64Array(n);
  let k = 0;
  for (const f of frames) { const a = lowerBound(f.ts, startTs), b = lowerBound(f.ts, endTs); all.set(f.ts.subarray(a, b), k); k += b - a; }
  all.sort();
  let u = 0;
  for (let j = 0; j < n; j++) if (j === 0 || all[j] !== all[u - 1]) all[u++] = all[j];
  return all.slice(0, u);
}

/**
 * Run an order-level strategy over one or more markets sharing one budget.
 * `params` are overrides resolved against the strategy's schema (unknown names fail with "did you mean").
 */
export function runOrderBacktest(
  strategy: AnyStrategy,
  markets: readonly OrderMarketInput[],
  params: Readonly<Record<string, unknown>>,
  config: OrderSimConfig,
): OrderSimResult {
  if (strategy.kind !== 'orders') {
    throw usageError('NOT_AN_ORDER_STRATEGY', `strategy '${strategy.id}' is a ${strategy.kind} strategy; the order simulator runs strategies of kind 'orders'`);
  }
  if (markets.length === 0) throw usageError('NO_MARKETS', 'an order backtest needs at least one market');
  const seen = new Set<string>();
  for (const mk of markets) {
    if (seen.has(mk.frame.symbol)) throw usageError('DUPLICATE_MARKET', `market ${mk.frame.symbol} is given twice`);
    seen.add(mk.frame.symbol);
    if (mk.spec.symbol !== mk.frame.symbol) throw usageError('SPEC_SYMBOL_MISMATCH', `market spec is for ${mk.spec.symbol} but the frame is ${mk.frame.symbol}`);
    validateMarketSpec(mk.spec);
    const ts = mk.frame.ts;
    for (let j = 1; j < ts.length; j++) {
      if (!(ts[j] > ts[j - 1])) throw dataError('UNSORTED_CANDLES', `${mk.frame.symbol}: candle timestamps must be strictly ascending; row ${j} (ts ${ts[j]}) follows ${ts[j - 1]}`, { symbol: mk.frame.symbol, row: j });
    }
    if (mk.initialBase !== undefined && !(Number.isFinite(mk.initialBase) && mk.initialBase >= 0)) {
      throw usageError('BAD_INITIAL_BASE', `${mk.frame.symbol}: initialBase=${mk.initialBase} must be a finite number >= 0`);
    }
  }
  const cfg = validateConfig(config);
  const p = strategy.resolveParams(params) as ParamValues;
  const sim = new OrderSim(strategy, markets, p, cfg);
  return sim.run();
}

// The account and order-book views handed to strategies: classes (shared prototype getters), so that the
// strategy's optimised code can inline them across runs (object literals made per run defeat that).
class SimAccount implements AccountView {
  constructor(private readonly sim: OrderSim) {}
  get initialCapital(): number { return this.sim.initialCapital; }
  get cash(): number { return this.sim.cash; }
  get freeCash(): number { return this.sim.cash - this.sim.reservedCash; }
  get equity(): number {
    // (small enough to be inlined into the strategy's code: a getter that is not hands its double result over boxed)
    const sim = this.sim;
    if (sim.equityStale) sim.updateEquity();
    return sim.equityNow;
  }
  get capitalInUse(): number { return this.sim.ledger.totalOpenCost; }
  get openBuyNotional(): number { return this.sim.openBuyNotional; }
  get markets(): number { return this.sim.M; }
  private readonly nums = new Float64Array(5);
  get numbers(): Float64Array {
    const sim = this.sim, a = this.nums;
    if (sim.equityStale) sim.updateEquity();
    a[ACCOUNT_CASH] = sim.cash;
    a[ACCOUNT_FREE_CASH] = sim.cash - sim.reservedCash;
    a[ACCOUNT_EQUITY] = sim.equityNow;
    a[ACCOUNT_IN_USE] = sim.ledger.totalOpenCost;
    a[ACCOUNT_OPEN_BUYS] = sim.openBuyNotional;
    return a;
  }
  base(m: number): number { return this.sim.ledger.base[m]; }
  freeBase(m: number): number { return this.sim.ledger.base[m] - this.sim.ledger.reservedBase[m]; }
  openCost(m: number): number { return this.sim.ledger.openCost[m]; }
}

class SimOrders implements OrdersView {
  constructor(private readonly sim: OrderSim) {}
  get total(): number { return this.sim.openTotal; }
  get rejected(): number { return this.sim.rejected.length; }
  count(m: number, side?: OrderSide): number {
    const b = this.sim.books[m];
    return side === 'buy' ? b.buys.length : side === 'sell' ? b.sells.length : b.buys.length + b.sells.length + b.pendingMarket.length;
  }
  has(m: number, tag: string): boolean { return this.sim.findOpen(this.sim.books[m], tag) >= 0; }
  get(m: number, tag: string): OpenOrderView | undefined {
    const id = this.sim.findOpen(this.sim.books[m], tag);
    return id < 0 ? undefined : new OrderHandle(this.sim.store, id);
  }
  list(m: number): OpenOrderView[] {
    const b = this.sim.books[m];
    // each side best first (the book keeps them best last)
    return [...b.buys.toReversed(), ...b.sells.toReversed(), ...b.pendingMarket].map((id) => new OrderHandle(this.sim.store, id));
  }
}

class OrderSim implements BarMatcher {
  readonly M: number;
  private readonly frames: CandleFrame[];
  private readonly specs: MarketSpec[];
  private readonly symbols: string[];
  readonly books: Book[];
  readonly store: OrderStore;
  readonly ledger: LotLedger;
  readonly mark: Float64Array;
  private readonly barsSeen: Int32Array;
  private readonly fillCount: Int32Array;
  private readonly marketFills: FillView[][];
  private readonly ctxs: MutableCtx[];
  private readonly maxFee: Float64Array;
  private readonly recorded: Map<string, { ts: number[]; value: number[] }>[];
  private readonly fills = new FillStore();
  readonly rejected: RejectedOrder[] = [];
  private readonly rejectCounts: Partial<Record<RejectReason, number>> = {};
  private readonly pts = new Float64Array(4);
  /** The bar being matched: open, high, low, close, volume. */
  private readonly bar = new Float64Array(5);
  private readonly through: boolean;
  private readonly slip: number;
  // (double fields get an initial value: a field declared without one starts as undefined, and every double later
  // stored into it is then a fresh heap number)
  cash = 0;
  reservedCash = 0;
  openBuyNotional = 0;
  openTotal = 0;
  private cancelled = 0;
  capacity = Infinity;
  /** Path leg being processed (0 = the open), for fills triggered inside onFill. */
  leg = 0;
  initialCapital = 0;
  private boughtNotional = 0;
  private soldNotional = 0;

  constructor(
    private readonly strategy: AnyStrategy,
    markets: readonly OrderMarketInput[],
    private readonly params: ParamValues,
    private readonly cfg: ReturnType<typeof validateConfig>,
  ) {
    const M = (this.M = markets.length);
    this.frames = markets.map((x) => x.frame);
    this.specs = markets.map((x) => x.spec);
    this.symbols = markets.map((x) => x.frame.symbol);
    this.store = new OrderStore(this.symbols, this.frames.map((f) => f.ts), this.fills);
    this.books = markets.map(() => new Book(this.store));
    this.ledger = new LotLedger(this.symbols, this.frames.map((f) => f.ts));
    const store = this.store;
    this.ledger.tagOf = (id) => store.tagOf(id);
    this.mark = new Float64Array(M);
    this.barsSeen = new Int32Array(M);
    this.fillCount = new Int32Array(M);
    this.marketFills = markets.map(() => []);
    this.maxFee = Float64Array.from(this.specs, (s) => Math.max(s.makerFee, s.takerFee));
    this.recorded = markets.map(() => new Map());
    this.through = cfg.fillOn === 'through';
    this.slip = cfg.slippageBps / 10_000;
    this.cash = cfg.initialCash;
    this.initialCapital = cfg.initialCash;
    const state = strategy.initState(params);
    const account = new SimAccount(this);
    const ordersView = new SimOrders(this);
    this.ctxs = markets.map((mk, m) => {
      const start = lowerBound(mk.frame.ts, cfg.startTs);
      const firstOpen = start < mk.frame.length ? mk.frame.open[start] : NaN;
      this.mark[m] = firstOpen;
      const base0 = mk.initialBase ?? 0;
      if (base0 > 0) {
        if (!Number.isFinite(firstOpen)) throw usageError('BAD_INITIAL_BASE', `${mk.frame.symbol}: initial inventory needs a first bar in the range to value it`);
        this.ledger.open(m, mk.frame.ts[start], start, firstOpen, base0, 0, '(initial)');
        this.initialCapital += base0 * firstOpen;
      }
      const ledger = this.ledger;
      const position: PositionView = {
        get size() { return ledger.base[m]; },
        get entryPrice() { return ledger.base[m] > 0 ? ledger.openCost[m] / ledger.base[m] : NaN; },
        entryBar: -1,
      };
      return {
        i: -1, frame: mk.frame, ind: strategy.indicators(mk.frame, params), params, position, state, market: m,
        symbol: mk.frame.symbol, fills: this.marketFills[m], orders: ordersView, account,
        record: (name: string, value: number) => this.record(m, name, value), fill: undefined,
      };
    });
  }

  private record(m: number, name: string, value: number): void {
    const map = this.recorded[m];
    let s = map.get(name);
    if (!s) { s = { ts: [], value: [] }; map.set(name, s); }
    const n = s.value.length;
    if (n > 0 && (s.value[n - 1] === value || (Number.isNaN(value) && Number.isNaN(s.value[n - 1])))) return;
    const ctx = this.ctxs[m];
    const ts = ctx.i >= 0 ? this.frames[m].ts[ctx.i] : NaN;
    if (n > 0 && s.ts[n - 1] === ts) { s.value[n - 1] = value; return; }
    s.ts.push(ts);
    s.value.push(value);
  }

  private reject(m: number, bar: number, intent: Intent, reason: RejectReason, price = NaN, amount = NaN): void {
    const type = intent.type === 'target' ? 'market' : intent.type;
    const side = intent.type === 'limit' || intent.type === 'market' ? intent.side : null;
    this.rejected.push({
      market: m, symbol: this.symbols[m], bar, ts: bar >= 0 ? this.frames[m].ts[bar] : NaN, tag: intent.type === 'target' ? '' : intent.tag,
      type, side, price: Number.isNaN(price) && intent.type === 'limit' ? intent.price : price,
      amount: Number.isNaN(amount) && (intent.type === 'limit' || intent.type === 'market') ? intent.amount : amount, reason,
    });
    this.rejectCounts[reason] = (this.rejectCounts[reason] ?? 0) + 1;
  }

  // --- order lifecycle ------------------------------------------------------------------------------

  /** Account equity (cash + each market's base at its mark) as of the last `updateEquity`; stale after a fill or new marks. */
  equityNow = 0;
  equityStale = true;

  updateEquity(): void {
    const base = this.ledger.base, mark = this.mark;
    let e = this.cash;
    for (let m = 0; m < this.M; m++) { const b = base[m]; if (b !== 0) e += b * mark[m]; }
    this.equityNow = e;
    this.equityStale = false;
  }

  /** Where each market's rows of the run start and end (set by `run`). */
  private rowStart: Int32Array = new Int32Array(0);
  private rowEnd: Int32Array = new Int32Array(0);

  /** The share of market m's rows done at row `bar`: how the stores project their final size when they grow. */
  private progressAt(m: number, bar: number): number {
    const a = this.rowStart[m], n = this.rowEnd[m] - a;
    return n > 0 ? (bar - a + 1) / n : 0;
  }

  /**
   * The cash that limit buy `id`, not filled yet in full, still reserves (the store keeps no column for it): price x
   * amount x (1 + max fee) when placed (what callers compute themselves for an order without fills), less price x
   * amount x (1 + max fee) for each of its fills so far, in order.
   */
  private reservedLeft(id: number): number {
    const st = this.store;
    const px = st.price[id], fee = 1 + this.maxFee[st.market[id]];
    let res = px * st.amount[id] * fee;
    const fl = this.fills, seq = st.chain(st.lastFill[id]);
    for (let j = seq.length - 1; j >= 0; j--) res -= px * fl.amount[seq[j]] * fee;
    return res;
  }

  private closeOrder(id: number, status: number, bar: number): void {
    const st = this.store;
    const m = st.market[id];
    const b = this.books[m];
    st.status[id] = status;
    st.doneBar[id] = bar;
    const pre = st.tagPre[id];
    if (pre >= 0) b.numTags.delete(pre, st.tagNum[id], st.tagNum2[id]); else b.tags.delete(st.tags[st.tagNum[id]]);
    this.openTotal--;
    const rem = status === ST_FILLED ? 0 : st.amount[id] - (st.lastFill[id] < 0 ? 0 : st.filledOf(id)); // (st.remainingOf)
    if (st.isMarket(id)) {
      const k = b.pendingMarket.indexOf(id);
      if (k >= 0) b.pendingMarket.splice(k, 1);
    } else {
      b.remove(id);
    }
    // release what the order still holds
    if (!st.isSell(id)) {
      // what the buy still reserves (a market buy reserves nothing; a filled one has released all)
      if (!st.isMarket(id) && status !== ST_FILLED) this.reservedCash -= st.lastFill[id] < 0 ? st.price[id] * st.amount[id] * (1 + this.maxFee[m]) : this.reservedLeft(id);
      if (!st.isMarket(id)) this.openBuyNotional -= st.price[id] * rem;
    } else if (rem > 0) {
      this.ledger.reservedBase[m] -= rem;
      const lot = st.lot[id];
      if (lot >= 0) this.ledger.reserved[lot] -= rem;
    }
  }

  private cancel(id: number, bar: number): void {
    this.closeOrder(id, ST_CANCELLED, bar);
    this.cancelled++;
  }

  /** [price, amount] of the next `execute` (BarMatcher.exec). */
  readonly exec = new Float64Array(2);

  /** Execute `exec[1]` of order `id` at `exec[0]`. Calls onFill. */
  execute(id: number, liquidity: FillLiquidity, leg: number, bar: number): void {
    const price = this.exec[0], amount = this.exec[1];
    const st = this.store;
    const m = st.market[id];
    const prevFilled = st.lastFill[id] < 0 ? 0 : st.filledOf(id);
    const spec = this.specs[m];
    const sell = st.isSell(id);
    const market = st.isMarket(id);
    const notional = price * amount;
    const fee = notional * (liquidity === 'maker' ? spec.makerFee : spec.takerFee);
    let lotId: number;
    if (!sell) {
      if (!market) {
        // all it still reserves when this fill completes it, else this fill's share
        const rel = amount >= st.amount[id] - prevFilled - DUST * st.amount[id]
          ? (st.lastFill[id] < 0 ? st.price[id] * st.amount[id] * (1 + this.maxFee[m]) : this.reservedLeft(id))
          : st.price[id] * amount * (1 + this.maxFee[m]);
        this.reservedCash -= rel;
        this.openBuyNotional -= st.price[id] * amount;
      }
      this.cash -= notional + fee;
      this.boughtNotional += notional;
      // (the lot's tag is the order id, spelled by the store when read; its numbers go in fields, see LotLedger.inPrice)
      const L = this.ledger;
      if (L.full) L.grow(this.progressAt(m, bar));
      // (the ledger times lots by their bars: no inTs)
      L.inPrice = price; L.inSize = amount; L.inFee = fee;
      lotId = L.openIn(m, bar, id);
    } else {
      const L = this.ledger;
      L.reservedBase[m] -= amount;
      const lot = st.lot[id];
      if (lot >= 0) {
        L.reserved[lot] -= amount;
        L.inPrice = price; L.inSize = amount; L.inFee = fee;
        L.closeIn(lot, bar, id);
        lotId = lot;
      } else {
        lotId = L.closeFifo(m, amount, price, fee, NaN, bar, id);
      }
      this.cash += notional - fee;
      this.soldNotional += notional;
    }
    this.equityStale = true;
    // (the order's average price and fees are derived from its fills, chained here: see OrderStore)
    const filled = prevFilled + amount;
    let remaining = st.amount[id] - filled;
    const fl = this.fills;
    if (fl.n === fl.price.length) fl.grow(this.progressAt(m, bar));
    const k = fl.n++;
    fl.prevFill[k] = st.lastFill[id];
    st.lastFill[id] = k;
    if (remaining <= DUST * st.amount[id]) {
      remaining = 0;
      this.closeOrder(id, ST_FILLED, bar);
    }
    fl.bar[k] = bar; fl.orderId[k] = id; fl.price[k] = price; fl.amount[k] = amount;
    fl.fee[k] = fee; fl.taker[k] = liquidity === 'taker' ? 1 : 0; fl.remaining[k] = remaining; fl.lotId[k] = lotId; fl.leg[k] = leg;
    const f = fl.row(k, st);
    this.marketFills[m].push(f);
    this.fillCount[m]++;
    this.capacity -= amount;
    const onFill = this.strategy.onFill;
    if (onFill) {
      const ctx = this.ctxs[m];
      ctx.i = bar;
      ctx.fill = f;
      const r = onFill(ctx as never);
      ctx.fill = undefined;
      if (r !== undefined) { this.applyRef = price; this.apply(m, r, 'fill', bar); }
    }
  }

  /** The reference price of the next `apply` (a field: V8 boxes the double arguments of calls it does not inline). */
  private applyRef = 0;

  /**
   * Apply intents from decide (origin 'decide', ref = close) or onFill (origin 'fill', ref = the path price); the caller
   * sets `applyRef` to ref first.
   */
  private apply(m: number, r: DecideResult, origin: 'decide' | 'fill', bar: number): void {
    const ref = this.applyRef;
    // (as intentsOf, without wrapping a single intent in a new array)
    const many = Array.isArray(r);
    const intents = many ? (r as readonly Intent[]) : undefined;
    const n = many ? intents!.length : r === undefined ? 0 : 1;
    const book = this.books[m];
    for (let k = 0; k < n; k++) {
      const it = many ? intents![k] : (r as Intent);
      if (it.type === 'target') {
        throw usageError('TARGET_INTENT_IN_ORDER_RUN', `strategy '${this.strategy.id}' returned a 'target' intent; order strategies return limit, market and cancel intents`);
      }
      if (it.type === 'cancel') { this.applyCancel(m, book, it, bar); continue; }
      this.applyRef = ref; // (an earlier intent's fill may have applied onFill's intents in between)
      this.applyOrder(m, it, origin, bar);
    }
  }

  /**
   * One limit or market intent of `apply` (`applyRef`: its reference price). Out of `apply`, which also sees cancel
   * intents: V8 reads `price` and `amount` here from the limit intents' maps only (a grid's buys and sells have them at
   * the same place), as doubles; a load that might meet a cancel hands them over as new heap numbers.
   */
  private applyOrder(m: number, it: LimitIntent | MarketIntent, origin: 'decide' | 'fill', bar: number): void {
    const ref = this.applyRef;
    const book = this.books[m];
    const spec = this.specs[m];
    const st = this.store;
    const side = it.side;
    const isLimit = it.type === 'limit';
    const rounded = this.rounded;
    // (two stores, not one of `isLimit ? price : NaN`: V8 may box a double that meets a constant)
    if (isLimit) rounded[0] = (it as LimitIntent).price; else rounded[0] = NaN;
    rounded[1] = it.amount;
    roundOrderInPlace(spec, side, isLimit, rounded);
    if (!isLimit) rounded[0] = ref;
    const price = rounded[0];
    const amount = rounded[1];
    const lot = it.lot ?? -1;
    let reason: RejectReason | undefined = checkOrderOf(spec, rounded);
    // The tag enters the book's tag map now, under the id the order is about to get (st.n): one map operation
    // for both the duplicate check and the insertion. A rejection below takes it out again.
    let mapped = false;
    if (!reason) {
      if (this.mapTag(book, it, st.n)) mapped = true; else reason = 'duplicate-tag';
    }
    if (!reason && side === 'buy') {
      const need = (isLimit ? price : ref * (1 + this.slip)) * amount * (1 + this.maxFee[m]);
      if (need > this.cash - this.reservedCash + 1e-9) reason = 'insufficient-cash';
    }
    if (!reason && side === 'sell') {
      if (lot >= 0) {
        const L = this.ledger;
        if (!(lot < L.n) || L.market[lot] !== m || !L.isOpen(lot)) reason = 'lot-not-open';
        else if (amount > L.remaining[lot] - L.reserved[lot] + DUST * amount) reason = 'insufficient-inventory';
      }
      if (!reason && amount > this.ledger.base[m] - this.ledger.reservedBase[m] + DUST * amount) reason = 'insufficient-inventory';
    }
    if (reason) {
      if (mapped) this.unmapTag(book);
      this.reject(m, bar, it, reason, price, amount);
      return;
    }
    const flags = (side === 'sell' ? F_SELL : 0) | (isLimit ? 0 : F_MARKET) | (origin === 'fill' ? F_FROM_FILL : 0);
    // st.add, written out: its double arguments would be boxed on every order
    if (st.full) st.grow(this.progressAt(m, bar));
    const id = st.n++;
    st.market[id] = m; st.flags[id] = flags;
    const pre = this.tagPre;
    st.tagPre[id] = pre;
    if (pre >= 0) { st.tagNum[id] = this.tagNum; st.tagNum2[id] = this.tagNum2; } else { st.tagNum[id] = st.tags.length; st.tags.push(this.tagStr); }
    st.price[id] = isLimit ? price : NaN; st.amount[id] = amount; st.lastFill[id] = -1; st.placedBar[id] = bar;
    st.doneBar[id] = -1; st.lot[id] = side === 'sell' ? lot : -1; st.status[id] = ST_OPEN;
    this.openTotal++;
    if (side === 'sell') {
      this.ledger.reservedBase[m] += amount;
      if (lot >= 0) this.ledger.reserved[lot] += amount;
    }
    if (!isLimit) {
      book.pendingMarket.push(id);
      if (origin === 'fill') this.fillMarket(id, ref, bar, this.leg);
      return;
    }
    if (side === 'buy') {
      const res = price * amount * (1 + this.maxFee[m]);
      this.reservedCash += res; // (reservedLeft recomputes it)
      this.openBuyNotional += price * amount;
    }
    book.insert(id);
    if (origin === 'decide') {
      st.flags[id] |= F_ARRIVAL;
      book.arrivals.push(id);
    } else if (side === 'buy' ? (this.through ? price > ref : price >= ref) : (this.through ? price < ref : price <= ref)) { // (bar-match's limitCrosses, written out: a call not inlined boxes its doubles)
      // a limit placed inside the bar that is already marketable at the current path price: taker, at that price
      const amt = Math.min(amount, this.capacity);
      if (amt > 0) { this.exec[0] = ref; this.exec[1] = amt; this.execute(id, 'taker', this.leg, bar); }
    }
  }

  /** A cancel intent: cancel the open order of this market with its tag, or reject it as an unknown tag. */
  private applyCancel(m: number, book: Book, it: Intent & { readonly tag: string }, bar: number): void {
    this.resolveTag(it);
    const o = this.tagPre >= 0 ? book.numTags.get(this.tagPre, this.tagNum, this.tagNum2) : book.tags.get(this.tagStr) ?? -1;
    if (o >= 0) this.cancel(o, bar); else this.reject(m, bar, it, 'unknown-tag');
  }

  /**
   * Resolve the tag of the intent being applied (`resolveTag`) and enter it in the book's tag map under `id`, the id the
   * order is about to get: one map operation for both the duplicate check and the insertion. False when the tag is
   * already an open order's (nothing changed). Out of `apply`, which stays small enough for V8 to inline its hot calls.
   */
  private mapTag(book: Book, it: { readonly tag: string }, id: number): boolean {
    this.resolveTag(it);
    if (this.tagPre >= 0) return book.numTags.add(this.tagPre, this.tagNum, this.tagNum2, id);
    const tags = book.tags, size = tags.size, tag = this.tagStr;
    tags.set(tag, id);
    if (tags.size !== size) return true;
    tags.set(tag, this.openOrderWithTag(book, tag));
    return false;
  }

  /** Take the tag `mapTag` entered back out (the order was rejected after all). */
  private unmapTag(book: Book): void {
    if (this.tagPre >= 0) book.numTags.delete(this.tagPre, this.tagNum, this.tagNum2); else book.tags.delete(this.tagStr);
  }

  /** [price, amount] of the intent being applied, rounded to the market's spec in place (roundOrderInPlace). */
  private readonly rounded = new Float64Array(2);

  /**
   * The tag of the intent being applied, set by `resolveTag`: a numeric tag (tag-code.ts) as (`tagPre` >= 0, `tagNum`,
   * `tagNum2`: -1 for the plain form), else the string `tagStr` (`tagPre` -1). Fields, not a returned object: no
   * allocation per intent.
   */
  private tagPre = -1;
  private tagNum = 0;
  private tagNum2 = -1;
  private tagStr = '';

  /**
   * The prefixes (and their ids) of the last two numeric tags resolved with different prefixes (a grid alternates
   * between its buys' and its sells'): the common case costs one or two comparisons, no lookup.
   */
  private lastPrefix: unknown = null;
  private lastPre = -1;
  private prevPrefix: unknown = null;
  private prevPre = -1;

  private resolveTag(it: { readonly tag: string }): void {
    const nt = it as Partial<NumericTag>;
    const pfx = nt[TAG_PREFIX], num = nt[TAG_NUM], num2 = nt[TAG_NUM2];
    const pre = pfx === this.lastPrefix ? this.lastPre : pfx === this.prevPrefix ? this.prevPre : -1;
    if (pre >= 0 && typeof num === 'number' && (num | 0) === num && num >= 0 && num <= MAX_TAG_NUM) {
      if (num2 === undefined) { this.tagPre = pre; this.tagNum = num | 0; this.tagNum2 = -1; this.tagStr = ''; return; }
      if (typeof num2 === 'number' && (num2 | 0) === num2 && num2 >= 0 && num2 <= MAX_TAG_NUM) {
        this.tagPre = pre; this.tagNum = num | 0; this.tagNum2 = num2 | 0; this.tagStr = '';
        return;
      }
    }
    this.resolveTagSlow(it);
  }

  /** `resolveTag` for an intent whose numeric prefix is not one of the last two, or that has none (out of line). */
  private resolveTagSlow(it: { readonly tag: string }): void {
    const nt = it as Partial<NumericTag>;
    const pfx = nt[TAG_PREFIX], num = nt[TAG_NUM], num2 = nt[TAG_NUM2];
    if (typeof pfx === 'string' && validTagNum(num) && (num2 === undefined || validTagNum(num2))) {
      const pre = this.store.prefixes.id(pfx);
      if (pre >= 0) {
        this.prevPrefix = this.lastPrefix; this.prevPre = this.lastPre;
        this.lastPrefix = pfx; this.lastPre = pre;
        this.tagPre = pre; this.tagNum = num | 0; this.tagNum2 = num2 === undefined ? -1 : num2 | 0; this.tagStr = '';
        return;
      }
    }
    this.resolveTagString(it.tag);
  }

  /** `resolveTag` for a tag given as a string (out of line: rare on the grid's hot path). */
  private resolveTagString(s: string): void {
    this.tagPre = this.parseTag(s);
    this.tagStr = this.tagPre >= 0 ? '' : s;
  }

  /**
   * The prefix id of string tag `s` when it has a numeric form (its numbers in `tagNum`, `tagNum2`), or -1 (a plain
   * string tag).
   */
  private parseTag(s: string): number {
    const j = tagNumberStart(s);
    if (j > 0) {
      const pre = this.store.prefixes.idIn(s, j);
      if (pre >= 0) { this.tagNum = tagNumberAt(s, j); this.tagNum2 = -1; }
      return pre;
    }
    const d = dottedTagStart(s);
    if (d > 0) {
      const pre = this.store.prefixes.idIn(s, d);
      if (pre >= 0) { const dot = s.lastIndexOf('.'); this.tagNum = tagNumberAt(s, d, dot); this.tagNum2 = tagNumberAt(s, dot + 1); }
      return pre;
    }
    return -1;
  }

  /** The open order of `book` with `tag`, or -1. */
  findOpen(book: Book, tag: string): number {
    const pre = this.parseTag(tag);
    if (pre >= 0) return book.numTags.get(pre, this.tagNum, this.tagNum2);
    return book.tags.get(tag) ?? -1;
  }

  /** The open order of this book with string tag `tag` (the tag map holds exactly the open orders). */
  private openOrderWithTag(book: Book, tag: string): number {
    const st = this.store;
    for (const list of [book.buys, book.sells, book.pendingMarket]) for (const id of list) if (st.tagPre[id] < 0 && st.tags[st.tagNum[id]] === tag) return id;
    throw invariantError('ORDER_BOOK_BROKEN', `tag '${tag}' is mapped but no open order has it`);
  }


  /** Fill a market order at `ref` +/- slippage (taker), capped by the bar's remaining volume; the rest is cancelled. */
  fillMarket(id: number, ref: number, bar: number, leg: number): void {
    const st = this.store;
    const sell = st.isSell(id);
    const m = st.market[id];
    const px = sell ? ref * (1 - this.slip) : ref * (1 + this.slip);
    const amt = Math.min(st.amount[id] - st.filledOf(id), this.capacity);
    if (!sell && px * amt * (1 + this.specs[m].takerFee) > this.cash - this.reservedCash + 1e-9) {
      this.closeOrder(id, ST_REJECTED, bar);
      this.reject(m, bar, { type: 'market', side: 'buy', amount: st.amount[id], tag: st.tagOf(id) }, 'insufficient-cash', px, st.amount[id]);
      return;
    }
    if (amt > 0) { this.exec[0] = px; this.exec[1] = amt; this.execute(id, 'taker', leg, bar); }
    if (st.status[id] === ST_OPEN) this.cancel(id, bar);
  }

  // --- one bar of one market -----------------------------------------------------------------------

  private processBar(m: number, r: number): void {
    const fills = this.marketFills[m];
    while (fills.length) fills.pop(); // (cheaper than a length reset, a runtime call)
    const f = this.frames[m];
    // Fast path (most bars): the bar's range reaches no resting order and no market order waits. The same test
    // as matchBar's first one, made here so that the common bar costs no call (V8 boxes its double arguments).
    const book = this.books[m];
    if (book.pendingMarket.length === 0) {
      const price = this.store.price;
      const buys = book.buys, sells = book.sells;
      const bb = buys.length ? price[buys[buys.length - 1]] : -Infinity;
      const ss = sells.length ? price[sells[sells.length - 1]] : Infinity;
      const l = f.low[r], hi = f.high[r];
      if (this.through ? bb <= l && ss >= hi : bb < l && ss > hi) {
        if (book.arrivals.length) this.clearArrivals(book);
        return;
      }
    }
    const bar = this.bar;
    bar[0] = f.open[r]; bar[1] = f.high[r]; bar[2] = f.low[r]; bar[3] = f.close[r]; bar[4] = f.volume[r];
    matchBarOf(this, book, r, bar, this.through, this.cfg.intrabarPath, this.cfg.maxVolumeShare, this.pts);
  }

  private clearArrivals(book: Book): void {
    const flags = this.store.flags, a = book.arrivals;
    while (a.length) flags[a.pop()!] &= ~F_ARRIVAL;
  }

  // --- the run -------------------------------------------------------------------------------------

  run(): OrderSimResult {
    const { M, frames, ledger } = this;
    const T = alignTimeline(frames, this.cfg.startTs, this.cfg.endTs);
    const S = T.length;
    const ptr = new Int32Array(M), end = new Int32Array(M), has = new Uint8Array(M), warm = new Int32Array(M);
    for (let m = 0; m < M; m++) {
      ptr[m] = lowerBound(frames[m].ts, this.cfg.startTs);
      end[m] = lowerBound(frames[m].ts, this.cfg.endTs);
      warm[m] = ptr[m] + Math.max(0, Math.floor(this.strategy.warmup(this.params) || 0));
    }
    this.rowStart = Int32Array.from(ptr);
    this.rowEnd = end;
    const marks: MarkSource = { frames, start: this.rowStart, end, mark0: Float64Array.from(this.mark) };
    // The per-step series are not recorded every step (see step-log.ts): the account is logged after a step with a fill
    // (and at step 0); the open-order counts come from the orders' bars when the columns are read.
    const log = new StepLog(M, S);
    const fl = this.fills;
    let lastFills = -1;
    const decide = this.strategy.decide;
    let maxOpen = 0, maxCap = 0;
    if (M === 1) {
      // One market: the timeline is its rows ptr[0] .. end[0] - 1, one step per row. The same steps as below
      // without the per-market bookkeeping.
      const close = frames[0].close, ctx = this.ctxs[0], mark = this.mark;
      const r0 = ptr[0], w0 = warm[0];
      for (let s = 0; s < S; s++) {
        const r = r0 + s;
        ctx.i = r;
        this.processBar(0, r);
        mark[0] = close[r];
        this.equityStale = true;
        // (the maxima below can only grow at a step where orders were placed or filled)
        let placed = false;
        if (r >= w0) {
          ctx.i = r;
          const res = decide(ctx as never);
          if (res !== undefined) { this.applyRef = close[r]; this.apply(0, res, 'decide', r); placed = true; }
        }
        if (fl.n !== lastFills) { lastFills = fl.n; log.cash = this.cash; log.account(s, ledger); placed = true; }
        if (placed) {
          const open = this.openTotal, inUse = ledger.totalOpenCost;
          if (open > maxOpen) maxOpen = open;
          if (inUse > maxCap) maxCap = inUse;
        }
      }
      this.barsSeen[0] += S;
    }
    for (let s = 0; s < S && M > 1; s++) {
      const t = T[s];
      for (let m = 0; m < M; m++) {
        const r = ptr[m];
        has[m] = r < end[m] && frames[m].ts[r] === t ? 1 : 0;
      }
      for (let m = 0; m < M; m++) if (has[m]) { this.ctxs[m].i = ptr[m]; this.processBar(m, ptr[m]); }
      for (let m = 0; m < M; m++) if (has[m]) this.mark[m] = frames[m].close[ptr[m]];
      this.equityStale = true;
      for (let m = 0; m < M; m++) {
        if (!has[m]) continue;
        const r = ptr[m];
        this.barsSeen[m]++;
        if (r >= warm[m]) {
          const ctx = this.ctxs[m];
          ctx.i = r;
          const res = decide(ctx as never);
          if (res !== undefined) { this.applyRef = frames[m].close[r]; this.apply(m, res, 'decide', r); }
        }
        ptr[m] = r + 1;
      }
      if (fl.n !== lastFills) { lastFills = fl.n; log.cash = this.cash; log.account(s, ledger); }
      const open = this.openTotal, inUse = ledger.totalOpenCost;
      if (open > maxOpen) maxOpen = open;
      if (inUse > maxCap) maxCap = inUse;
    }
    if (this.openTotal < 0 || this.reservedCash < -1e-6) throw invariantError('ORDER_BOOK_BROKEN', `order book bookkeeping went negative (open ${this.openTotal}, reserved ${this.reservedCash})`);
    return this.result(T, log, marks, maxOpen, maxCap);
  }

  private result(T: Float64Array, log: StepLog, marks: MarkSource, maxOpen: number, maxCap: number): OrderSimResult {
    const { ledger } = this;
    const series: Record<string, Record<string, StepSeries>> = {};
    const holdPeriods: HoldPeriod[] = [];
    for (let m = 0; m < this.M; m++) {
      const out: Record<string, StepSeries> = {};
      for (const [name, v] of this.recorded[m]) out[name] = { ts: Float64Array.from(v.ts), value: Float64Array.from(v.value) };
      series[this.symbols[m]] = out;
      const hold = this.recorded[m].get('hold');
      if (hold) {
        let start = NaN;
        for (let k = 0; k < hold.value.length; k++) {
          if (hold.value[k] === 1 && Number.isNaN(start)) start = hold.ts[k];
          else if (hold.value[k] !== 1 && !Number.isNaN(start)) { holdPeriods.push({ symbol: this.symbols[m], startTs: start, endTs: hold.ts[k] }); start = NaN; }
        }
        if (!Number.isNaN(start)) holdPeriods.push({ symbol: this.symbols[m], startTs: start, endTs: NaN });
      }
    }
    const markets: MarketSummary[] = this.symbols.map((symbol, m) => ({
      symbol, spec: this.specs[m], bars: this.barsSeen[m], base: ledger.base[m], openCost: ledger.openCost[m], lastMark: this.mark[m],
      realised: ledger.realisedBy[m], unrealised: ledger.unrealised(m, this.mark[m]), fees: ledger.feesBy[m], fills: this.fillCount[m],
    }));
    let buyFills = 0;
    const fl = this.fills;
    for (let k = 0; k < fl.n; k++) if (!this.store.isSell(fl.orderId[k])) buyFills++;
    let fillRows: FillView[] | undefined;
    let closedLots = 0;
    for (let id = 0; id < ledger.n; id++) if (!ledger.isOpen(id)) closedLots++;
    const n = T.length;
    let unreal = 0;
    for (let m = 0; m < this.M; m++) unreal += ledger.unrealised(m, this.mark[m]);
    const store = this.store;
    let orders: OrderRecord[] | undefined;
    let cols: StepColumns | undefined;
    const fm: OrderFillModel = {
      intrabarPath: this.cfg.intrabarPath, fillOn: this.cfg.fillOn, slippageBps: this.cfg.slippageBps, maxVolumeShare: this.cfg.maxVolumeShare,
      marketOrders: 'decide: next bar open +/- slippage; onFill: at the path point +/- slippage',
      limitActivation: 'decide: from the next bar (taker if it crosses the open); onFill: at once from the fill point',
      gapFills: 'a resting limit the open has already passed fills at the open',
      fees: 'quote currency; maker for resting limits, taker for market orders and limits crossing on arrival',
      multiMarketOrder: 'markets are processed in input order within one timestamp',
    };
    return {
      strategy: this.strategy.ref, params: this.params, fillModel: fm, initialCash: this.cfg.initialCash, markets,
      ts: T,
      // the per-step series, expanded from the step log on first read (see step-log.ts)
      get equity(): Float64Array { return (cols ??= log.expand(T, marks, store)).equity; },
      get cash(): Float64Array { return (cols ??= log.expand(T, marks, store)).cash; },
      get inventoryValue(): Float64Array { return (cols ??= log.expand(T, marks, store)).inv; },
      get capitalInUse(): Float64Array { return (cols ??= log.expand(T, marks, store)).cap; },
      get openOrders(): Float64Array { return (cols ??= log.expand(T, marks, store)).openOrders; },
      get realised(): Float64Array { return (cols ??= log.expand(T, marks, store)).realised; },
      get unrealised(): Float64Array { return (cols ??= log.expand(T, marks, store)).unrealised; },
      get fees(): Float64Array { return (cols ??= log.expand(T, marks, store)).fees; },
      // built on first read (one handle per order; the grid places ~100k a year on 1m bars)
      get orders(): readonly OrderRecord[] { return (orders ??= Array.from({ length: store.n }, (_, id): OrderRecord => new OrderHandle(store, id))); },
      get fills(): readonly FillView[] { return (fillRows ??= Array.from({ length: fl.n }, (_, k) => fl.row(k, store))); },
      get lots(): readonly Lot[] { return ledger.lots; }, rejected: this.rejected, rejectCounts: this.rejectCounts,
      series, holdPeriods,
      totals: {
        initialCapital: this.initialCapital, finalEquity: n ? log.lastEquity(T, marks) : this.initialCapital, cash: this.cash,
        realised: ledger.realised, unrealised: unreal, fees: ledger.fees, fills: fl.n, buyFills, sellFills: fl.n - buyFills,
        ordersPlaced: this.store.n, ordersCancelled: this.cancelled, rejected: this.rejected.length,
        closedLots, openLots: ledger.n - closedLots, maxOpenOrders: maxOpen, maxCapitalInUse: maxCap,
        boughtNotional: this.boughtNotional, soldNotional: this.soldNotional,
      },
    };
  }
}

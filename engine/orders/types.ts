import type { CandleFrame } from '../frame.ts';
import type { Lot } from '../lots/ledger.ts';
import type { ParamValues } from '../params.ts';
import type { FillOn, IntrabarPath } from './intrabar.ts';
import type { MarketSpec, RejectReason } from './market-spec.ts';
import type { FillView, OrderSide } from './views.ts';

/** One market of an order-level run. */
export interface OrderMarketInput {
  readonly frame: CandleFrame;
  readonly spec: MarketSpec;
  /** Base inventory held at the start (valued at the market's first open; opens a lot tagged '(initial)'). */
  readonly initialBase?: number;
}

/** The fill model and the run's range. Validated once at the entry point. */
export interface OrderSimConfig {
  /** Starting quote balance shared by every market. */
  readonly initialCash: number;
  /** Market-order slippage in basis points, against the fill (buys pay more, sells get less). Default 0. */
  readonly slippageBps?: number;
  /** Default 'nearest-extreme-first'. */
  readonly intrabarPath?: IntrabarPath;
  /** Default 'through'. */
  readonly fillOn?: FillOn;
  /** Cap on the base amount filled per market per bar, as a share of the bar's volume (0 < x <= 1). Default: no cap. */
  readonly maxVolumeShare?: number;
  /** First bar timestamp included (epoch ms, inclusive). Default: the earliest bar. */
  readonly startTs?: number;
  /** Last bar timestamp excluded (epoch ms, exclusive). Default: after the latest bar. */
  readonly endTs?: number;
}

/** The fill model as recorded in every result (CONVENTIONS §6). */
export interface OrderFillModel {
  readonly intrabarPath: IntrabarPath;
  readonly fillOn: FillOn;
  readonly slippageBps: number;
  readonly maxVolumeShare: number | null;
  readonly marketOrders: 'decide: next bar open +/- slippage; onFill: at the path point +/- slippage';
  readonly limitActivation: 'decide: from the next bar (taker if it crosses the open); onFill: at once from the fill point';
  readonly gapFills: 'a resting limit the open has already passed fills at the open';
  readonly fees: 'quote currency; maker for resting limits, taker for market orders and limits crossing on arrival';
  readonly multiMarketOrder: 'markets are processed in input order within one timestamp';
}

export type OrderStatus = 'open' | 'filled' | 'cancelled' | 'rejected';

/** Every order the run accepted, with its final state. */
export interface OrderRecord {
  readonly id: number;
  readonly market: number;
  readonly symbol: string;
  readonly tag: string;
  readonly side: OrderSide;
  readonly type: 'limit' | 'market';
  /** Limit price after rounding (NaN for market orders). */
  readonly price: number;
  /** Amount after rounding. */
  readonly amount: number;
  readonly filled: number;
  readonly remaining: number;
  /** Volume-weighted fill price (NaN if unfilled). */
  readonly avgPrice: number;
  readonly fees: number;
  readonly status: OrderStatus;
  /** 'decide' (bar close) or 'fill' (placed by onFill inside a bar). */
  readonly origin: 'decide' | 'fill';
  readonly placedBar: number;
  readonly placedTs: number;
  /** Bar and timestamp at which it was filled, cancelled or rejected (-1 / NaN while open). */
  readonly doneBar: number;
  readonly doneTs: number;
  /** Sell: the lot it closes (-1: FIFO). */
  readonly lot: number;
}

/** An intent the simulator refused, with the reason (counted, never bumped to a valid order). */
export interface RejectedOrder {
  readonly market: number;
  readonly symbol: string;
  readonly bar: number;
  readonly ts: number;
  readonly tag: string;
  readonly type: 'limit' | 'market' | 'cancel';
  readonly side: OrderSide | null;
  readonly price: number;
  readonly amount: number;
  readonly reason: RejectReason;
}

/** A recorded step series: the value holds from ts[k] until ts[k+1]. */
export interface StepSeries {
  readonly ts: Float64Array;
  readonly value: Float64Array;
}

export interface HoldPeriod {
  readonly symbol: string;
  readonly startTs: number;
  /** NaN when the run ended in HOLD. */
  readonly endTs: number;
}

export interface MarketSummary {
  readonly symbol: string;
  readonly spec: MarketSpec;
  readonly bars: number;
  readonly base: number;
  readonly openCost: number;
  readonly lastMark: number;
  readonly realised: number;
  readonly unrealised: number;
  readonly fees: number;
  readonly fills: number;
}

export interface OrderSimTotals {
  readonly initialCapital: number;
  readonly finalEquity: number;
  readonly cash: number;
  /** Gross realised P&L (fees excluded). */
  readonly realised: number;
  /** Gross unrealised P&L at the last marks (fees excluded). */
  readonly unrealised: number;
  /** Every fee paid. finalEquity = initialCapital + realised + unrealised - fees. */
  readonly fees: number;
  readonly fills: number;
  readonly buyFills: number;
  readonly sellFills: number;
  readonly ordersPlaced: number;
  readonly ordersCancelled: number;
  readonly rejected: number;
  readonly closedLots: number;
  readonly openLots: number;
  readonly maxOpenOrders: number;
  readonly maxCapitalInUse: number;
  readonly boughtNotional: number;
  readonly soldNotional: number;
}

export interface OrderSimResult {
  /** `id@version` of the strategy. */
  readonly strategy: string;
  readonly params: ParamValues;
  readonly fillModel: OrderFillModel;
  readonly initialCash: number;
  readonly markets: readonly MarketSummary[];
  /** The aligned timeline (union of every market's bar timestamps within the range), one row per step. */
  readonly ts: Float64Array;
  /** Per step, after the step's fills and decisions: */
  readonly equity: Float64Array;
  readonly cash: Float64Array;
  readonly inventoryValue: Float64Array;
  /** Cost of open lots (fees excluded), all markets. */
  readonly capitalInUse: Float64Array;
  readonly openOrders: Float64Array;
  readonly realised: Float64Array;
  readonly unrealised: Float64Array;
  readonly fees: Float64Array;
  readonly orders: readonly OrderRecord[];
  /** Every fill, in the order it happened. */
  readonly fills: readonly FillView[];
  /** Every lot, open and closed, by id. */
  readonly lots: readonly Lot[];
  readonly rejected: readonly RejectedOrder[];
  readonly rejectCounts: Readonly<Partial<Record<RejectReason, number>>>;
  /** Per symbol, the step series the strategy recorded (grid: anchorHigh, gridTop, hold). */
  readonly series: Readonly<Record<string, Readonly<Record<string, StepSeries>>>>;
  /** From each market's recorded 'hold' series (1 = HOLD). */
  readonly holdPeriods: readonly HoldPeriod[];
  readonly totals: OrderSimTotals;
}

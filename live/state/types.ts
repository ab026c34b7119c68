/** Row types of the state store (camelCase views of the tables in migrations.ts). Money in quote, sizes in base, times in epoch ms. */

export type BotMode = 'replay' | 'paper' | 'live';
export type BotStatus = 'created' | 'running' | 'paused' | 'stopped' | 'hold' | 'emergency-stopped';

export interface NewBot {
  /** Default: the name. */
  readonly id?: string;
  readonly name: string;
  /** `id@version`. */
  readonly strategy: string;
  readonly params?: Readonly<Record<string, unknown>>;
  readonly symbols: readonly string[];
  readonly exchange: string;
  readonly mode: BotMode;
  /** The bot's virtual wallet (quote). */
  readonly budget: number;
  /** RiskConfig (engine/risk), stored as JSON. */
  readonly risk?: Readonly<Record<string, unknown>>;
  readonly runUntil?: number | null;
}

export interface BotRow {
  readonly id: string;
  readonly name: string;
  readonly strategy: string;
  readonly params: Record<string, unknown>;
  readonly symbols: string[];
  readonly exchange: string;
  readonly mode: BotMode;
  readonly status: BotStatus;
  readonly budget: number;
  readonly risk: Record<string, unknown>;
  readonly runUntil: number | null;
  readonly orderSeq: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/**
 * pending: intent recorded, adapter not yet answered. open: the exchange accepted it. unknown: the write's outcome
 * is unknown (timeout): reconciliation looks it up by client id. filled / cancelled / rejected: final.
 */
export type StoredOrderStatus = 'pending' | 'open' | 'filled' | 'cancelled' | 'rejected' | 'unknown';

export interface OrderIntentInput {
  readonly botId: string;
  /** Unique client order id (derived from bot, strategy, sequence). */
  readonly clientId: string;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly type: 'limit' | 'market';
  /** Limit price; null/undefined for market orders. */
  readonly price?: number | null;
  readonly amount: number;
  readonly tag?: string;
  /** Sell: the lot it closes (null = FIFO). */
  readonly lotId?: number | null;
  readonly ts: number;
}

export interface StoredOrder {
  readonly id: number;
  readonly botId: string;
  readonly clientId: string;
  readonly exchangeId: string | null;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly type: 'limit' | 'market';
  readonly price: number | null;
  readonly amount: number;
  readonly filled: number;
  /** Volume-weighted fill price (null while unfilled). */
  readonly avgPrice: number | null;
  readonly fees: number;
  readonly tag: string;
  readonly lotId: number | null;
  readonly status: StoredOrderStatus;
  readonly reason: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface FillInput {
  readonly botId: string;
  /** Client id of the order (recorded before with `recordOrderIntent`, or imported by reconciliation). */
  readonly clientId: string;
  /** The exchange's trade id: a fill is applied once per (bot, symbol, trade id). */
  readonly tradeId: string;
  readonly ts: number;
  readonly price: number;
  readonly amount: number;
  /** Fee in quote currency. */
  readonly fee: number;
  readonly liquidity?: 'maker' | 'taker' | null;
}

export interface StoredFill {
  readonly id: number;
  readonly botId: string;
  readonly orderId: number;
  readonly tradeId: string;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly price: number;
  readonly amount: number;
  readonly fee: number;
  readonly liquidity: 'maker' | 'taker' | null;
  readonly unmatched: number;
  readonly ts: number;
}

export interface ApplyFillResult {
  /** False when this trade id was already applied (nothing changed). */
  readonly applied: boolean;
  readonly fillId: number;
  readonly order: StoredOrder;
  /** Buy: the lot opened. */
  readonly openedLot: number | null;
  /** Sell: the lots closed (wholly or partly), in order. */
  readonly closedLots: readonly number[];
  /** Sell size that no open lot covered (should be 0; alert when not). */
  readonly unmatched: number;
}

export interface StoredLot {
  readonly id: number;
  readonly botId: string;
  readonly symbol: string;
  readonly openFillId: number;
  readonly buyTag: string;
  readonly openTs: number;
  readonly entryPrice: number;
  readonly size: number;
  readonly remaining: number;
  readonly buyFee: number;
  readonly closedSize: number;
  readonly exitValue: number;
  readonly sellFees: number;
  /** Gross, fees excluded. */
  readonly realised: number;
  readonly closeTs: number | null;
  readonly status: 'open' | 'closed';
  readonly sellTag: string;
}

export interface StoredPosition {
  readonly botId: string;
  readonly symbol: string;
  readonly base: number;
  readonly openCost: number;
  readonly realised: number;
  readonly fees: number;
  readonly updatedAt: number;
}

export interface PnlSnapshot {
  readonly botId: string;
  readonly ts: number;
  /** budget + realised + unrealised − fees. */
  readonly equity: number;
  /** budget − openCost + realised − fees. */
  readonly cash: number;
  readonly realised: number;
  readonly unrealised: number;
  readonly fees: number;
  readonly capitalInUse: number;
  readonly openOrders: number;
}

export type AlertLevel = 'info' | 'warning' | 'critical';

export interface AlertInput {
  readonly botId?: string | null;
  readonly ts: number;
  readonly level: AlertLevel;
  readonly code: string;
  readonly message: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface StoredAlert extends Required<Omit<AlertInput, 'details' | 'botId'>> {
  readonly id: number;
  readonly botId: string | null;
  readonly details: Record<string, unknown> | null;
  readonly acknowledgedAt: number | null;
}

export interface AuditInput {
  readonly ts: number;
  readonly actor: string;
  readonly action: string;
  readonly entity: string;
  readonly entityId: string;
  readonly before?: unknown;
  readonly after?: unknown;
}

export interface StoredAudit {
  readonly id: number;
  readonly ts: number;
  readonly actor: string;
  readonly action: string;
  readonly entity: string;
  readonly entityId: string;
  readonly before: unknown;
  readonly after: unknown;
}

export interface RotationInput {
  readonly botId: string;
  readonly ts: number;
  readonly from: string;
  readonly to: string | null;
  readonly action: 'rotate' | 'pause' | 'resume';
  readonly reason: string;
  readonly consecutiveLosses: number;
  readonly rotation: number;
}

export interface StoredRotation extends RotationInput {
  readonly id: number;
}

export interface RiskDenialInput {
  readonly botId: string;
  readonly ts: number;
  readonly rule: string;
  readonly effect: string;
  readonly reason: string;
  readonly intent: Readonly<Record<string, unknown>>;
}

export interface StoredRiskDenial extends RiskDenialInput {
  readonly id: number;
}

export interface ConfigOverride {
  /** '' = global. */
  readonly botId: string;
  readonly key: string;
  readonly value: unknown;
  readonly setBy: string;
  readonly setAt: number;
}

/**
 * Bot records in the state store: create (validated against the strategy's schema and the risk rules), list,
 * status changes through the lifecycle, runner settings, promotion to live. The runner (live/runtime) and the CLI
 * call these; nothing here touches an exchange.
 */
import { TradelabError, usageError } from '../../engine/errors.ts';
import { validateRiskConfig, type RiskConfig } from '../../engine/risk/index.ts';
import { timeframeMs } from '../../engine/timeframe.ts';
import { insertAudit } from '../state/journal.ts';
import type { StateStore } from '../state/store.ts';
import type { BotMode, BotRow, BotStatus } from '../state/types.ts';
import { assertTransition } from './lifecycle.ts';
import { resolveBotStrategy } from './strategies.ts';
import type { AnyStrategy } from '../../engine/strategy.ts';

/** How the runner feeds and fills a bot (kept in bot_state under the bot-wide key 'runner'). */
export interface RunnerSettings {
  readonly timeframe: string;
  /** Fee rate of simulated fills (replay/paper), fraction of notional. */
  readonly feeRate: number;
  /** Adverse slippage of simulated market fills (replay/paper), bps. */
  readonly slippageBps: number;
  /** Signal strategies: share of cash per entry, (0, 1]. */
  readonly fraction: number;
  /** Running time as given (ms; null = until stopped); `runUntil` is set from it when the bot first starts. */
  readonly runningMs: number | null;
  /** Replay: candles from a file (CSV/Parquet/...) or the cache (exchange/symbol/timeframe). */
  readonly data?: {
    readonly file?: string;
    /** A bot of several symbols: one candle file per symbol, in the order of its symbols. */
    readonly files?: readonly string[];
    readonly from?: number;
    readonly to?: number;
  };
  /** Replay speed: 'max' or a multiple of real time (e.g. 60 = one minute of candles per second). */
  readonly speed?: 'max' | number;
  /** Order strategies: intrabar path and fill-on rule of simulated limit fills. */
  readonly intrabarPath?: 'nearest-extreme-first' | 'high-first' | 'low-first';
  readonly fillOn?: 'through' | 'touch';
  /** Simulated fills (replay/paper): at most this share of a bar's volume fills per bar, (0, 1]; omitted = no cap. */
  readonly maxVolumeShare?: number;
}

export const DEFAULT_RUNNER_SETTINGS: RunnerSettings = Object.freeze({ timeframe: '1h', feeRate: 0.001, slippageBps: 0, fraction: 1, runningMs: null });

export interface CreateBotInput {
  readonly name: string;
  readonly strategy: string;
  readonly params?: Readonly<Record<string, unknown>>;
  readonly symbols: readonly string[];
  readonly exchange: string;
  readonly mode: BotMode;
  readonly budget: number;
  readonly risk?: RiskConfig;
  readonly settings?: Partial<RunnerSettings>;
}

/** Read once at the entry point (env LIVE_TRADING_ENABLED === 'true') and passed down. */
export interface LiveGate {
  readonly liveTradingEnabled: boolean;
}

const ACTOR = 'cli';

function checkLive(mode: BotMode, gate: LiveGate, what: string): void {
  if (mode === 'live' && !gate.liveTradingEnabled) {
    throw new TradelabError('LIVE_TRADING_DISABLED', 'config', `${what}: a live bot needs LIVE_TRADING_ENABLED=true in the environment of the tradelab process (it is off by default)`);
  }
}

export function validateSettings(s: Partial<RunnerSettings>): RunnerSettings {
  const out = { ...DEFAULT_RUNNER_SETTINGS, ...s };
  timeframeMs(out.timeframe);
  if (!(out.feeRate >= 0 && out.feeRate < 1)) throw usageError('BAD_FEE_RATE', `fee rate ${out.feeRate} must be a fraction in [0, 1), e.g. 0.001`);
  if (!(out.slippageBps >= 0 && out.slippageBps < 10_000)) throw usageError('BAD_SLIPPAGE', `slippage ${out.slippageBps} must be basis points in [0, 10000)`);
  if (!(out.fraction > 0 && out.fraction <= 1)) throw usageError('BAD_FRACTION', `fraction ${out.fraction} must be in (0, 1]`);
  if (out.maxVolumeShare !== undefined && !(out.maxVolumeShare > 0 && out.maxVolumeShare <= 1)) {
    throw usageError('BAD_VOLUME_SHARE', `max volume share ${out.maxVolumeShare} must be in (0, 1], e.g. 0.1 (a tenth of each bar's volume)`);
  }
  if (out.speed !== undefined && out.speed !== 'max' && !(typeof out.speed === 'number' && out.speed > 0)) {
    throw usageError('BAD_SPEED', `replay speed ${String(out.speed)} must be 'max' or a positive multiple of real time`);
  }
  return Object.freeze(out);
}

export class BotService {
  /** `strategies`: strategies beyond the built-in ones (e.g. loaded from a file by the CLI, or defined in a test). */
  constructor(readonly store: StateStore, readonly gate: LiveGate, readonly now: () => number = Date.now, readonly strategies: readonly AnyStrategy[] = []) {}

  /** The bot's strategy (its recorded id@version). */
  strategyOf(bot: BotRow): AnyStrategy {
    return resolveBotStrategy(bot.strategy, this.strategies);
  }

  /** `actor`: who creates it (the audit row's actor; the CLI by default, the API user through the server). */
  create(input: CreateBotInput, actor = ACTOR): BotRow {
    checkLive(input.mode, this.gate, `bot '${input.name}'`);
    const strategy = resolveBotStrategy(input.strategy, this.strategies);
    const params = strategy.resolveParams(input.params ?? {});
    const risk = input.risk ?? {};
    validateRiskConfig(risk);
    this.validateRotationCandidates(risk);
    const settings = validateSettings(input.settings ?? {});
    const ts = this.now();
    const bot = this.store.db.transaction(() => {
      const b = this.store.bots.create({
        name: input.name, strategy: strategy.ref, params, symbols: input.symbols, exchange: input.exchange, mode: input.mode,
        budget: input.budget, risk: risk as Record<string, unknown>, runUntil: null,
      }, actor, ts);
      this.store.bots.setState(b.id, '', 'runner', settings, ts);
      return b;
    }).immediate();
    return bot;
  }

  /**
   * The strategies a `rotation` setting names must resolve here, with their params (usage errors UNKNOWN_STRATEGY,
   * STRATEGY_VERSION_MISMATCH or the strategy's param errors, prefixed with the candidate).
   */
  validateRotationCandidates(risk: RiskConfig): void {
    (risk.rotation?.candidates ?? []).forEach((c, j) => {
      try {
        resolveBotStrategy(c.strategy, this.strategies).resolveParams(c.params ?? {});
      } catch (e) {
        if (e instanceof TradelabError) throw new TradelabError(e.code, e.family, `risk.rotation.candidates[${j}] (${c.strategy}): ${e.message}`);
        throw e;
      }
    });
  }

  get(id: string): BotRow { return this.store.bots.require(id); }
  list(status?: BotStatus): BotRow[] { return this.store.bots.list(status ? { status } : {}); }

  settings(id: string): RunnerSettings {
    return validateSettings(this.store.bots.getState<Partial<RunnerSettings>>(id, '', 'runner') ?? {});
  }

  /** Moves the bot to `to` through the lifecycle (audited); returns the updated row. */
  transition(id: string, to: BotStatus, actor = ACTOR, reason?: string): BotRow {
    const bot = this.get(id);
    assertTransition(id, bot.status, to);
    if (to === 'running') checkLive(bot.mode, this.gate, `bot '${id}'`);
    const ts = this.now();
    const row = this.store.bots.setStatus(id, to, actor, ts);
    if (reason) this.store.journal.audit({ ts, actor, action: `bot.${to}`, entity: 'bot', entityId: id, before: null, after: { reason } });
    return row;
  }

  /** Sets the absolute end of the bot's running time (at first start). */
  setRunUntil(id: string, runUntil: number | null): void {
    this.store.db.prepare('UPDATE bots SET run_until = ?, updated_at = ? WHERE id = ?').run(runUntil, this.now(), id);
  }

  /**
   * Promotion: a replay/paper bot becomes live. `inPlace` changes its mode and keeps its history (orders, fills,
   * lots, state); otherwise a new live bot `newName` is created with the same strategy, params, symbols, budget,
   * risk and settings, and its strategy state is copied. Refused unless LIVE_TRADING_ENABLED is true.
   */
  promote(id: string, opts: { inPlace: true } | { inPlace: false; newName: string; exchange?: string }, actor = ACTOR): BotRow {
    const bot = this.get(id);
    checkLive('live', this.gate, `promote '${id}'`);
    if (bot.mode === 'live') throw usageError('BOT_ALREADY_LIVE', `bot '${id}' is already live`);
    if (bot.status === 'running' || bot.status === 'hold') {
      throw usageError('BOT_RUNNING', `bot '${id}' is ${bot.status}; stop or pause it before promoting`);
    }
    const ts = this.now();
    if (opts.inPlace) {
      return this.store.db.transaction(() => {
        this.store.db.prepare(`UPDATE bots SET mode = 'live', status = 'stopped', updated_at = ? WHERE id = ?`).run(ts, id);
        insertAudit(this.store.db, { ts, actor, action: 'bot.promote', entity: 'bot', entityId: id, before: { mode: bot.mode, status: bot.status }, after: { mode: 'live', status: 'stopped' } });
        return this.get(id);
      }).immediate();
    }
    return this.store.db.transaction(() => {
      const copy = this.store.bots.create({
        name: opts.newName, strategy: bot.strategy, params: bot.params, symbols: bot.symbols, exchange: opts.exchange ?? bot.exchange,
        mode: 'live', budget: bot.budget, risk: bot.risk, runUntil: null,
      }, actor, ts);
      const state = this.store.bots.allState(id);
      for (const [sym, kv] of Object.entries(state)) for (const [k, v] of Object.entries(kv)) this.store.bots.setState(copy.id, sym, k, v, ts);
      insertAudit(this.store.db, { ts, actor, action: 'bot.promote-copy', entity: 'bot', entityId: copy.id, before: { from: id, mode: bot.mode }, after: { mode: 'live' } });
      return copy;
    }).immediate();
  }
}

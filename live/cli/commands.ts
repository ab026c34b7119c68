/**
 * The live commands of `tradelab`: bot create|list|show|start|pause|stop|kill|promote, kill-all, replay, paper,
 * parity. Registered by the bin entry (research/bin/tradelab.js) through `main(argv, ctx, liveCommands)`.
 * Exit codes: 0 success, 1 runtime failure (parity differences, a bot failed), 2 bad usage or configuration.
 */
import type { Argv } from 'yargs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TradelabError, usageError } from '../../engine/errors.ts';
import { DEFAULT_FILL_CONFIG } from '../../engine/sim/fill-config.ts';
import type { AnyStrategy } from '../../engine/strategy.ts';
import type { RiskConfig } from '../../engine/risk/index.ts';
import { loadCandles } from '../../data/load-candles.ts';
import { parseTimestamp } from '../../data/import/timestamps.ts';
import { acquireWriterLock } from '../state/lock.ts';
import { openStateStore, type StateStore } from '../state/store.ts';
import type { BotMode, BotRow, BotStatus, StoredRotation } from '../state/types.ts';
import { BotService, parseRunningTime, formatRunningTime, resolveBotStrategy, type RunnerSettings } from '../bots/index.ts';
import { BotHost, type BotTaskResult, type VenueFactory } from '../runtime/host.ts';
import { runParity, type ParityReport } from '../runtime/parity.ts';
import { resultsDirOf, writeParityResult } from './parity-result.ts';
import { liveEnv, table, type LiveCliCommand, type LiveCliContext } from './context.ts';

type Args = Record<string, unknown> & { _: (string | number)[] };

function paramPairs(list: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of (Array.isArray(list) ? list : list === undefined ? [] : [list]) as string[]) {
    const i = String(p).indexOf('=');
    if (i <= 0) throw usageError('BAD_PARAM', `--param '${p}' must be name=value`);
    const k = String(p).slice(0, i), v = String(p).slice(i + 1);
    out[k] = v === 'true' ? true : v === 'false' ? false : v !== '' && Number.isFinite(Number(v)) ? Number(v) : v;
  }
  return out;
}

function parseDateArg(v: unknown, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const t = parseTimestamp(String(v));
  if (!Number.isFinite(t)) throw usageError('BAD_DATE', `${flag} '${String(v)}' is not a date; use an ISO date like 2024-01-31 or 2024-01-31T12:00:00Z`);
  return t;
}

/** A strategy file (.ts default-exporting defineStrategy) or a built-in id. */
async function loadStrategyArg(ref: string, cwd: string): Promise<{ strategy: AnyStrategy; extra: AnyStrategy[] }> {
  if (/\.(ts|js|mjs)$/.test(ref)) {
    const file = isAbsolute(ref) ? ref : resolve(cwd, ref);
    const mod = (await import(pathToFileURL(file).href)) as { default?: AnyStrategy };
    if (!mod.default || typeof mod.default.decide !== 'function') throw usageError('BAD_STRATEGY_FILE', `${file} must default-export defineStrategy(...)`);
    return { strategy: mod.default, extra: [mod.default] };
  }
  return { strategy: resolveBotStrategy(ref), extra: [] };
}

function parseRisk(v: unknown): RiskConfig | undefined {
  if (v === undefined) return undefined;
  try {
    return JSON.parse(String(v)) as RiskConfig;
  } catch {
    throw usageError('BAD_RISK', `--risk must be a JSON object of risk settings (docs/risk.md), e.g. '{"stopLoss":{"pct":5}}'`);
  }
}

interface Opened { store: StateStore; service: BotService; host: BotHost; close: () => void }

/**
 * Paper and live venues (runtime/venues.ts), loaded when a paper or live bot first needs one: they bring ccxt, whose
 * load takes seconds that replay bots and read-only commands should not pay. Live trading: LIVE_TRADING_ENABLED and
 * the exchange keys as the entry point read them (ctx.env).
 */
function lazyVenue(mode: 'paper' | 'live', liveTradingEnabled: boolean, env: LiveCliContext['env']): VenueFactory {
  return async (bot, settings, host) => {
    const { liveVenues } = await import('../runtime/venues.ts');
    return liveVenues({ liveTradingEnabled, env })[mode](bot, settings, host);
  };
}

async function open(ctx: LiveCliContext, extra: AnyStrategy[] = [], opts: { lockBot?: string } = {}): Promise<Opened> {
  const env = liveEnv(ctx);
  const lock = opts.lockBot ? acquireWriterLock(env.home, { name: `bot-${opts.lockBot}` }) : undefined;
  const store = openStateStore(env.home);
  const service = new BotService(store, { liveTradingEnabled: env.liveTradingEnabled }, Date.now, extra);
  const host = new BotHost(store, service, {
    home: env.home, cacheDir: env.cacheDir, cwd: ctx.cwd, sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    venues: { paper: lazyVenue('paper', env.liveTradingEnabled, ctx.env), live: lazyVenue('live', env.liveTradingEnabled, ctx.env) },
  });
  return { store, service, host, close: () => { store.close(); lock?.release(); } };
}

function botCells(b: BotRow): string[] {
  return [b.id, b.mode, b.status, b.strategy, b.symbols.join(','), b.exchange, String(b.budget), b.runUntil === null ? '-' : new Date(b.runUntil).toISOString()];
}
const BOT_HEADER = ['id', 'mode', 'status', 'strategy', 'symbols', 'exchange', 'budget', 'run until'];

function createOptions(y: Argv): Argv {
  return y
    .option('strategy', { type: 'string', describe: 'strategy id (tradelab strategies) or a .ts file default-exporting defineStrategy(...)' })
    .option('param', { type: 'string', array: true, describe: 'strategy parameter name=value (repeatable)' })
    .option('symbol', { type: 'string', alias: 'symbols', describe: 'market symbol, e.g. BTC/USDT; several comma-separated (BTC/USDT,ETH/USDT): one strategy instance per symbol, one shared budget and risk caps' })
    .option('exchange', { type: 'string', default: 'binance', describe: 'exchange id (ccxt); replay: label of cached candles' })
    .option('budget', { type: 'number', default: 10_000, describe: 'the bot\'s virtual wallet, in quote currency' })
    .option('running-time', { type: 'string', default: 'until-stopped', describe: 'how long the bot runs: 30m, 12h, 3d, 2w, 1mo or until-stopped' })
    .option('risk', { type: 'string', describe: 'risk settings as JSON (docs/risk.md), e.g. \'{"drawdown":{"pct":20}}\'' })
    .option('timeframe', { type: 'string', default: '1h', describe: 'candle timeframe' })
    .option('fee-rate', { type: 'number', default: DEFAULT_FILL_CONFIG.feeRate, describe: 'simulated fee (replay/paper), fraction of notional' })
    .option('slippage-bps', { type: 'number', default: DEFAULT_FILL_CONFIG.slippageBps, describe: 'simulated adverse slippage of market fills (replay/paper), bps' })
    .option('fraction', { type: 'number', default: DEFAULT_FILL_CONFIG.fraction, describe: 'signal strategies: share of cash per entry, (0, 1]' })
    .option('max-volume-share', { type: 'number', describe: 'simulated fills (replay/paper): at most this share of a bar\'s volume fills per bar, (0, 1]; orders may rest partly filled' })
    .option('data', { type: 'string', describe: 'replay: candle file, or one per symbol comma-separated (default: the cache of --exchange/--symbol/--timeframe)' })
    .option('from', { type: 'string', describe: 'replay: first candle (UTC date or ISO time)' })
    .option('to', { type: 'string', describe: 'replay: last candle (inclusive)' })
    .option('speed', { type: 'string', default: 'max', describe: "replay speed: 'max' or a multiple of real time (60 = a minute of candles per second)" })
    .option('json', { type: 'boolean', default: false, describe: 'print JSON for machines' });
}

/** `--data a.json` (one symbol) or `--data a.json,b.json` (one file per symbol, in the order of --symbol). */
function dataFiles(v: unknown, cwd: string): { file?: string; files?: string[] } {
  if (v === undefined) return {};
  const files = String(v).split(',').map((f) => f.trim()).filter(Boolean).map((f) => resolve(cwd, f));
  return files.length === 1 ? { file: files[0] } : { files };
}

async function createFrom(a: Args, ctx: LiveCliContext, mode: BotMode, name: string): Promise<{ o: Opened; bot: BotRow }> {
  if (!a.strategy) throw usageError('MISSING_STRATEGY', 'name a strategy: --strategy sma-cross');
  if (!a.symbol) throw usageError('MISSING_SYMBOL', 'name a market: --symbol BTC/USDT');
  const { strategy, extra } = await loadStrategyArg(String(a.strategy), ctx.cwd);
  const speedRaw = String(a.speed ?? 'max');
  const speed = speedRaw === 'max' ? 'max' as const : Number(speedRaw);
  const settings: Partial<RunnerSettings> = {
    timeframe: String(a.timeframe), feeRate: Number(a['fee-rate']), slippageBps: Number(a['slippage-bps']), fraction: Number(a.fraction),
    runningMs: parseRunningTime(String(a['running-time'])), speed,
    ...(a['max-volume-share'] === undefined ? {} : { maxVolumeShare: Number(a['max-volume-share']) }),
    data: { ...dataFiles(a.data, ctx.cwd), from: parseDateArg(a.from, '--from'), to: parseDateArg(a.to, '--to') },
  };
  const o = await open(ctx, extra);
  try {
    const bot = o.service.create({
      name, strategy: strategy.ref, params: paramPairs(a.param), symbols: String(a.symbol).split(',').map((s) => s.trim()).filter(Boolean),
      exchange: String(a.exchange), mode, budget: Number(a.budget), risk: parseRisk(a.risk), settings,
    });
    return { o, bot };
  } catch (e) {
    o.close();
    throw e;
  }
}

function printResults(ctx: LiveCliContext, json: boolean, results: readonly BotTaskResult[], store: StateStore): number {
  const rows = results.map((r) => {
    const fills = store.orders.fillsFor(r.botId).length;
    const orders = store.orders.ordersFor(r.botId).length;
    return { ...r, orders, fills, status: store.bots.get(r.botId)?.status };
  });
  if (json) ctx.stdout(JSON.stringify(rows, null, 2) + '\n');
  else ctx.stdout(table(['bot', 'status', 'end', 'bars', 'orders', 'fills', 'error'], rows.map((r) => [r.botId, String(r.status), r.outcome?.end ?? 'failed', String(r.outcome?.steps ?? '-'), String(r.orders), String(r.fills), r.error ?? ''])));
  return results.some((r) => r.error) ? 1 : 0;
}

/** Runs bots in the foreground until they end or SIGINT/SIGTERM (graceful: state saved). */
async function foreground(o: Opened, ids: readonly string[] | 'resume'): Promise<BotTaskResult[]> {
  const stop = () => o.host.shutdown();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    return ids === 'resume' ? await o.host.resumeAll() : await o.host.runMany(ids);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

function showBot(o: Opened, id: string): Record<string, unknown> {
  const bot = o.service.get(id);
  const settings = o.service.settings(id);
  return {
    bot, settings: { ...settings, runningTime: formatRunningTime(settings.runningMs) },
    positions: o.store.orders.positionsFor(id),
    openOrders: o.store.orders.unsettledOrders(id),
    orders: o.store.orders.ordersFor(id).length,
    fills: o.store.orders.fillsFor(id).length,
    lots: { open: o.store.orders.openLotsFor(id).length, total: o.store.orders.lotsFor(id).length },
    wallet: o.store.orders.walletState(id, bot.budget),
    state: o.store.bots.allState(id),
    alerts: o.store.journal.listAlerts({ botId: id }),
    rotations: o.store.journal.listRotations(id),
  };
}

const botCommand: LiveCliCommand = {
  register: (y, ctx, setExit) => y.command('bot <action> [id]', 'create, list, show, start, pause, stop, kill or promote bots (state in TRADELAB_HOME)', (b: Argv) =>
    createOptions(b)
      .positional('action', { choices: ['create', 'list', 'show', 'start', 'pause', 'stop', 'kill', 'promote'] as const, describe: 'what to do' })
      .positional('id', { type: 'string', describe: 'bot name / id (create: the new bot\'s name; start without an id resumes every running bot)' })
      .option('mode', { choices: ['replay', 'paper', 'live'] as const, default: 'replay' as const, describe: 'create: replay, paper or live (live needs LIVE_TRADING_ENABLED=true)' })
      .option('status', { type: 'string', describe: 'list: only bots in this status' })
      .option('cancel-orders', { type: 'boolean', describe: 'stop: cancel the bot\'s resting orders' })
      .option('keep-orders', { type: 'boolean', describe: 'stop: leave the bot\'s resting orders on the exchange' })
      .option('resume', { type: 'boolean', default: false, describe: 'start: resume an emergency-stopped bot (manual resume only)' })
      .option('in-place', { type: 'boolean', default: false, describe: 'promote: make this bot live, keeping its history' })
      .option('as', { type: 'string', describe: 'promote: copy to a new live bot with this name' }),
  async (raw) => {
    const a = raw as unknown as Args;
    const action = String(a.action);
    const id = a.id === undefined ? undefined : String(a.id);
    const json = Boolean(a.json);
    const need = (): string => { if (!id) throw usageError('MISSING_BOT', `bot ${action} needs a bot id: tradelab bot ${action} <id>`); return id; };
    if (action === 'create') {
      const { o, bot } = await createFrom(a, ctx, a.mode as BotMode, need());
      try {
        ctx.stdout(json ? JSON.stringify(bot, null, 2) + '\n' : `created bot ${bot.id} (${bot.mode}, ${bot.strategy}, ${bot.symbols.join(',')})\n`);
      } finally { o.close(); }
      return;
    }
    if (action === 'start') {
      const o = await open(ctx, a.strategy ? (await loadStrategyArg(String(a.strategy), ctx.cwd)).extra : [], { lockBot: id ?? 'all' });
      try {
        // a bot another process runs already is refused before anything starts (exit 2; bot_tasks)
        if (id) { o.service.get(id); o.store.commands.claimTask(id); o.store.commands.releaseTask(id); }
        if (id && a.resume) {
          const b = o.service.get(id);
          if (b.status === 'emergency-stopped') o.service.transition(id, 'running', 'cli', 'manual resume');
        }
        setExit(printResults(ctx, json, await foreground(o, id ? [id] : 'resume'), o.store));
      } finally { o.close(); }
      return;
    }
    const o = await open(ctx);
    try {
      switch (action) {
        case 'list': {
          const bots = o.service.list(a.status ? (String(a.status) as BotStatus) : undefined);
          ctx.stdout(json ? JSON.stringify(bots, null, 2) + '\n' : bots.length ? table(BOT_HEADER, bots.map(botCells)) : 'no bots yet (tradelab bot create <name> --strategy ... --symbol ...)\n');
          break;
        }
        case 'show': {
          const s = showBot(o, need());
          if (json) ctx.stdout(JSON.stringify(s, null, 2) + '\n');
          else {
            const b = s.bot as BotRow;
            ctx.stdout(table(BOT_HEADER, [botCells(b)]));
            ctx.stdout(`params ${JSON.stringify(b.params)}  risk ${JSON.stringify(b.risk)}\n`);
            ctx.stdout(`orders ${String(s.orders)}  fills ${String(s.fills)}  open orders ${(s.openOrders as unknown[]).length}\n`);
            const pos = s.positions as { symbol: string; base: number; openCost: number; realised: number; fees: number }[];
            if (pos.length) ctx.stdout(table(['symbol', 'base', 'open cost', 'realised', 'fees'], pos.map((p) => [p.symbol, String(p.base), p.openCost.toFixed(2), p.realised.toFixed(2), p.fees.toFixed(2)])));
            const rot = s.rotations as StoredRotation[];
            if (rot.length) ctx.stdout(table(['time', 'rotation', 'action', 'from', 'to', 'reason'], rot.map((r) => [new Date(r.ts).toISOString(), String(r.rotation), r.action, r.from, r.to ?? '-', r.reason])));
          }
          break;
        }
        case 'pause': {
          const b = o.service.transition(need(), 'paused');
          ctx.stdout(json ? JSON.stringify(b, null, 2) + '\n' : `bot ${b.id} paused (no new orders; resting orders stay)\n`);
          break;
        }
        case 'stop': {
          if (a['cancel-orders'] && a['keep-orders']) throw usageError('STOP_CHOICE_CONFLICT', 'say either --cancel-orders or --keep-orders, not both');
          const choice = a['cancel-orders'] ? 'cancel' : a['keep-orders'] ? 'keep' : undefined;
          const r = await o.host.stop(need(), choice, 'cli');
          ctx.stdout(json ? JSON.stringify({ id, status: 'stopped', ...r }, null, 2) + '\n' : `bot ${id} stopped${r.cancelled.length ? `; ${r.cancelled.length} orders cancelled` : ''}\n`);
          break;
        }
        case 'kill': {
          const r = await o.host.kill(need(), 'kill switch', 'cli');
          ctx.stdout(json ? JSON.stringify(r, null, 2) + '\n' : `bot ${id} emergency-stopped: ${r.cancelled.length} orders cancelled, ${r.failed.length} failed (positions kept)\n`);
          if (r.failed.length) setExit(1);
          break;
        }
        case 'promote': {
          const b = a['in-place'] ? o.service.promote(need(), { inPlace: true }) : a.as ? o.service.promote(need(), { inPlace: false, newName: String(a.as) }) : undefined;
          if (!b) throw usageError('PROMOTE_HOW', 'say --in-place (this bot becomes live, keeping its history) or --as <name> (copy to a new live bot)');
          ctx.stdout(json ? JSON.stringify(b, null, 2) + '\n' : `bot ${b.id} is live (status ${b.status}); start it with tradelab bot start ${b.id}\n`);
          break;
        }
      }
    } finally { o.close(); }
  }),
};

const killAllCommand: LiveCliCommand = {
  register: (y, ctx, setExit) => y.command('kill-all', 'global kill switch: cancel every resting order of every bot (never liquidates)', (b: Argv) =>
    b.option('json', { type: 'boolean', default: false }),
  async (raw) => {
    const o = await open(ctx);
    try {
      const r = await o.host.killAll('global kill switch', 'cli');
      if ((raw as Args).json) ctx.stdout(JSON.stringify(r, null, 2) + '\n');
      else ctx.stdout(r.length ? table(['bot', 'cancelled', 'failed'], r.map((x) => [x.botId, String(x.cancelled.length), String(x.failed.length)])) : 'no active bots and no resting orders\n');
      if (r.some((x) => x.failed.length)) setExit(1);
    } finally { o.close(); }
  }),
};

function runNowCommand(mode: 'replay' | 'paper'): LiveCliCommand {
  const what = mode === 'replay' ? 'create a replay bot and run it on cached or file candles (as fast as possible by default)' : 'create a paper bot and start it (real market data, simulated fills)';
  return {
    register: (y, ctx, setExit) => y.command(mode, what, (b: Argv) => createOptions(b).option('name', { type: 'string', describe: 'bot name (default: <mode>-<strategy>-<time>)' }),
      async (raw) => {
        const a = raw as unknown as Args;
        const probe = await open(ctx);
        const ok = probe.host.hasVenue(mode);
        probe.close();
        if (!ok) throw new TradelabError('VENUE_UNAVAILABLE', 'config', `no ${mode} venue wired in to this tradelab: ${mode} bots need the exchange adapters of live/exchange (replay bots run here: tradelab replay ...)`);
        if (mode === 'paper') {
          // A paper bot reads the exchange's market data: an unknown exchange id fails before the bot is created.
          const { assertExchangeId } = await import('../exchange/ccxt-adapter.ts');
          assertExchangeId(String(a.exchange));
        }
        const name = a.name ? String(a.name) : `${mode}-${String(a.strategy ?? 'bot').replace(/[^A-Za-z0-9]+/g, '-')}-${Date.now().toString(36)}`;
        const { o, bot } = await createFrom(a, ctx, mode, name);
        o.close();
        const run = await open(ctx, a.strategy ? (await loadStrategyArg(String(a.strategy), ctx.cwd)).extra : [], { lockBot: bot.id });
        try {
          setExit(printResults(ctx, Boolean(a.json), await foreground(run, [bot.id]), run.store));
        } finally { run.close(); }
      }),
  };
}

function printParity(ctx: LiveCliContext, r: ParityReport): void {
  ctx.stdout(`parity ${r.strategy}: ${r.bars} bars; backtest ${r.backtest.fills.length} fills, replay ${r.replay.fills.length} fills\n`);
  if (r.identical) { ctx.stdout('identical: every order and fill matches (time, side, price, size, fee)\n'); return; }
  ctx.stdout(table(['kind', '#', 'bar', 'time', 'field', 'backtest', 'replay'], r.differences.map((d) =>
    [d.kind, String(d.index), String(d.bar), new Date(d.ts).toISOString(), d.field, String(d.backtest), String(d.replay)])));
}

const parityCommand: LiveCliCommand = {
  register: (y, ctx, setExit) => y.command('parity', 'run the backtest and a replay bot through the live runner on the same candles; exit 0 when identical, 1 otherwise', (b: Argv) =>
    b.option('strategy', { type: 'string', describe: 'strategy id or .ts file' })
      .option('param', { type: 'string', array: true, describe: 'strategy parameter name=value (repeatable)' })
      .option('data', { type: 'string', describe: 'candle file' })
      .option('exchange', { type: 'string', describe: 'cached candles: exchange id (or label of --data)' })
      .option('symbol', { type: 'string', describe: 'cached candles: symbol (or label of --data)' })
      .option('timeframe', { type: 'string', describe: 'candle timeframe' })
      .option('from', { type: 'string', describe: 'first measured candle' })
      .option('to', { type: 'string', describe: 'last measured candle (inclusive)' })
      .option('cash', { type: 'number', default: DEFAULT_FILL_CONFIG.initialCash })
      .option('fee-rate', { type: 'number', default: DEFAULT_FILL_CONFIG.feeRate })
      .option('slippage-bps', { type: 'number', default: DEFAULT_FILL_CONFIG.slippageBps })
      .option('fraction', { type: 'number', default: DEFAULT_FILL_CONFIG.fraction })
      .option('tolerance', { type: 'number', default: 1e-9, describe: 'relative tolerance of price, size and fee comparisons' })
      .option('save', { type: 'boolean', default: true, describe: 'write results/<id>/parity.json (the promotion evidence); --no-save skips it' })
      .option('json', { type: 'boolean', default: false }),
  async (raw) => {
    const a = raw as unknown as Args;
    if (!a.strategy) throw usageError('MISSING_STRATEGY', 'name a strategy: --strategy sma-cross');
    const { strategy } = await loadStrategyArg(String(a.strategy), ctx.cwd);
    const params = strategy.resolveParams(paramPairs(a.param));
    const warmupBars = Math.max(0, Math.ceil(strategy.warmup(params)));
    const env = liveEnv(ctx);
    const source = a.data
      ? { file: resolve(ctx.cwd, String(a.data)), exchange: a.exchange as string | undefined, symbol: a.symbol as string | undefined, timeframe: a.timeframe as string | undefined }
      : a.exchange && a.symbol && a.timeframe
        ? { cacheDir: env.cacheDir, exchange: String(a.exchange), symbol: String(a.symbol), timeframe: String(a.timeframe) }
        : undefined;
    if (!source) throw usageError('MISSING_DATA', 'give candles: --data <file>, or --exchange, --symbol and --timeframe of cached candles');
    const loaded = await loadCandles(source, { from: parseDateArg(a.from, '--from'), to: parseDateArg(a.to, '--to'), warmupBars }, 'report');
    if (loaded.startIndex >= loaded.frame.length - 1) {
      throw usageError('NOT_ENOUGH_DATA', `only ${loaded.frame.length} candles loaded (${warmupBars} needed for warm-up) in the range given; widen --from/--to or check the data's range`);
    }
    const fill = { ...DEFAULT_FILL_CONFIG, initialCash: Number(a.cash), feeRate: Number(a['fee-rate']), slippageBps: Number(a['slippage-bps']), fraction: Number(a.fraction) };
    const r = await runParity({ strategy, params, frame: loaded.frame, startIndex: loaded.startIndex, tolerance: Number(a.tolerance), fill });
    const saved = a.save === false ? null : writeParityResult(resultsDirOf(ctx.env, ctx.cwd), { strategy, params, loaded, fill, report: r, now: Date.now() });
    if (a.json) ctx.stdout(JSON.stringify({ checkId: saved?.checkId ?? null, strategy: r.strategy, bars: r.bars, identical: r.identical, tolerance: r.tolerance, backtestFills: r.backtest.fills.length, replayFills: r.replay.fills.length, differences: r.differences }, null, 2) + '\n');
    else {
      printParity(ctx, r);
      if (saved) ctx.stdout(`\nResult: ${saved.dir}/parity.json\n`);
    }
    setExit(r.identical ? 0 : 1);
  }),
};

/** Every live command, for `main(argv, ctx, liveCommands)`. */
export const liveCommands: readonly LiveCliCommand[] = [botCommand, killAllCommand, runNowCommand('replay'), runNowCommand('paper'), parityCommand];

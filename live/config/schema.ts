/**
 * The one schema of tradelab's server configuration (TypeBox = JSON Schema). Every layer (YAML files under config/,
 * environment variables, overrides saved through the API) is merged into one document and validated against it at
 * start; every problem is listed at once. Secrets are NOT part of it: they come only from the environment or the
 * secrets directory (see secrets.ts) and appear in the settings view masked.
 */
import { Type, type Static } from '@sinclair/typebox';

const Port = Type.Integer({ minimum: 0, maximum: 65535 });

export const ExchangeConfigSchema = Type.Object({
  enabled: Type.Boolean({ default: true }),
  /** The exchange's test network, where ccxt has one. */
  sandbox: Type.Boolean({ default: false }),
  /** The market universe shown on the markets page (ccxt symbols, e.g. BTC/USDT). */
  markets: Type.Array(Type.String({ pattern: '^[A-Za-z0-9]+/[A-Za-z0-9]+(:[A-Za-z0-9]+)?$' }), { default: [] }),
}, { additionalProperties: false });

export const ConfigSchema = Type.Object({
  server: Type.Object({
    host: Type.String({ minLength: 1, default: '127.0.0.1' }),
    port: Port,
    /** Lifetime of a login session. */
    sessionTtlHours: Type.Number({ exclusiveMinimum: 0, maximum: 24 * 90, default: 12 }),
    /** Login attempts allowed per user and IP address in any 60 seconds. */
    loginAttemptsPerMinute: Type.Integer({ minimum: 1, maximum: 1000, default: 5 }),
    /** Largest request body accepted (bytes). */
    bodyLimitBytes: Type.Integer({ minimum: 1024, maximum: 64 * 1024 * 1024, default: 1024 * 1024 }),
    /** Background research jobs (backtest, sweep, walk-forward) run at once; the rest wait in a queue. Default 1. */
    maxJobs: Type.Optional(Type.Integer({ minimum: 1, maximum: 16, default: 1 })),
  }, { additionalProperties: false }),
  /** LIVE_TRADING_ENABLED: unless true, no order is ever sent to a real exchange. */
  liveTradingEnabled: Type.Boolean({ default: false }),
  paths: Type.Object({
    /** TRADELAB_HOME: database, logs, locks. */
    home: Type.String({ minLength: 1 }),
    /** Backtest, sweep and walk-forward results (one folder per run). */
    resultsDir: Type.String({ minLength: 1 }),
    /** Candle cache (default <home>/cache). */
    cacheDir: Type.String({ minLength: 1 }),
    /** TRADELAB_SAMPLE_DATA: a folder of candle files offered to backtest jobs (GET /api/data-sources); optional. */
    sampleDataDir: Type.Optional(Type.String({ minLength: 1 })),
  }, { additionalProperties: false }),
  exchanges: Type.Record(Type.String({ pattern: '^[a-z0-9]+$' }), ExchangeConfigSchema),
  dataSources: Type.Object({
    defaultExchange: Type.String({ minLength: 1 }),
    defaultTimeframe: Type.String({ pattern: '^[0-9]+[smhdwM]$' }),
  }, { additionalProperties: false }),
  email: Type.Object({
    enabled: Type.Boolean(),
    host: Type.String(),
    port: Port,
    /** TLS from the start (port 465); otherwise STARTTLS when offered. */
    secure: Type.Boolean(),
    user: Type.String(),
    from: Type.String(),
    to: Type.Array(Type.String({ pattern: '^[^@\\s]+@[^@\\s]+$' })),
  }, { additionalProperties: false }),
  telegram: Type.Object({
    enabled: Type.Boolean(),
    chatId: Type.String(),
  }, { additionalProperties: false }),
  webhooks: Type.Object({
    tradingview: Type.Object({
      enabled: Type.Boolean(),
      /** Largest clock difference accepted between the alert's timestamp and the server (replay window). */
      maxSkewSeconds: Type.Integer({ minimum: 1, maximum: 3600 }),
      /** TradingView action → what happens to the bot trading that symbol. */
      actions: Type.Record(Type.String({ minLength: 1 }), Type.Union([Type.Literal('resume'), Type.Literal('pause'), Type.Literal('stop'), Type.Literal('ignore')])),
    }, { additionalProperties: false }),
  }, { additionalProperties: false }),
  defaults: Type.Object({
    bot: Type.Object({
      mode: Type.Union([Type.Literal('replay'), Type.Literal('paper'), Type.Literal('live')]),
      budget: Type.Number({ exclusiveMinimum: 0 }),
      timeframe: Type.String({ pattern: '^[0-9]+[smhdwM]$' }),
      feeRate: Type.Number({ minimum: 0, maximum: 0.1 }),
    }, { additionalProperties: false }),
    /** Global cap of open orders across bots (engine/risk). */
    maxOpenOrders: Type.Integer({ minimum: 1, maximum: 100000 }),
  }, { additionalProperties: false }),
}, { additionalProperties: false });

export type AppConfig = Static<typeof ConfigSchema>;

/**
 * Market specs of an order run, from flags and/or a JSON file (user input: validated here, once).
 *
 * Precedence, lowest first: engine defaults (DEFAULT_MARKET_SPEC: tick 0.01, step 0.00001, min amount 0.00001,
 * min notional 5, maker and taker fee 0.001), then the file's "*" entry, then the file's entry for the symbol, then
 * the flags (which apply to every symbol). File format: `{ "BTC/USDT": { "priceTick": 0.01, "makerFee": 0.0002 },
 * "*": { "minNotional": 10 } }`; fields are the MarketSpec fields below, each a finite number >= 0 (fees < 1).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { didYouMean, usageError } from '../../engine/index.ts';
import { DEFAULT_MARKET_SPEC, validateMarketSpec, type MarketSpec } from '../../engine/orders/index.ts';

export type SpecFields = Omit<MarketSpec, 'symbol'>;
export type SpecOverrides = { -readonly [K in keyof SpecFields]?: number };

export const SPEC_FIELDS: readonly (keyof SpecFields)[] = ['priceTick', 'amountStep', 'minAmount', 'minNotional', 'makerFee', 'takerFee'];

/** The CLI flag of each field. */
export const SPEC_FLAGS: Readonly<Record<keyof SpecFields, string>> = {
  priceTick: 'price-tick', amountStep: 'amount-step', minAmount: 'min-amount', minNotional: 'min-notional', makerFee: 'maker-fee', takerFee: 'taker-fee',
};

const isFee = (f: keyof SpecFields) => f === 'makerFee' || f === 'takerFee';
const allowedFor = (f: keyof SpecFields) => (isFee(f) ? 'a rate in [0, 1), e.g. 0.001 for 0.1 %' : 'a finite number >= 0 (0 = no rule)');
const okFor = (f: keyof SpecFields, v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0 && (!isFee(f) || v < 1);

/** Check flag values (undefined = not given); throws a usage error naming the flag and what is allowed. */
export function specFromFlags(values: Partial<Record<keyof SpecFields, number | undefined>>): SpecOverrides {
  const out: SpecOverrides = {};
  for (const f of SPEC_FIELDS) {
    const v = values[f];
    if (v === undefined) continue;
    if (!okFor(f, v)) throw usageError('BAD_MARKET_SPEC', `--${SPEC_FLAGS[f]}=${String(v)} is not allowed; expected ${allowedFor(f)}`, { field: f });
    out[f] = v;
  }
  return out;
}

export interface SpecFile {
  readonly path: string;
  readonly sha256: string;
  /** Overrides per symbol; '*' applies to every symbol. */
  readonly entries: Readonly<Record<string, SpecOverrides>>;
}

/** Read and validate a market-spec file. Unknown fields fail with a "did you mean". */
export function readSpecFile(file: string, cwd: string): SpecFile {
  const path = resolve(cwd, file);
  if (!existsSync(path)) throw usageError('MARKET_SPEC_FILE_NOT_FOUND', `--market-spec file not found: ${path}`);
  const text = readFileSync(path, 'utf8');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw usageError('BAD_MARKET_SPEC', `--market-spec ${path} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  const shape = 'a JSON object keyed by symbol (or "*" for every symbol), e.g. {"BTC/USDT": {"priceTick": 0.01, "makerFee": 0.0002}}';
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw usageError('BAD_MARKET_SPEC', `--market-spec ${path} must be ${shape}`);
  const entries: Record<string, SpecOverrides> = {};
  for (const [symbol, body] of Object.entries(raw as Record<string, unknown>)) {
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw usageError('BAD_MARKET_SPEC', `--market-spec ${path}: the entry for "${symbol}" must be an object of fields (${SPEC_FIELDS.join(', ')}); the file must be ${shape}`);
    const o: SpecOverrides = {};
    for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
      if (!(SPEC_FIELDS as readonly string[]).includes(k)) {
        throw usageError('BAD_MARKET_SPEC', `--market-spec ${path}: unknown field "${k}" for "${symbol}".${didYouMean(k, SPEC_FIELDS)} Fields: ${SPEC_FIELDS.join(', ')}`, { symbol, field: k });
      }
      const f = k as keyof SpecFields;
      if (!okFor(f, v)) throw usageError('BAD_MARKET_SPEC', `--market-spec ${path}: "${symbol}".${f}=${JSON.stringify(v)} is not allowed; expected ${allowedFor(f)}`, { symbol, field: f });
      o[f] = v;
    }
    entries[symbol] = o;
  }
  return { path, sha256: createHash('sha256').update(text).digest('hex'), entries };
}

/** The spec of one symbol: defaults < file "*" < file[symbol] < flags. */
export function resolveMarketSpec(symbol: string, flags: SpecOverrides, file?: SpecFile): MarketSpec {
  return validateMarketSpec({ symbol, ...DEFAULT_MARKET_SPEC, ...(file?.entries['*'] ?? {}), ...(file?.entries[symbol] ?? {}), ...flags });
}

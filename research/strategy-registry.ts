/**
 * Resolve what the user typed after --strategy: a built-in id ('sma-cross') or the path of a TypeScript file that
 * default-exports a `defineStrategy(...)` ('./my-strategy.ts'). Unknown ids fail with a "did you mean" and the list.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { builtinStrategies, didYouMean, usageError, type AnyStrategy } from '../engine/index.ts';
import { orderStrategies } from '../engine/strategies-orders/index.ts';

export interface ResolvedStrategy {
  readonly strategy: AnyStrategy;
  /** 'builtin', or the absolute path of the user's file with its sha256 (recorded in manifests). */
  readonly source: { kind: 'builtin' } | { kind: 'file'; path: string; sha256: string };
}

/** Every strategy shipped with tradelab: the signal strategies, then the order strategies (grid, range-grid, dca, twap, vwap). */
export function allBuiltins(): readonly AnyStrategy[] {
  return [...builtinStrategies, ...orderStrategies];
}

const looksLikePath = (s: string) => s.includes('/') || s.includes('\\') || /\.(ts|mts|js|mjs)$/.test(s);

function isStrategy(x: unknown): x is AnyStrategy {
  const s = x as Partial<AnyStrategy> | undefined;
  return !!s && typeof s.id === 'string' && typeof s.version === 'string' && typeof s.decide === 'function' &&
    typeof s.indicators === 'function' && typeof s.resolveParams === 'function';
}

export async function resolveStrategy(ref: string, cwd: string): Promise<ResolvedStrategy> {
  if (looksLikePath(ref)) {
    const path = resolve(cwd, ref);
    if (!existsSync(path)) throw usageError('STRATEGY_FILE_NOT_FOUND', `strategy file not found: ${path}`);
    const sha256 = createHash('sha256').update(readFileSync(path)).digest('hex');
    let mod: { default?: unknown };
    try {
      mod = (await import(pathToFileURL(path).href)) as { default?: unknown };
    } catch (e) {
      throw usageError('STRATEGY_FILE_INVALID', `could not load strategy file ${path}: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!isStrategy(mod.default)) {
      throw usageError('STRATEGY_FILE_INVALID', `${path} must default-export a strategy made by defineStrategy({...}) (import { defineStrategy } from 'tradelab/engine')`);
    }
    return { strategy: mod.default, source: { kind: 'file', path, sha256 } };
  }
  const all = allBuiltins();
  const hit = all.find((s) => s.id === ref);
  if (!hit) {
    const ids = all.map((s) => s.id);
    throw usageError('UNKNOWN_STRATEGY', `unknown strategy '${ref}'.${didYouMean(ref, ids)} Built-in strategies: ${ids.join(', ')}; or pass the path of a .ts file that default-exports defineStrategy(...)`);
  }
  return { strategy: hit, source: { kind: 'builtin' } };
}

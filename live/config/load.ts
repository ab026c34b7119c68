/**
 * Layered configuration: YAML files under config/ (defaults.yaml first, then the others in name order, local.yaml
 * last), then environment variables, then overrides saved through the API (config_overrides, keys `config.<path>`).
 * The merged document is validated once against ConfigSchema; every problem of every layer is listed in one
 * CONFIG_INVALID error. The result is frozen and passed down: nothing below the entry point reads the environment.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { Value } from '@sinclair/typebox/value';
import { TradelabError } from '../../engine/errors.ts';
import { ConfigSchema, type AppConfig } from './schema.ts';

export type Env = Readonly<Record<string, string | undefined>>;

/** Environment variables mapped onto config paths ('string': taken as is; 'yaml': parsed as a YAML scalar). */
export const ENV_KEYS: Readonly<Record<string, { path: string; type: 'string' | 'yaml' }>> = Object.freeze({
  TRADELAB_HOST: { path: 'server.host', type: 'string' },
  TRADELAB_PORT: { path: 'server.port', type: 'yaml' },
  LIVE_TRADING_ENABLED: { path: 'liveTradingEnabled', type: 'yaml' },
  TRADELAB_HOME: { path: 'paths.home', type: 'string' },
  TRADELAB_RESULTS: { path: 'paths.resultsDir', type: 'string' },
  TRADELAB_CACHE: { path: 'paths.cacheDir', type: 'string' },
  TRADELAB_SAMPLE_DATA: { path: 'paths.sampleDataDir', type: 'string' },
  TRADELAB_SMTP_HOST: { path: 'email.host', type: 'string' },
  TRADELAB_SMTP_PORT: { path: 'email.port', type: 'yaml' },
  TRADELAB_SMTP_USER: { path: 'email.user', type: 'string' },
  TRADELAB_SMTP_FROM: { path: 'email.from', type: 'string' },
  TRADELAB_TELEGRAM_CHAT_ID: { path: 'telegram.chatId', type: 'string' },
});
/** Any other path: TRADELAB_CONFIG__server__sessionTtlHours=24 (segments joined by '__', value parsed as YAML). */
export const ENV_GENERIC_PREFIX = 'TRADELAB_CONFIG__';

const SECRET_KEY = /pass(word|phrase)|secret|token|api.?key|private.?key|credential/i;

export interface ConfigLayers {
  /** config/ directory (YAML files). */
  readonly configDir: string;
  readonly env: Env;
  /** Working directory: relative paths resolve against it. */
  readonly cwd: string;
  /** API overrides: config path → value. */
  readonly overrides?: Readonly<Record<string, unknown>>;
}

export interface LoadedConfig {
  readonly config: AppConfig;
  /** Where each overridden leaf path came from last ('config/x.yaml', 'env TRADELAB_PORT', 'override'). */
  readonly sources: Readonly<Record<string, string>>;
}

type Doc = Record<string, unknown>;
const isObj = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);

function mergeInto(target: Doc, src: Doc, source: string, sources: Record<string, string>, prefix = ''): void {
  for (const [k, v] of Object.entries(src)) {
    const p = prefix ? `${prefix}.${k}` : k;
    if (isObj(v)) {
      if (!isObj(target[k])) target[k] = {};
      mergeInto(target[k] as Doc, v, source, sources, p);
    } else {
      target[k] = Array.isArray(v) ? structuredClone(v) : v;
      sources[p] = source;
    }
  }
}

/** Sets a dotted path in a document, creating objects on the way. Returns false when a segment is not an object. */
export function setPath(doc: Doc, path: string, value: unknown): boolean {
  const parts = path.split('.');
  let cur: Doc = doc;
  for (const seg of parts.slice(0, -1)) {
    if (cur[seg] === undefined) cur[seg] = {};
    if (!isObj(cur[seg])) return false;
    cur = cur[seg] as Doc;
  }
  cur[parts[parts.length - 1]] = value;
  return true;
}

export function getPath(doc: unknown, path: string): unknown {
  let cur = doc;
  for (const seg of path.split('.')) {
    if (!isObj(cur)) return undefined;
    cur = cur[seg];
  }
  return cur;
}

function findSecretKeys(v: unknown, prefix: string, out: string[]): void {
  if (!isObj(v)) return;
  for (const [k, x] of Object.entries(v)) {
    const p = prefix ? `${prefix}.${k}` : k;
    if (SECRET_KEY.test(k)) out.push(p);
    findSecretKeys(x, p, out);
  }
}

/** YAML files of the config directory in layer order. */
export function configFiles(configDir: string): string[] {
  if (!existsSync(configDir)) return [];
  const files = readdirSync(configDir).filter((f) => /\.ya?ml$/.test(f)).sort();
  const rank = (f: string) => (/^defaults\.ya?ml$/.test(f) ? 0 : /^local\.ya?ml$/.test(f) ? 2 : 1);
  return files.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** Validation problems of a merged document, one line each ('server.port: Expected integer'). */
export function schemaProblems(doc: unknown): string[] {
  const out: string[] = [];
  for (const e of Value.Errors(ConfigSchema, doc)) {
    const path = e.path.replace(/^\//, '').replace(/\//g, '.') || '(root)';
    out.push(`${path}: ${e.message}${e.value !== undefined && typeof e.value !== 'object' ? ` (got ${JSON.stringify(e.value)})` : ''}`);
  }
  return [...new Set(out)];
}

/** Loads, merges and validates every layer; throws CONFIG_INVALID listing every problem at once. */
export function loadConfig(layers: ConfigLayers): LoadedConfig {
  const problems: string[] = [];
  const doc: Doc = {};
  const sources: Record<string, string> = {};
  if (!existsSync(layers.configDir)) problems.push(`config directory ${layers.configDir} does not exist`);
  for (const f of configFiles(layers.configDir)) {
    const label = `config/${f}`;
    let parsed: unknown;
    try {
      parsed = parseYaml(readFileSync(join(layers.configDir, f), 'utf8'));
    } catch (e) {
      problems.push(`${label}: not valid YAML: ${e instanceof YAMLParseError ? e.message.split('\n')[0] : String(e)}`);
      continue;
    }
    if (parsed === null || parsed === undefined) continue;
    if (!isObj(parsed)) { problems.push(`${label}: must be a mapping of settings, got ${Array.isArray(parsed) ? 'a list' : typeof parsed}`); continue; }
    const secrets: string[] = [];
    findSecretKeys(parsed, '', secrets);
    for (const s of secrets) problems.push(`${label}: ${s}: secrets may not be written in config files; set them in the environment or TRADELAB_SECRETS_DIR`);
    if (secrets.length) continue;
    mergeInto(doc, parsed, label, sources);
  }
  for (const [name, raw] of Object.entries(layers.env)) {
    if (raw === undefined) continue;
    let path: string | undefined, type: 'string' | 'yaml' = 'yaml';
    if (ENV_KEYS[name]) ({ path, type } = ENV_KEYS[name]);
    else if (name.startsWith(ENV_GENERIC_PREFIX)) path = name.slice(ENV_GENERIC_PREFIX.length).split('__').join('.');
    if (!path) continue;
    let value: unknown = raw;
    if (type === 'yaml') {
      try { value = parseYaml(raw); } catch { problems.push(`env ${name}: '${raw}' is not a valid value`); continue; }
    }
    if (!setPath(doc, path, value)) problems.push(`env ${name}: ${path} does not name a setting`);
    else sources[path] = `env ${name}`;
  }
  for (const [path, value] of Object.entries(layers.overrides ?? {})) {
    if (!setPath(doc, path, value)) problems.push(`override ${path}: does not name a setting`);
    else sources[path] = 'override';
  }
  const paths = doc.paths;
  if (isObj(paths) && paths.cacheDir === undefined && typeof paths.home === 'string') {
    paths.cacheDir = join(paths.home, 'cache');
    sources['paths.cacheDir'] = 'paths.home/cache';
  }
  if (problems.length === 0 || Object.keys(doc).length) problems.push(...schemaProblems(doc));
  if (problems.length) {
    throw new TradelabError('CONFIG_INVALID', 'config',
      `the configuration has ${problems.length} problem${problems.length > 1 ? 's' : ''}:\n  - ${problems.join('\n  - ')}`,
      { details: { problems } });
  }
  const config = doc as AppConfig;
  config.paths.home = resolve(layers.cwd, config.paths.home);
  config.paths.resultsDir = resolve(layers.cwd, config.paths.resultsDir);
  config.paths.cacheDir = resolve(layers.cwd, config.paths.cacheDir);
  if (config.paths.sampleDataDir !== undefined) config.paths.sampleDataDir = resolve(layers.cwd, config.paths.sampleDataDir);
  return { config: deepFreeze(config), sources: Object.freeze(sources) };
}

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

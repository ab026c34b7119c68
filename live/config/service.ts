/**
 * The effective configuration of a running server: the file and environment layers (fixed at start) plus the
 * overrides saved through the API (config_overrides, global, keys `config.<path>`), re-validated on every change.
 * A change that would make the configuration invalid is refused with every problem listed; accepted changes are
 * audited by the journal repo (who, before, after).
 */
import { usageError, isTradelabError } from '../../engine/errors.ts';
import type { JournalRepo } from '../state/journal.ts';
import { REDACTED, loadExchangeCredentials, type CredentialsDeps } from '../secrets/index.ts';
import { getPath, loadConfig, type ConfigLayers, type LoadedConfig } from './load.ts';
import { SERVER_SECRETS, loadServerSecrets, type SecretEntry, type ServerSecretName } from './secrets.ts';
import type { AppConfig } from './schema.ts';

export const OVERRIDE_PREFIX = 'config.';

/** Config paths that may be overridden through the API (the rest need a restart: listener, paths). */
export const OVERRIDABLE = Object.freeze([
  'server.sessionTtlHours', 'server.loginAttemptsPerMinute', 'exchanges', 'dataSources', 'email', 'telegram', 'webhooks', 'defaults',
]);

export interface SecretView {
  readonly name: string;
  readonly purpose: string;
  readonly set: boolean;
  /** 'env' or the secrets file path. */
  readonly source: string | null;
  /** Always '<redacted>' when set. */
  readonly value: string | null;
}

export interface SettingsView {
  readonly config: AppConfig;
  readonly sources: Readonly<Record<string, string>>;
  readonly overrides: Readonly<Record<string, unknown>>;
  readonly secrets: readonly SecretView[];
}

export class ConfigService {
  #loaded: LoadedConfig;
  readonly #listeners = new Set<(config: AppConfig, path: string) => void>();
  readonly #validators: ((config: AppConfig) => string[])[] = [];
  readonly secrets: Partial<Record<ServerSecretName, SecretEntry>>;

  constructor(private readonly layers: Omit<ConfigLayers, 'overrides'>, private readonly journal: JournalRepo, private readonly credentialsDeps?: CredentialsDeps) {
    this.#loaded = loadConfig({ ...layers, overrides: this.overrides() });
    this.secrets = loadServerSecrets(layers.env, credentialsDeps);
  }

  get config(): AppConfig {
    return this.#loaded.config;
  }

  /**
   * Called after an override is set or removed, with the new effective configuration and the overridden path (the
   * server applies alert channel settings at once). A listener that throws does not undo the change. Returns the
   * unsubscribe function.
   */
  onChange(listener: (config: AppConfig, path: string) => void): () => void {
    this.#listeners.add(listener);
    return () => { this.#listeners.delete(listener); };
  }

  /**
   * A check an override must also pass, beyond the schema (e.g. an enabled email channel needs recipients): it returns
   * the problems of a candidate configuration; any problem refuses the override (400 CONFIG_OVERRIDE_INVALID).
   */
  addValidator(check: (config: AppConfig) => string[]): void {
    this.#validators.push(check);
  }

  #validate(path: string, loaded: LoadedConfig): void {
    const problems = this.#validators.flatMap((v) => v(loaded.config));
    if (problems.length) {
      throw usageError('CONFIG_OVERRIDE_INVALID', `override ${path} refused: ${problems.length} problem${problems.length > 1 ? 's' : ''}:\n  ${problems.join('\n  ')}`, { problems });
    }
  }

  #changed(path: string): void {
    for (const l of [...this.#listeners]) {
      try { l(this.#loaded.config, path); } catch { /* the override is saved; the listener reports its own failure */ }
    }
  }

  /** The API overrides in force: config path → value. */
  overrides(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(this.journal.overridesFor(''))) if (k.startsWith(OVERRIDE_PREFIX)) out[k.slice(OVERRIDE_PREFIX.length)] = v;
    return out;
  }

  private checkPath(path: string): void {
    if (!OVERRIDABLE.some((p) => path === p || path.startsWith(`${p}.`))) {
      throw usageError('CONFIG_NOT_OVERRIDABLE', `setting '${path}' cannot be changed through the API; overridable: ${OVERRIDABLE.join(', ')} (and anything below them)`);
    }
  }

  /** Validates the configuration with `path` set to `value`, saves the override (audited) and applies it. */
  setOverride(path: string, value: unknown, actor: string, ts: number): { before: unknown; after: unknown } {
    this.checkPath(path);
    const next = { ...this.overrides(), [path]: value };
    let loaded: LoadedConfig;
    try {
      loaded = loadConfig({ ...this.layers, overrides: next });
    } catch (e) {
      if (isTradelabError(e) && e.code === 'CONFIG_INVALID') throw usageError('CONFIG_OVERRIDE_INVALID', `override ${path} refused: ${e.message}`, e.details);
      throw e;
    }
    this.#validate(path, loaded);
    const before = getPath(this.config, path);
    this.journal.setOverride({ botId: '', key: OVERRIDE_PREFIX + path, value, setBy: actor, setAt: ts });
    this.#loaded = loaded;
    this.#changed(path);
    return { before, after: getPath(loaded.config, path) };
  }

  /** Removes an override (audited); false when there was none. */
  clearOverride(path: string, actor: string, ts: number): boolean {
    this.checkPath(path);
    const next = this.overrides();
    if (!(path in next)) return false;
    delete next[path];
    const loaded = loadConfig({ ...this.layers, overrides: next });
    this.#validate(path, loaded);
    this.journal.clearOverride('', OVERRIDE_PREFIX + path, actor, ts);
    this.#loaded = loaded;
    this.#changed(path);
    return true;
  }

  /** The effective configuration with every secret masked (and where each came from). */
  settingsView(): SettingsView {
    const secrets: SecretView[] = (Object.keys(SERVER_SECRETS) as ServerSecretName[]).map((name) => {
      const e = this.secrets[name];
      return { name, purpose: SERVER_SECRETS[name], set: e !== undefined, source: e?.source ?? null, value: e ? REDACTED : null };
    });
    for (const ex of Object.keys(this.config.exchanges)) {
      let sources: Record<string, string> = {};
      try {
        sources = loadExchangeCredentials(ex, this.layers.env, this.credentialsDeps).sources;
      } catch (e) {
        if (!isTradelabError(e)) throw e;
      }
      for (const f of ['apiKey', 'secret', 'password', 'uid'] as const) {
        const src = sources[f];
        const name = `TRADELAB_${ex.toUpperCase()}_${({ apiKey: 'API_KEY', secret: 'SECRET', password: 'PASSWORD', uid: 'UID' })[f]}`;
        if (src !== undefined || f === 'apiKey' || f === 'secret') {
          secrets.push({ name, purpose: `${ex} API ${f}`, set: src !== undefined, source: src ?? null, value: src !== undefined ? REDACTED : null });
        }
      }
    }
    return { config: this.config, sources: this.#loaded.sources, overrides: this.overrides(), secrets };
  }
}

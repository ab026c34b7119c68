// Server configuration: one schema, layered YAML → environment → API overrides, secrets only from env / secrets dir.
export { ConfigSchema, ExchangeConfigSchema, type AppConfig } from './schema.ts';
export { loadConfig, schemaProblems, configFiles, setPath, getPath, ENV_KEYS, ENV_GENERIC_PREFIX, type ConfigLayers, type LoadedConfig, type Env } from './load.ts';
export { SERVER_SECRETS, readSecret, loadServerSecrets, type ServerSecretName, type SecretEntry } from './secrets.ts';
export { ConfigService, OVERRIDABLE, OVERRIDE_PREFIX, type SecretView, type SettingsView } from './service.ts';

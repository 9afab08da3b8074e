export { applySchema, hasSecrets, InvalidPackConfigError, loadConfigSchema, maskConfig, MASK, secretConfigValues, type ConfigSchema } from './schema.ts';
export { configKeyOf, loadPackConfig, setPackConfig, type LoadedPackConfig } from './store.ts';

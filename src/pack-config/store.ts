import type { KeyValueStore } from '../datastore/store.ts';
import { applySchema, hasSecrets, loadConfigSchema, secretConfigValues, InvalidPackConfigError } from './schema.ts';

/** The datastore key of a pack's config (system scope), as st2 keeps configs apart from the packs' files. */
export function configKeyOf(pack: string): { scope: 'system'; name: string } {
  return { scope: 'system', name: `pack_config:${pack}` };
}

/** A pack's config as an execution reads it: schema defaults filled in, and the values to mask. */
export interface LoadedPackConfig {
  config: Record<string, unknown>;
  secrets: string[];
}

/**
 * Reads the config of the pack in `packPath` from the datastore (key `pack_config:<pack>`, decrypted) and fills
 * in the schema's defaults; a pack without a stored config gets its defaults alone (st2 does the same).
 * @example const { config } = await loadPackConfig(kv, 'jira', '/opt/packs/jira'); config.url
 */
export async function loadPackConfig(kv: KeyValueStore, pack: string, packPath: string): Promise<LoadedPackConfig> {
  const schema = loadConfigSchema(packPath);
  // A Query (begins_with the exact name), not a GetItem: both functions' roles may query the datastore, and the
  // workflows function reads a config when a task's template names config_context.
  const { name } = configKeyOf(pack);
  const stored = (await kv.list('system', undefined, { prefix: name, decrypt: true })).find((pair) => pair.name === name);
  let value: unknown = {};
  if (stored) {
    try {
      value = JSON.parse(stored.value);
    } catch {
      throw new InvalidPackConfigError(
        `invalid pack config: ${pack} - the stored value (datastore key ${configKeyOf(pack).name}) is not JSON; set it again with "actionrunner pack config set"`,
      );
    }
  }
  const config = applySchema(pack, schema, value, { validate: false });
  return { config, secrets: secretConfigValues(schema, config) };
}

/**
 * Validates `config` against the pack's schema (defaults filled in) and stores it, encrypted when the schema has
 * a `secret: true` property. Returns what was stored.
 * @throws InvalidPackConfigError when it does not match the schema.
 */
export async function setPackConfig(kv: KeyValueStore, pack: string, packPath: string, config: unknown): Promise<Record<string, unknown>> {
  const schema = loadConfigSchema(packPath);
  const complete = applySchema(pack, schema, config);
  await kv.set(configKeyOf(pack), JSON.stringify(complete), { encrypt: hasSecrets(schema) });
  return complete;
}

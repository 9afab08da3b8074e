// Pack config (config.schema.yaml + a config kept in the datastore) through the real handlers on the emulators:
// st2's examples.render_config_context, self.config in python, context.config in node, secrets masked.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureKeyFile, KeyValueStore, LocalCipher } from '../../src/datastore/index.ts';
import { InvalidPackConfigError, loadPackConfig, setPackConfig } from '../../src/pack-config/index.ts';
import { readOutput } from '../../src/store/output.ts';
import { useFunctions } from '../helpers/functions.ts';
import { useSubstrate } from '../helpers/substrate.ts';

const keyFile = ensureKeyFile(join(mkdtempSync(join(tmpdir(), 'config-key-')), 'datastore.key'));
const packs = join(import.meta.dirname, '..', 'fixtures', 'packs', 'st2_tests_pack');
const testsPack = join(packs, 'tests');
const substrate = useSubstrate({ env: { ACTIONRUNNER_DATASTORE_KEY_FILE: keyFile, ACTIONRUNNER_HEARTBEAT_MS: '200', ACTIONRUNNER_PACKS_PATH: packs } });
const functions = useFunctions(substrate);
let kv: KeyValueStore;

beforeAll(() => {
  kv = new KeyValueStore({ doc: substrate.clients.doc, tableName: substrate.tableNames.keyvalue, cipher: new LocalCipher(keyFile) });
});

describe('pack config', () => {
  it("st2's examples.render_config_context: with no config set, config_context gives the schema's default", async () => {
    const execution = await functions.run('examples.render_config_context');
    expect(execution.status, JSON.stringify(execution.result)).toBe('succeeded');
    expect((execution.result as { output: unknown }).output).toEqual({ context_value: 'Testing' });
  });

  it('a config set is validated, stored encrypted when the schema has secrets, and read by config_context', async () => {
    const stored = await setPackConfig(kv, 'tests', testsPack, { config_item_one: 'Configured', api_token: 'Kp7-config-token' });
    expect(stored).toEqual({ config_item_one: 'Configured', api_token: 'Kp7-config-token' });
    const { Item } = await substrate.clients.doc.send(
      new GetCommand({ TableName: substrate.tableNames.keyvalue, Key: { partition: 'system', name: 'pack_config:tests' } }),
    );
    expect(Item).toBeDefined();
    expect(JSON.stringify(Item)).not.toContain('Kp7-config-token');
    const execution = await functions.run('examples.render_config_context');
    expect((execution.result as { output: unknown }).output).toEqual({ context_value: 'Configured' });
  });

  it('python actions read self.config; secret values are masked in the result, the output and the parameters', async () => {
    const execution = await functions.run('tests.show_config');
    expect(execution.status, JSON.stringify(execution.result)).toBe('succeeded');
    const result = execution.result as { result: { config: Record<string, unknown>; token_matches: boolean }; stdout: string };
    // The action saw the real value (the comparison ran inside it); what is recorded is masked.
    expect(result.result).toEqual({ config: { config_item_one: 'Configured', api_token: '********' }, token_matches: true });
    // token was rendered from a secret: a secret parameter, masked whole.
    expect(result.stdout).toBe('token is ********\n');
    const output = await readOutput(substrate.clients.doc, substrate.tableNames.output, execution.id);
    expect(JSON.stringify(output)).not.toContain('Kp7-config-token');
    expect(JSON.stringify(execution)).not.toContain('Kp7-config-token');
  });

  it('node-script actions get the config in their context', async () => {
    const execution = await functions.run('tests.node_config');
    expect(execution.status, JSON.stringify(execution.result)).toBe('succeeded');
    expect((execution.result as { result: unknown }).result).toEqual({ item: 'Configured', pack: 'tests' });
  });

  it('an action chain reads its pack config through config_context; a node gets its own pack config; secrets masked', async () => {
    const execution = await functions.run('tests.config_chain');
    expect(execution.status, JSON.stringify(execution.result)).toBe('succeeded');
    const result = execution.result as { tasks: { name: string; result: Record<string, unknown> }[]; published: Record<string, unknown> };
    expect(result.tasks.map((t) => t.name)).toEqual(['say', 'show']);
    expect(result.tasks[0].result.stdout).toBe('item=Configured! direct=Configured');
    expect(result.published).toEqual({ token_seen: true });
    // The python node's self.config and its default rendered from config_context: the node's pack config, the secret masked.
    expect(result.tasks[1].result.result).toEqual({ config: { config_item_one: 'Configured', api_token: '********' }, token_matches: true });
    expect(result.tasks[1].result.stdout).toBe('token is ********\n');
    const output = await readOutput(substrate.clients.doc, substrate.tableNames.output, execution.id);
    expect(JSON.stringify(output)).not.toContain('Kp7-config-token');
    expect(JSON.stringify(execution)).not.toContain('Kp7-config-token');
  });

  it('refuses a config that does not match the schema, saying where and what was given (a secret stays masked)', async () => {
    await expect(setPackConfig(kv, 'tests', testsPack, { config_item_one: 5, api_token: 12345 })).rejects.toThrow(
      new InvalidPackConfigError('invalid pack config: tests - config_item_one: must be string (given: 5); api_token: must be string (given: ********)'),
    );
    await expect(setPackConfig(kv, 'tests', testsPack, ['a'])).rejects.toThrow(
      'invalid pack config: tests - expected a mapping of option to value, got a list',
    );
    // The one stored before is still there.
    expect((await loadPackConfig(kv, 'tests', testsPack)).config.config_item_one).toBe('Configured');
  });
});

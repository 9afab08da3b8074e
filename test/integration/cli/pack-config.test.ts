// `actionrunner pack config set|get` as a real process against DynamoDB Local: validated, stored, secrets masked.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureKeyFile } from '../../../src/datastore/index.ts';
import { cleanEnv, cli } from '../../e2e/helpers.ts';
import { useSubstrate } from '../../helpers/substrate.ts';

const work = mkdtempSync(path.join(tmpdir(), 'ar-pack-config-'));
const keyFile = ensureKeyFile(path.join(work, 'datastore.key'));
const packs = path.join(import.meta.dirname, '..', '..', 'fixtures', 'packs', 'st2_tests_pack');
const substrate = useSubstrate({ env: { ACTIONRUNNER_DATASTORE_KEY_FILE: keyFile, ACTIONRUNNER_PACKS_PATH: packs } });
afterAll(() => rmSync(work, { recursive: true, force: true }));

const run = (args: string[]) => cli(work, args, cleanEnv({ ...substrate.env, NO_COLOR: '1' }));

describe('actionrunner pack config', () => {
  it('sets a config from a YAML file (defaults filled in) and shows it with secrets masked, unless --decrypt', async () => {
    const file = path.join(work, 'tests.yaml');
    writeFileSync(file, 'api_token: Kp7-cli-config\n');
    const set = await run(['pack', 'config', 'set', 'tests', file]);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain('config of pack "tests" set:');
    expect(set.stdout).toContain('"config_item_one": "Testing"');
    expect(set.stdout).not.toContain('Kp7-cli-config');
    const got = await run(['pack', 'config', 'get', 'tests', '--json']);
    expect(JSON.parse(got.stdout)).toEqual({ pack: 'tests', config: { config_item_one: 'Testing', api_token: '********' } });
    const decrypted = await run(['pack', 'config', 'get', 'tests', '--decrypt', '--json']);
    expect(JSON.parse(decrypted.stdout).config.api_token).toBe('Kp7-cli-config');
  });

  it('refuses an invalid config or an unknown pack with exit status 2 and says why', async () => {
    const file = path.join(work, 'bad.yaml');
    writeFileSync(file, 'config_item_one: [1, 2]\n');
    const bad = await run(['pack', 'config', 'set', 'tests', file]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('error: invalid pack config: tests - config_item_one: must be string (given: [1,2])');
    const unknown = await run(['pack', 'config', 'get', 'nosuchpack']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown pack: nosuchpack - no loaded action belongs to it');
  });
});

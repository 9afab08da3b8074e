// Runners that cannot run where the actions function runs: the actions function (functions/actions.ts, polled
// from the emulator's queue) runs with a PATH that has bash and sh but no python3, as Lambda's nodejs22.x zip.
// Its catalog refuses python-script actions with the runner, the interpreter and the fix; it reports what it
// found, and the real CLI (on a machine that has python3) then shows those actions unavailable.
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadActions } from '../../src/actions/index.ts';
import { createServices } from '../../src/app/services.ts';
import { createLogger } from '../../src/log/index.ts';
import { isTerminal } from '../../src/model/status.ts';
import { ActionsRuntimeRecord } from '../../src/store/actions-runtime.ts';
import { cleanEnv, cli } from '../e2e/helpers.ts';
import { useFunctions } from '../helpers/functions.ts';
import { eventually, useSubstrate } from '../helpers/substrate.ts';

const substrate = useSubstrate();
const noPython = mkdtempSync(path.join(tmpdir(), 'no-python-'));
for (const tool of ['bash', 'sh']) symlinkSync(`/bin/${tool}`, path.join(noPython, tool));
const originalPath = process.env.PATH;
// Before useFunctions imports functions/actions.ts: its cold start probes this PATH.
beforeAll(() => {
  process.env.PATH = noPython;
});
afterAll(() => {
  process.env.PATH = originalPath;
  rmSync(noPython, { recursive: true, force: true });
});
const functions = useFunctions(substrate);
const because =
  /runner python-script needs python3, which is not on PATH where the actions run - deploy the actions function as the container image \(scripts\/push-actions-image\.sh, then --param actionsImage=<image URI>/;

describe('python-script where there is no python3', () => {
  it('the actions function fails a python action queued by a requester that has python3, saying why and what to do', async () => {
    const requester = createServices({
      config: substrate.config,
      clients: substrate.clients,
      log: createLogger({}, 'error'),
      catalog: loadActions({ interpreters: { python3: '/usr/bin/python3', bash: '/bin/bash', sh: '/bin/sh' } }),
    });
    const { execution } = await requester.service.request({ action: 'examples.python_hello', parameters: { name: 'x' } });
    const ended = await eventually(async () => {
      const current = (await functions.runtime.store.get(execution.id))!;
      expect(isTerminal(current.status)).toBe(true);
      return current;
    });
    expect(ended.status).toBe('failed');
    expect(ended.error).toMatch(new RegExp(`^action unavailable: examples\\.python_hello - ${because.source}`));
    // A shell action still runs in the same function.
    expect(await functions.run('core.local', { cmd: 'echo still here' })).toMatchObject({ status: 'succeeded', result: { stdout: 'still here' } });
  });

  it('reports its interpreters, and the CLI lists the python actions as unavailable and refuses to run them', async () => {
    const record = new ActionsRuntimeRecord({ doc: substrate.clients.doc, tableName: substrate.config.executionsTable });
    await eventually(async () =>
      expect((await record.read())?.interpreters).toEqual({ python3: null, bash: path.join(noPython, 'bash'), sh: path.join(noPython, 'sh') }),
    );
    const cwd = mkdtempSync(path.join(tmpdir(), 'cli-'));
    const env = cleanEnv(substrate.env);
    const list = await cli(cwd, ['action', 'list', '--pack', 'examples', '--json'], env);
    expect(list.code, list.stderr).toBe(0);
    const listed = JSON.parse(list.stdout) as { ref: string; available?: boolean; reason?: string }[];
    expect(listed.find((a) => a.ref === 'examples.python_hello')).toMatchObject({ available: false, reason: expect.stringMatching(because) });
    expect(listed.find((a) => a.ref === 'examples.node_hello')).not.toHaveProperty('available');
    const get = await cli(cwd, ['action', 'get', 'core.pause'], env);
    expect(get.stdout).toMatch(/available: false/);
    expect(get.stdout).toMatch(because);
    const run = await cli(cwd, ['run', 'examples.python_hello'], env);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(new RegExp(`action unavailable: examples\\.python_hello - ${because.source}`));
    rmSync(cwd, { recursive: true, force: true });
  });
});

// End to end, through `actionrunner local` and the CLI: an Exchange-style pack (test/fixtures/packs/exchange_style)
// whose actions load and run as st2 runs them (the one whose runner this bundle lacks is refused alone), and our
// equivalents of st2's example workflows (test/fixtures/packs/st2_examples) with the results st2's integration
// tests (st2tests/integration/orquesta) expect of theirs.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, cli, cliJson, startLocal, type LocalProcess } from './helpers.ts';

const PACKS = fileURLToPath(new URL('../fixtures/packs', import.meta.url));
// playbook's cwd default: /tmp/<pack> (an ansible-style default read from action_context).
const PACK_CWD = '/tmp/exchange_style';

describe('st2 packs under actionrunner local', () => {
  let dir: string;
  let local: LocalProcess;
  const env = () => cleanEnv({ ACTIONRUNNER_PACKS_PATH: PACKS });
  const run = (...args: string[]) => cli(dir, args, env());
  const json = (...args: string[]) => cliJson(dir, args, env());

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'ar-exchange-'));
    mkdirSync(PACK_CWD, { recursive: true });
    local = await startLocal(dir, [], cleanEnv({ ACTIONRUNNER_PACKS_PATH: PACKS, ACTIONRUNNER_BATCHING_WINDOW: '0' }));
  });

  afterAll(async () => {
    await local?.stop('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists every action, those of runners it lacks as unavailable with the reason', async () => {
    const list = (await json('action', 'list', '--pack', 'exchange_style')) as unknown as Array<Record<string, unknown>>;
    expect(list.map((a) => [a.ref, a.available ?? true])).toEqual([
      ['exchange_style.chain', true],
      ['exchange_style.create_deployment', true],
      ['exchange_style.create_escalation_policy', true],
      ['exchange_style.describe_instances', true],
      ['exchange_style.playbook', true],
      ['exchange_style.remote', true],
      ['exchange_style.tag_resource', true],
      ['exchange_style.winrm', false],
    ]);
    expect(list[7].reason).toMatch(/winrm\.yaml - field "runner_type": runner "winrm-ps-cmd" is an st2 runner this bundle does not have/);
  });

  it('refuses to run the winrm-ps-cmd one, saying why (exit 2)', async () => {
    const refused = await run('run', 'exchange_style.winrm');
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim()).toMatch(
      /^error: action unavailable: exchange_style\.winrm - invalid action metadata: .*runner "winrm-ps-cmd" is an st2 runner/,
    );
  });

  it('runs an aws-style python action: every declared parameter reaches run(), unset ones as None', async () => {
    const doc = await json('run', 'exchange_style.describe_instances', 'region=eu-west-1', 'InstanceIds=["i-1"]');
    expect(doc.status).toBe('succeeded');
    expect(doc.result.result).toEqual({
      action: 'describe_instances',
      cls: 'ec2',
      headers: null,
      account_id: null,
      region: 'eu-west-1',
      InstanceIds: ['i-1'],
      DryRun: null,
      ResourceArn: null,
      Tags: null,
    });
  });

  it('validates pagerduty-style nested required properties at request time, naming what is missing', async () => {
    const refused = await run('run', 'exchange_style.create_escalation_policy', 'from_email=a@b.c', 'data={"escalation_rules": []}');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("invalid parameter: data - value must have required property 'name'");
    const doc = await json('run', 'exchange_style.create_escalation_policy', 'from_email=a@b.c', 'data={"name": "p", "escalation_rules": []}');
    expect(doc.result.result).toEqual({ from_email: 'a@b.c', name: 'p' });
  });

  it("renders defaults from action_context: the pack folder as cwd, the CLI's user, api_user falling back to it", async () => {
    // The CLI requests as ACTIONRUNNER_USER, else the OS user (cleanEnv drops ACTIONRUNNER_*).
    const user = userInfo().username;
    const playbook = await json('run', 'exchange_style.playbook');
    expect(playbook.result.stdout).toBe(`playbook=site.yml pack=exchange_style user=${user} cwd=${PACK_CWD}`);
    const deployment = await json('run', 'exchange_style.create_deployment', 'repository=org/repo');
    expect(deployment.result.result).toEqual({ api_user: user, repository: 'org/repo', description: null });
  });

  it('runs a local-shell-cmd with bash: arrays and [[ ]] work', async () => {
    const doc = await json('run', 'core.local', 'cmd=a=(x y); [[ ${#a[@]} == 2 ]] && echo "${a[1]}"');
    expect(doc.result).toMatchObject({ stdout: 'y', return_code: 0 });
  });

  describe("st2's example workflows (our equivalents), with the results st2's integration tests expect", () => {
    it('keys with dots stay keys through vars, input, a python action, publish and output (test_field_escaping)', async () => {
      const doc = await json('run', 'st2_examples.dotted-keys');
      expect(doc.status).toBe('succeeded');
      expect(doc.result).toEqual({
        output: {
          'out.hosts.with.dots': { 'web.example.org': 'value.with.dots', 'db.example.org': { stdout: 'nested.value.with.dots' } },
          'out.field.with.dots': 'nested.value.with.dots',
        },
      });
    });

    it('task() in Jinja by name, in a loop and per route after a split (test_task_functions_in_jinja)', async () => {
      const doc = await json('run', 'st2_examples.jinja-task-lookups');
      expect(doc.result).toEqual({
        output: {
          me: 'start',
          named: 'start',
          start_by_name: 'start',
          last_loop: 'False',
          reader_on_route_1: 'shared@1',
          reader_on_route_2: 'shared@2',
        },
      });
    });

    it.each([
      ['yaql', 'YaqlEvaluationException', '<% task("never_ran") %>'],
      ['jinja', 'JinjaEvaluationException', '{{ task("never_ran") }}'],
    ])("task() of a task that never ran fails in %s with orquesta's error (test_task_nonexistent_in_*)", async (syntax, exception, expression) => {
      const result = await run('run', `st2_examples.${syntax}-task-missing`, '--json');
      expect(result.code).toBe(1);
      expect(JSON.parse(result.stdout)).toMatchObject({
        status: 'failed',
        result: {
          output: null,
          errors: [
            {
              type: 'error',
              message: `${exception}: Unable to evaluate expression '${expression}'. ExpressionEvaluationException: Unable to find task execution for "never_ran".`,
              task_transition_id: 'continue__t0',
              task_id: 'first',
              route: 0,
            },
          ],
        },
      });
    });

    it('a subworkflow whose with-items gets no items succeeds, and so does its parent (test_subworkflow_empty_with_items)', async () => {
      const doc = await json('run', 'st2_examples.subworkflow-no-items');
      expect(doc).toMatchObject({ status: 'succeeded', result: { output: { greeted: 0 } } });
    });

    it('ctx(st2) gives the callback URL st2 gives (test_st2_runtime_context)', async () => {
      const doc = await json('run', 'examples.orquesta-st2-ctx');
      expect(doc.result.output.callback).toBe(`http://127.0.0.1:9101/v1/executions/${doc.id}`);
    });

    it('task(name, route=N) in YAQL (test_task_functions_in_yaql)', async () => {
      const doc = await json('run', 'examples.orquesta-test-yaql-task-functions');
      expect(doc.result).toEqual({
        output: {
          last_task4_result: 'False',
          task9__1__parent: 'task8__1',
          task9__2__parent: 'task8__2',
          that_task_by_name: 'task1',
          this_task_by_name: 'task1',
          this_task_no_arg: 'task1',
        },
      });
    });

    it("a task's error in publish is orquesta's, with the output so far (test_task_publish_error)", async () => {
      const result = await run('run', 'examples.orquesta-fail-task-publish', '--json');
      expect(result.code).toBe(1);
      expect(JSON.parse(result.stdout).result).toEqual({
        errors: [
          {
            type: 'error',
            message: "YaqlEvaluationException: Unable to resolve key 'value' in expression '<% result().value %>' from context.",
            task_transition_id: 'task2__t0',
            task_id: 'task1',
            route: 0,
          },
        ],
        output: { greeting: null },
      });
    });
  });
});

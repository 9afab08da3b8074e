import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileTemplate, loadActions, renderShellCommand, resolveParameters } from '../../../src/actions/index.ts';
import type { ActionDefinition } from '../../../src/actions/index.ts';
import { COMMAND_SHELL } from '../../../src/runners/common.ts';

const catalog = loadActions();
const echo = catalog.getRunnable('core.echo');
const work = mkdtempSync(path.join(tmpdir(), 'shell-safety-'));
const pwned = path.join(work, 'pwned');
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs the resolved `cmd` the way the local-shell-cmd runner does: bash -c (COMMAND_SHELL), `commandEnv` in the environment. */
function run(action: ActionDefinition, given: Record<string, unknown>): { stdout: string; status: number | null } {
  const { values, commandEnv } = resolveParameters(action, given);
  const result = spawnSync(COMMAND_SHELL, ['-c', values.cmd as string], {
    cwd: work,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, ...commandEnv },
  });
  return { stdout: result.stdout, status: result.status };
}

describe('core.echo: no parameter value can inject shell', () => {
  const messages = [
    `"; touch ${pwned}; echo "`,
    `$(touch ${pwned})`,
    `\`touch ${pwned}\``,
    `'; touch ${pwned}; echo '`,
    `\\"; touch ${pwned}; echo \\"`,
    `line one\nline two; touch ${pwned}`,
    '${HOME} $PATH * ?',
    '{{ 7*7 }}',
    '{% for x in range(3) %}{{ x }}{% endfor %}',
    '-n',
    '',
  ];
  it.each(messages)('echoes %j exactly and creates no file', (message) => {
    const { stdout, status } = run(echo, { message });
    expect(status).toBe(0);
    expect(stdout).toBe(message === '-n' ? '' : `${message}\n`);
    expect(existsSync(pwned)).toBe(false);
  });

  it('passes values through environment variables, never in the command text', () => {
    const { values, commandEnv } = resolveParameters(echo, { message: '$(id)' });
    expect(values.cmd).toBe('echo "${ST2_ARG_message}"');
    expect(commandEnv).toEqual({ ST2_ARG_message: '$(id)' });
    expect(values.message).toBe('$(id)');
  });

  it('is safe for values reached through other parameters and filters (examples.greet)', () => {
    const greet = catalog.getRunnable('examples.greet');
    expect(run(greet, { name: `x"; touch ${pwned}; "` }).stdout).toBe(`Hello, x"; touch ${pwned}; "!\n`);
    expect(existsSync(pwned)).toBe(false);
  });
});

describe('renderShellCommand: quoting contexts', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['echo {{ v }}', { v: 'a  b; touch PWN' }, 'a  b; touch PWN\n'],
    ["echo '{{ v }}'", { v: "it's $(touch PWN)" }, "it's $(touch PWN)\n"],
    ['echo "[{{ v | upper }}]"', { v: '`touch PWN`' }, '[`TOUCH PWN`]\n'],
    ['echo $(printf "%s" "{{ v }}") `printf %s {{ v }}`', { v: 'x;touch PWN' }, 'x;touch PWN x;touch PWN\n'],
    ['{% if v %}echo "{{ v }}"{% else %}echo none{% endif %}', { v: '' }, 'none\n'],
    ['{% for item in items %}echo "{{ item }}";{% endfor %}', { items: ['a;touch PWN', 'b'] }, 'a;touch PWN\nb\n'],
    ['echo "{{ o }}" {{ n }}', { o: { k: "'" }, n: 3 }, '{"k":"\'"} 3\n'],
  ];
  it.each(cases)('%s', (template, context, expected) => {
    const { command, env } = renderShellCommand(compileTemplate(template), context);
    const result = spawnSync(COMMAND_SHELL, ['-c', command], { cwd: work, encoding: 'utf8', env: { PATH: process.env.PATH, ...env } });
    expect(result.stdout).toBe(expected);
    expect(existsSync(path.join(work, 'PWN'))).toBe(false);
  });

  it('refuses a value right after a backslash', () => {
    expect(() => renderShellCommand(compileTemplate('echo \\{{ v }}'), { v: 'x' })).toThrow('a parameter cannot follow a backslash');
  });
});

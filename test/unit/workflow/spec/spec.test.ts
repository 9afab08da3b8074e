import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadWorkflow, parseInlineParams, parseWorkflow, WorkflowSpecError } from '../../../../src/workflow/spec/index.ts';

const FILE = '/wf/test.yaml';
const WORKFLOWS = join(import.meta.dirname, '../../../../packs/examples/actions/workflows');

function errorsOf(text: string): string[] {
  try {
    parseWorkflow(text, FILE);
  } catch (e) {
    expect(e).toBeInstanceOf(WorkflowSpecError);
    expect((e as Error).message.startsWith(`invalid workflow: ${FILE} - `)).toBe(true);
    return (e as WorkflowSpecError).errors;
  }
  throw new Error('expected the workflow to be rejected');
}

describe('parseInlineParams', () => {
  it('splits st2 inline params like orquesta', () => {
    expect(parseInlineParams('cmd=<% ctx(cmd) %> timeout=<% ctx(timeout) %>')).toEqual([
      ['cmd', '<% ctx(cmd) %>'],
      ['timeout', '<% ctx(timeout) %>'],
    ]);
    expect(parseInlineParams('message="Fee fi" n=3 f=1.5 t=True x=null l=[1, 2]')).toEqual([
      ['message', 'Fee fi'],
      ['n', 3],
      ['f', 1.5],
      ['t', true],
      ['x', null],
      ['l', [1, 2]],
    ]);
    expect(parseInlineParams('msg="task2 done", cd=<% result() %>')).toEqual([
      ['msg', 'task2 done'],
      ['cd', '<% result() %>'],
    ]);
    expect(parseInlineParams(`a='{"k": 1}' b="123" c={{ ctx().x + 1 }}`)).toEqual([
      ['a', { k: 1 }],
      ['b', '123'],
      ['c', '{{ ctx().x + 1 }}'],
    ]);
  });
});

describe('parseWorkflow', () => {
  it('loads what st2 loads (PyYAML): a quoted expression continued over less-indented lines, on/off booleans', () => {
    const text = [
      'version: 1.0',
      'vars:',
      '  - flag: on',
      'tasks:',
      '  t1:',
      '    action: core.noop',
      'output:',
      "  - piped: '{{",
      '        ctx("flag") |',
      '        to_json_string()',
      "    }}'",
      '',
    ].join('\n');
    const spec = parseWorkflow(text, FILE);
    expect(spec.vars).toEqual([{ name: 'flag', value: true }]);
    expect(spec.output).toEqual([{ name: 'piped', value: '{{ ctx("flag") | to_json_string() }}' }]);
  });

  it('parses the documented forms', () => {
    const spec = parseWorkflow(
      `
version: 1.0
description: demo
input:
  - a
  - b: 2
vars:
  - v: <% ctx().b %>
  - h: [h1]
  - c: [c1]
output:
  - out: <% ctx().v %>
tasks:
  t1:
    action: core.echo message=<% ctx().a %> other="x y"
    next:
      - when: <% succeeded() %>
        publish: x=<% result().stdout %> y="a b"
        do: t2, t3
      - when: <% failed() %>
        do: [noop]
  t2:
    action: core.noop
    next:
      - do: t4
  t3:
    with:
      items: host, cmd in <% zip(ctx().h, ctx().c) %>
      concurrency: 2
    action: core.local
    input:
      cmd: <% item(cmd) %>
    retry:
      count: 3
      delay: 1
    next:
      - publish:
          - z: 1
        do:
          - t4
  t4:
    join: all
`,
      FILE,
    );
    expect(spec.version).toBe('1.0');
    expect(spec.input).toEqual([
      { name: 'a', hasDefault: false },
      { name: 'b', hasDefault: true, default: 2 },
    ]);
    expect(spec.tasks.t1.action).toBe('core.echo');
    expect(spec.tasks.t1.input).toEqual({ message: '<% ctx().a %>', other: 'x y' });
    expect(spec.tasks.t1.next[0].publish).toEqual([
      { name: 'x', value: '<% result().stdout %>' },
      { name: 'y', value: 'a b' },
    ]);
    expect(spec.tasks.t1.next[0].do).toEqual(['t2', 't3']);
    expect(spec.tasks.t2.next[0].do).toEqual(['t4']);
    expect(spec.tasks.t3.with).toEqual({ items: '<% zip(ctx().h, ctx().c) %>', keys: ['host', 'cmd'], concurrency: 2 });
    expect(spec.tasks.t4.action).toBeUndefined();
    expect(spec.tasks.t4.next).toEqual([]);
    expect(spec.graph.startTasks).toEqual(['t1']);
    expect(spec.graph.inbound.t4.map((e) => e.from).sort()).toEqual(['t2', 't3']);
    expect(spec.graph.retry.t3).toEqual({ count: 3, delay: 1 });
  });

  it('defaults do to continue and understands do: retry', () => {
    const spec = parseWorkflow(
      `
version: 1.0
tasks:
  a:
    action: core.noop
    next:
      - when: <% failed() %>
        do: retry
      - publish: x=1
`,
      FILE,
    );
    expect(spec.tasks.a.next[1].do).toEqual(['continue']);
    expect(spec.graph.retry.a).toEqual({ when: '<% failed() %>', count: 3 });
  });

  it('finds start tasks, cycles and splits', () => {
    const spec = parseWorkflow(
      `
version: 1.0
vars:
  - again: false
tasks:
  init:
    next: [{do: loop}]
  loop:
    action: core.noop
    next:
      - when: <% ctx().again %>
        do: loop
      - do: a, b
  a:
    next: [{do: shared}]
  b:
    next: [{do: shared}]
  shared:
    action: core.noop
`,
      FILE,
    );
    expect(spec.graph.startTasks).toEqual(['init']);
    expect(spec.graph.inCycle.loop).toBe(true);
    expect(spec.graph.inCycle.a).toBe(false);
    expect(spec.graph.splits.shared).toBe(true);
    expect(spec.graph.splits.loop).toBe(false);
  });

  it('rejects a missing version', () => {
    expect(errorsOf('tasks:\n  a:\n    action: core.noop\n')).toEqual(['missing "version" (expected 1.0)']);
    expect(errorsOf('version: 2.0\ntasks:\n  a:\n    action: core.noop\n')).toEqual([`syntax error at version: 2 is not one of ['1.0', 1]`]);
  });

  it('rejects undefined tasks naming the task and transition', () => {
    expect(errorsOf('version: 1.0\ntasks:\n  t1:\n    action: core.noop\n  t2:\n    action: core.noop\n    next:\n      - do: t9\n')).toEqual([
      'semantic error at tasks.t2.next[0].do: The task "t9" is not defined.',
    ]);
    try {
      parseWorkflow('version: 1.0\ntasks:\n  t2:\n    next:\n      - do: [t1, t9]\n  t1: {}\n', FILE);
    } catch (e) {
      expect((e as Error).message).toBe(`invalid workflow: ${FILE} - semantic error at tasks.t2.next[0].do: The task "t9" is not defined.`);
    }
  });

  it('rejects unreachable joins', () => {
    const one = errorsOf('version: 1.0\ntasks:\n  a:\n    next: [{do: j}]\n  j:\n    join: all\n');
    expect(one[0]).toMatch(/^task "j": join is unreachable: it needs at least 2 inbound task transitions, it has 1/);
    const count = errorsOf('version: 1.0\ntasks:\n  s:\n    next: [{do: "a, b"}]\n  a:\n    next: [{do: j}]\n  b:\n    next: [{do: j}]\n  j:\n    join: 3\n');
    expect(count[0]).toMatch(/^task "j": join is unreachable: join: 3 but only 2 tasks/);
  });

  // Each inspection rule and its exact wording: inspect.test.ts.
  it('reports every problem of every kind in one pass', () => {
    const errs = errorsOf(`
version: 1.0
extra: 1
vars:
  - v: <% ctx().a + %>
tasks:
  t1:
    action: 42
    next:
      - do: 7
  fail:
    action: core.noop
`);
    expect(errs).toEqual([
      "syntax error at the workflow: Additional properties are not allowed ('extra' was unexpected)",
      "syntax error at tasks.t1.action: 42 is not of type 'string'",
      'syntax error at tasks.t1.next[0].do: 7 is not valid under any of the given schemas',
      'semantic error at tasks.fail: The task name "fail" is reserved with special function.',
      'expression error at vars: Parse error: unexpected end of statement',
      'context error at vars[0]: Variable "a" is referenced before assignment.',
    ]);
  });

  it('rejects a workflow without a start task', () => {
    const errs = errorsOf('version: 1.0\ntasks:\n  a:\n    next: [{do: b}]\n  b:\n    next: [{do: a}]\n');
    expect(errs[0]).toMatch(/^semantic error at tasks: Unable to identify any tasks to start the workflow/);
  });

  it('rejects YAML syntax errors and non-mappings', () => {
    expect(errorsOf('version: 1.0\ntasks: [\n')[0]).toMatch(/^YAML syntax error/);
    expect(errorsOf('- a\n')).toEqual(['the workflow definition must be a mapping']);
    expect(errorsOf('version: 1.0\n')).toEqual(["syntax error at the workflow: 'tasks' is a required property"]);
  });

  it('requires an action for with items', () => {
    expect(errorsOf('version: 1.0\nvars: [{x: [1]}]\ntasks:\n  a:\n    with: <% ctx().x %>\n')).toEqual([
      'semantic error at tasks.a: The action property is required for with items task.',
    ]);
  });

  it('loads every ported example workflow', async () => {
    const files = [
      ...readdirSync(WORKFLOWS)
        .filter((f) => f.endsWith('.yaml'))
        .map((f) => join(WORKFLOWS, f)),
      ...readdirSync(join(WORKFLOWS, 'tests')).map((f) => join(WORKFLOWS, 'tests', f)),
    ];
    expect(files.length).toBeGreaterThan(20);
    for (const f of files) {
      const spec = await loadWorkflow(f);
      expect(spec.graph.startTasks.length, f).toBeGreaterThan(0);
    }
  });

  it('reports an unreadable file', async () => {
    await expect(loadWorkflow('/nonexistent/wf.yaml')).rejects.toThrow(/^invalid workflow: \/nonexistent\/wf.yaml - cannot read file/);
  });
});

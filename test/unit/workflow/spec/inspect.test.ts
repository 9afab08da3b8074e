// Orquesta's inspection rules, translated from orquesta's own tests
// (orquesta/tests/unit/specs/native/test_workflow_spec_validate.py and test_workflow_spec_validate_vars.py),
// with st2's task-content rules (st2common/services/workflows.py inspect_task_contents).
// Orquesta groups issues by kind ({syntax: [...], context: [...]}); st2 flattens them with the kind as `type`
// and the expression's language as `language`: the expectations below are in st2's shape.
import { describe, expect, it } from 'vitest';
import type { ActionDefinition } from '../../../../src/actions/types.ts';
import { parsePackYaml } from '../../../../src/shared/pack-yaml.ts';
import { inspectTaskContents, inspectWorkflow, st2InspectionErrors, taskActions, type InspectionIssue } from '../../../../src/workflow/spec/inspect/index.ts';

const TASK = String.raw`properties.tasks.patternProperties.^\w+$`;
const inspect = (text: string) => inspectWorkflow(parsePackYaml(text) as Record<string, unknown>);
const ofType = (issues: InspectionIssue[], type: InspectionIssue['type']) => issues.filter((i) => i.type === type);

describe('syntax (orquesta JSON schema, jsonschema wording)', () => {
  it('a when that is not a string', () => {
    const doc =
      'version: 1.0\ntasks:\n  task1:\n    action: core.noop\n    next:\n      - when: [foobar]\n        do: task2\n  task2:\n    action: core.noop\n';
    expect(inspect(doc)).toEqual([
      {
        type: 'syntax',
        message: "['foobar'] is not of type 'string'",
        schema_path: `${TASK}.properties.next.items.properties.when.type`,
        spec_path: 'tasks.task1.next[0].when',
      },
    ]);
  });

  it('a publish list of a bare name, and a do mapping', () => {
    const publish = inspect(
      'version: 1.0\ntasks:\n  task1:\n    action: core.noop\n    next:\n      - publish: [foobar]\n        do: task2\n  task2:\n    action: core.noop\n',
    );
    expect(publish).toEqual([
      {
        type: 'syntax',
        message: "['foobar'] is not valid under any of the given schemas",
        schema_path: `${TASK}.properties.next.items.properties.publish.oneOf`,
        spec_path: 'tasks.task1.next[0].publish',
      },
    ]);
    const doMapping = inspect(
      'version: 1.0\ntasks:\n  task1:\n    action: core.noop\n    next:\n      - do: {task2: foobar}\n  task2:\n    action: core.noop\n',
    );
    expect(ofType(doMapping, 'syntax')).toEqual([
      {
        type: 'syntax',
        message: "{'task2': 'foobar'} is not valid under any of the given schemas",
        schema_path: `${TASK}.properties.next.items.properties.do.oneOf`,
        spec_path: 'tasks.task1.next[0].do',
      },
    ]);
  });

  it('a missing task list and an empty one', () => {
    expect(inspect('version: 1.0\ndescription: A basic sequential workflow.\n')).toEqual([
      { type: 'syntax', message: "'tasks' is a required property", schema_path: 'required', spec_path: null },
    ]);
    expect(inspect('version: 1.0\ntasks: {}\n')).toEqual([
      { type: 'syntax', message: '{} should be non-empty', schema_path: 'properties.tasks.minProperties', spec_path: 'tasks' },
    ]);
  });

  it('unknown properties, all in one message per mapping', () => {
    expect(inspect('version: 1.0\ntasks:\n  t:\n    action: core.noop\n    foo: 1\n    bar: 2\n')).toEqual([
      {
        type: 'syntax',
        message: "Additional properties are not allowed ('foo', 'bar' were unexpected)",
        schema_path: `${TASK}.additionalProperties`,
        spec_path: 'tasks.t',
      },
    ]);
  });

  it('accepts the with shorthand and a well-formed workflow', () => {
    const ok =
      'version: 1.0\ninput: [xs]\ntasks:\n  task1:\n    with: x in <% ctx(xs) %>\n    action: core.echo message=<% item(x) %>\n    next:\n      - publish: foo="bar"\n        do: task2\n  task2:\n    action: core.noop\n';
    expect(inspect(ok)).toEqual([]);
  });
});

describe('semantics', () => {
  it('a transition to a task that is not defined', () => {
    expect(inspect('version: 1.0\ntasks:\n  task1:\n    action: core.noop\n    next:\n      - do: task2\n')).toEqual([
      {
        type: 'semantic',
        message: 'The task "task2" is not defined.',
        spec_path: 'tasks.task1.next[0].do',
        schema_path: `${TASK}.properties.next.items.properties.do`,
      },
    ]);
  });

  it('a task named as an engine command', () => {
    expect(inspect('version: 1.0\ntasks:\n  task1:\n    action: core.noop\n    next:\n      - do: noop\n  noop:\n    action: core.noop\n')).toEqual([
      { type: 'semantic', message: 'The task name "noop" is reserved with special function.', spec_path: 'tasks.noop', schema_path: TASK },
    ]);
  });

  it('a join reached through nested splits', () => {
    const doc = [
      'version: 1.0',
      'tasks:',
      '  task1: {action: core.noop, next: [{when: <% succeeded() %>, do: "task2, task3, task5"}]}',
      '  task2: {action: core.noop, next: [{when: <% succeeded() %>, do: task4}]}',
      '  task3: {action: core.noop, next: [{when: <% succeeded() %>, do: task4}]}',
      '  task4: {action: core.noop, next: [{when: <% succeeded() %>, do: task5}]}',
      '  task5: {join: all, action: core.noop}',
    ].join('\n');
    expect(inspect(doc)).toEqual([
      { type: 'semantic', message: expect.stringMatching(/^The join task "task5" is unreachable\. A join task/), spec_path: 'tasks.task5', schema_path: TASK },
    ]);
  });

  it('no task to start from, and a with-items task without an action', () => {
    const loop =
      'version: 1.0\ninput: [{count: 0}]\ntasks:\n  task1:\n    action: core.noop\n    next: [{do: task2}]\n  task2:\n    action: core.noop\n    next: [{do: task1}]\n';
    expect(inspect(loop)).toEqual([
      {
        type: 'semantic',
        message:
          'Unable to identify any tasks to start the workflow. If the workflow has a loop, please add a task that serves as an entry point (or lead) into the loop.',
        spec_path: 'tasks',
        schema_path: 'properties.tasks',
      },
    ]);
    expect(inspect('version: 1.0\ntasks:\n  t:\n    with: <% [1] %>\n')).toEqual([
      { type: 'semantic', message: 'The action property is required for with items task.', spec_path: 'tasks.t', schema_path: TASK },
    ]);
  });
});

describe('expressions and context (test_fail_multiple_inspection)', () => {
  it('reports the malformed expression, the undefined variable and the bad input together', () => {
    const doc = [
      'version: 1.0',
      'vars:',
      '  - macro: polo',
      'tasks:',
      '  task1:',
      '    action: core.local cmd=<% ctx().foobar %>',
      '    next:',
      '      - when: <% succeeded() %>',
      '        do: [task2]',
      '  task2:',
      '    action: core.local',
      '    input:',
      '      - cmd: echo <% ctx().macro %>',
      '    next:',
      '      - when: <% <% succeeded() %>',
      '        do: task3',
      '  task3:',
      '    action: core.noop',
    ].join('\n');
    expect(inspect(doc)).toEqual([
      {
        type: 'syntax',
        spec_path: 'tasks.task2.input',
        message: "[{'cmd': 'echo <% ctx().macro %>'}] is not valid under any of the given schemas",
        schema_path: `${TASK}.properties.input.oneOf`,
      },
      {
        type: 'expression',
        language: 'yaql',
        spec_path: 'tasks.task2.next[0].when',
        expression: '<% <% succeeded() %>',
        message: "Parse error: unexpected '<' at position 0 of expression '<% succeeded()'",
        schema_path: `${TASK}.properties.next.items.properties.when`,
      },
      {
        type: 'context',
        language: 'yaql',
        spec_path: 'tasks.task1.input',
        expression: '<% ctx().foobar %>',
        message: 'Variable "foobar" is referenced before assignment.',
        schema_path: `${TASK}.properties.input`,
      },
    ]);
  });
});

describe('context: a variable is set before every read, on every path', () => {
  const context = (yaql: string) => ({ type: 'context', language: 'yaql', expression: yaql });

  it('input, vars and output read only what comes before them', () => {
    const doc =
      'version: 1.0\ninput:\n  - a: <% ctx().b %>\n  - b: 1\nvars:\n  - c: <% ctx().a %>\noutput:\n  - d: <% ctx().e %>\n  - e: <% ctx().d %>\ntasks:\n  t:\n    action: core.noop\n';
    expect(inspect(doc)).toEqual([
      { ...context('<% ctx().b %>'), message: 'Variable "b" is referenced before assignment.', spec_path: 'input[0]', schema_path: 'properties.input' },
      { ...context('<% ctx().e %>'), message: 'Variable "e" is referenced before assignment.', spec_path: 'output[0]', schema_path: 'properties.output' },
    ]);
  });

  it('a task reused by two branches sees only what each path published (test_bad_vars_in_reusable_split_tasks)', () => {
    const doc = [
      'version: 1.0',
      'vars:',
      '  - foobar: foobar',
      'tasks:',
      '  task1: {action: core.echo, input: {message: <% ctx().foobar %>}, next: [{when: <% succeeded() %>, publish: foo="bar", do: task2}]}',
      '  task2: {action: core.echo, input: {message: <% ctx().foo + ctx().bar %>}, next: [{when: <% succeeded() %>, do: task5}]}',
      '  task3: {action: core.echo, input: {message: <% ctx().foobar %>}, next: [{when: <% succeeded() %>, publish: bar="foo", do: task4}]}',
      '  task4: {action: core.echo, input: {message: <% ctx().foo + ctx().bar %>}, next: [{when: <% succeeded() %>, do: task5}]}',
      '  task5: {action: core.echo, input: {message: <% ctx().foo %>}}',
    ].join('\n');
    const at = (task: string) => ({ spec_path: `tasks.${task}.input`, schema_path: `${TASK}.properties.input` });
    expect(inspect(doc)).toEqual([
      { ...context('<% ctx().foo + ctx().bar %>'), message: 'Variable "bar" is referenced before assignment.', ...at('task2') },
      { ...context('<% ctx().foo + ctx().bar %>'), message: 'Variable "foo" is referenced before assignment.', ...at('task4') },
      { ...context('<% ctx().foo %>'), message: 'Variable "foo" is referenced before assignment.', ...at('task5') },
    ]);
  });

  it('a join sees what every inbound branch published (test_vars_in_join_task)', () => {
    const doc = [
      'version: 1.0',
      'vars:',
      '  - foobar: foobar',
      'tasks:',
      '  task1: {action: core.echo, input: {message: <% ctx().foobar %>}, next: [{when: <% succeeded() %>, publish: foo="bar", do: task2}]}',
      '  task2: {action: core.echo, input: {message: <% ctx().foo %>}, next: [{when: <% succeeded() %>, do: task5}]}',
      '  task3: {action: core.echo, input: {message: <% ctx().foobar %>}, next: [{when: <% succeeded() %>, publish: bar="foo", do: task4}]}',
      '  task4: {action: core.echo, input: {message: <% ctx().bar %>}, next: [{when: <% succeeded() %>, do: task5}]}',
      '  task5: {join: all, action: core.echo, input: {message: <% ctx().foo + ctx().bar %>}}',
    ].join('\n');
    expect(inspect(doc)).toEqual([]);
  });

  it('publish reads what is set before it (test_bad_vars_in_publish), and output sees every publish', () => {
    const doc = [
      'version: 1.0',
      'tasks:',
      '  task1: {action: core.noop, next: [{publish: foo="bar" bar="foo", do: task2}]}',
      '  task2: {action: core.echo, input: {message: <% ctx().foo + ctx().bar %>}, next: [{publish: foobar=<% ctx().fu + ctx().bar %>, do: task3}]}',
      '  task3: {action: core.echo, input: {message: <% ctx().fu + ctx().bar %>}, next: [{publish: foobar=<% ctx().fu + ctx().bar %>}]}',
      'output:',
      '  - all: <% ctx().foobar %>',
    ].join('\n');
    const publish = `${TASK}.properties.next.items.properties.publish`;
    expect(inspect(doc)).toEqual([
      {
        ...context('<% ctx().fu + ctx().bar %>'),
        message: 'Variable "fu" is referenced before assignment.',
        spec_path: 'tasks.task3.input',
        schema_path: `${TASK}.properties.input`,
      },
      {
        ...context('<% ctx().fu + ctx().bar %>'),
        message: 'Variable "fu" is referenced before assignment.',
        spec_path: 'tasks.task2.next[0].publish[0]',
        schema_path: publish,
      },
      {
        ...context('<% ctx().fu + ctx().bar %>'),
        message: 'Variable "fu" is referenced before assignment.',
        spec_path: 'tasks.task3.next[0].publish[0]',
        schema_path: publish,
      },
    ]);
  });

  it('a private variable cannot be read; ctx(st2) is always there', () => {
    const doc = 'version: 1.0\nvars:\n  - __x: 1\ntasks:\n  t:\n    action: core.echo message="{{ ctx().__x }} <% ctx().st2.user %>"\n';
    expect(inspect(doc).map((i) => [i.type, i.message])).toEqual([
      ['expression', expect.stringMatching(/.*/)],
      ['context', 'Variable "__x" that is prefixed with double underscores is considered a private variable and cannot be referenced.'],
    ]);
  });
});

describe("st2's task contents", () => {
  const action = (ref: string, parameters: ActionDefinition['parameters']) => ({ ref, parameters }) as ActionDefinition;
  const catalog = {
    get: (ref: string) => ({ 'core.echo': action('core.echo', { message: { type: 'string', required: true }, cmd: { type: 'string', default: 'x' } }) })[ref],
    unavailable: (ref: string) => (ref === 'pack.broken' ? { ref, file: '/f', reason: 'invalid action metadata: /f - field "runner_type": bad' } : undefined),
  };
  const contents = (text: string) => inspectTaskContents(taskActions(parsePackYaml(text) as Record<string, unknown>), catalog);

  it('a malformed reference, an unregistered action, one the loader refused, missing and unexpected inputs; expressions are left to run time', () => {
    const doc = [
      'version: 1.0',
      'tasks:',
      '  a: {action: echo}',
      '  b: {action: core.echoz}',
      '  c: {action: pack.broken}',
      '  d: {action: \'core.echo messages="hi"\'}',
      '  e: {action: <% ctx().which %>, input: {anything: 1}}',
      '  f: {action: core.echo, input: <% ctx().inputs %>}',
    ].join('\n');
    const input = `${TASK}.properties.input`;
    expect(contents(doc)).toEqual([
      {
        type: 'content',
        message: 'The action reference "echo" is not formatted correctly.',
        spec_path: 'tasks.a.action',
        schema_path: `${TASK}.properties.action`,
      },
      {
        type: 'content',
        message: 'The action "core.echoz" is not registered in the database.',
        spec_path: 'tasks.b.action',
        schema_path: `${TASK}.properties.action`,
      },
      {
        type: 'content',
        message: 'The action "pack.broken" is unavailable: invalid action metadata: /f - field "runner_type": bad',
        spec_path: 'tasks.c.action',
        schema_path: `${TASK}.properties.action`,
      },
      { type: 'content', message: 'Action "core.echo" is missing required input "message".', spec_path: 'tasks.d.input', schema_path: input },
      {
        type: 'content',
        message: 'Action "core.echo" has unexpected input "messages".',
        spec_path: 'tasks.d.input.messages',
        schema_path: `${input}.patternProperties.^\\w+$`,
      },
    ]);
  });

  it('st2 sorts all issues by type, then schema path', () => {
    const issue = (type: InspectionIssue['type'], schema: string): InspectionIssue => ({ type, message: '', spec_path: null, schema_path: schema });
    const sorted = st2InspectionErrors([issue('syntax', 'b'), issue('context', 'z'), issue('expression', 'a')], [issue('content', 'x'), issue('content', 'a')]);
    expect(sorted.map((i) => `${i.type}:${i.schema_path}`)).toEqual(['content:a', 'content:x', 'context:z', 'expression:a', 'syntax:b']);
  });
});

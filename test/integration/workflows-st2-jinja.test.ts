// Packs written for st2 load and run as there: pack YAML read as PyYAML reads it (a quoted
// expression spread over lines, yes/no), workflow Jinja and parameter templates with Python-Jinja
// (escapes in regexes, %, format, slices, selectattr with a test, `is defined`, None) and st2's
// filters. functions/workflows.ts and functions/actions.ts fed by event source mappings over the
// SQS emulator, state in DynamoDB Local, real child processes.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useFunctions } from '../helpers/functions.ts';
import { useSubstrate } from '../helpers/substrate.ts';

const packs = mkdtempSync(join(tmpdir(), 'wf-st2-jinja-'));
const actions = join(packs, 'st2jinja', 'actions');
mkdirSync(join(actions, 'workflows'), { recursive: true });
writeFileSync(join(actions, 'functions.yaml'), 'name: functions\nrunner_type: orquesta\nentry_point: workflows/functions.yaml\nenabled: yes\n');
// Written as st2 authors write it: single-quoted scalars (backslashes kept), one spread over lines.
writeFileSync(
  join(actions, 'workflows', 'functions.yaml'),
  String.raw`version: 1.0

vars:
  - json_str: '{"foo": {"bar": "foobar"}}'
  - servers:
    - name: web1
      load: 3
    - name: db1
      load: 9
    - name: web2
      load: 7
  - flag: on

tasks:
  task1:
    action: core.noop

output:
  - piped: '{{
        ctx("json_str") |
        from_json_string() |
        to_yaml_string() |
        from_yaml_string() |
        to_json_string()
    }}'
  - query: '{{ jsonpath_query(from_json_string(ctx("json_str")), "foo.bar") }}'
  - substring: '{{ regex_substring("I live at 668 Infinite Dr", "([0-9]{3} \w+ (?:Ave|St|Dr))") }}'
  - digits: '{{ regex_replace("v1.22.333", "\d+", "#") }}'
  - busy: '{{ ctx("servers") | selectattr("load", "gt", 5) | map(attribute="name") | list }}'
  - label: '{{ "%s-%03d" % (ctx("servers")[0].name, ctx("servers")[0].load) }}'
  - formatted: '{{ "{}:{:>4}|{}".format("up", ctx("servers") | length, ctx("flag")) }}'
  - tail: '{{ "web1.example.org".split(".")[0][1:] }}'
  - none_seen: '{{ None is none and ctx("flag") is true }}'
`,
);
writeFileSync(
  join(actions, 'greet.yaml'),
  [
    'name: greet',
    'runner_type: local-shell-cmd',
    'enabled: yes',
    'parameters:',
    '  who:',
    '    type: string',
    '  version:',
    '    type: string',
    "    default: '1.4.2'",
    '  cmd:',
    '    immutable: true',
    `    default: 'echo "{% if who is defined %}hi {{ who }}{% else %}hi nobody{% endif %} [{{ who }}] {{ version | version_bump_minor }} {{ version | regex_replace("\\.", "_") }} {{ None }}"'`,
    '',
  ].join('\n'),
);

const substrate = useSubstrate({ env: { ACTIONRUNNER_PACKS_PATH: packs } });
const functions = useFunctions(substrate);
const run = (action: string, parameters: Record<string, unknown> = {}) => functions.run(action, parameters);

describe('st2 packs run as in st2', () => {
  it('a workflow with st2 Jinja spread over YAML lines gives st2 outputs', async () => {
    const execution = await run('st2jinja.functions');
    expect(execution.status, JSON.stringify(execution.result)).toBe('succeeded');
    expect((execution.result as { output: unknown }).output).toEqual({
      piped: '{"foo": {"bar": "foobar"}}',
      query: ['foobar'],
      substring: '668 Infinite Dr',
      digits: 'v#.#.#',
      busy: ['db1', 'web2'],
      label: 'web1-003',
      formatted: 'up:   3|True',
      tail: 'eb1',
      none_seen: true,
    });
  });

  it('a cmd template with is defined, an optional parameter nobody gave, None and st2 filters', async () => {
    const without = await run('st2jinja.greet');
    expect(without.status, JSON.stringify(without.result)).toBe('succeeded');
    expect((without.result as { stdout: string }).stdout.trim()).toBe('hi nobody [] 1.5.0 1_4_2');
    const given = await run('st2jinja.greet', { who: 'Ann' });
    expect((given.result as { stdout: string }).stdout.trim()).toBe('hi Ann [Ann] 1.5.0 1_4_2');
  });
});

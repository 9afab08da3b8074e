// Values that come from users (workflow input given at run time) and from actions (result(),
// published variables) are data: every hostile payload comes back as the literal text.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { armCanaries, expectNothingReached, HOSTILE_ALL } from '../../../helpers/hostile-templates.ts';
import { drive, example, shell, spec } from './harness.ts';

const seen: unknown[] = [];
beforeAll(() => armCanaries());
afterAll(() => expectNothingReached(seen));

const FLOW = spec(`
version: 1.0
input:
  - msg
  - copy: <% ctx(msg) %>
vars:
  - v: '{{ ctx("msg") }}'
tasks:
  echo:
    action: core.echo
    input:
      message: <% ctx(msg) %>
    next:
      - when: <% succeeded() %>
        publish:
          - y: <% result().stdout %>
          - j: '{{ result().stdout }}'
        do: run
  run:
    action: core.local
    input:
      cmd: echo something
    next:
      - publish:
          - printed: <% result().stdout %>
          - jprinted: '{{ result().stdout }}'
          - said: 'it said <% result().stdout %>'
          - via_task: <% task(run).result.stdout %>
output:
  - msg: <% ctx(msg) %>
  - copy: <% ctx(copy) %>
  - v: <% ctx(v) %>
  - y: <% ctx(y) %>
  - j: <% ctx(j) %>
  - text: 'got {{ ctx("msg") }}'
  - printed: <% ctx(printed) %>
  - jprinted: '{{ ctx("jprinted") }}'
  - said: <% ctx(said) %>
  - via_task: <% ctx(via_task) %>
`);

describe('user input and action output are data', () => {
  it(`${HOSTILE_ALL.length} payloads given as workflow input, echoed, printed by an action and published come back literally`, () => {
    for (const payload of HOSTILE_ALL) {
      // core.echo echoes its message; core.local prints the payload whatever its command.
      const out = drive(FLOW, { msg: payload }, (cmd) => (cmd.action === 'core.local' ? shell(payload) : undefined));
      seen.push(out.complete, out.state.errors);
      expect(out.state.errors, payload).toEqual([]);
      expect(out.schedules[0]?.input, payload).toEqual({ message: payload });
      expect(out.complete?.output, payload).toEqual({
        msg: payload,
        copy: payload,
        v: payload,
        y: payload,
        j: payload,
        text: `got ${payload}`,
        printed: payload,
        jprinted: payload,
        said: `it said ${payload}`,
        via_task: payload,
      });
    }
    expectNothingReached(seen);
  });

  it('the pentest: members=["{{ 7*7 }}"] greets "{{ 7*7 }}", not 49', async () => {
    const out = drive(await example('orquesta-with-items'), { members: ['{{ 7*7 }}', '{{ range.constructor("return process.pid")() }}'] });
    expect(out.schedules.map((s) => s.input.message)).toEqual([
      '{{ 7*7 }}, resistance is futile!',
      '{{ range.constructor("return process.pid")() }}, resistance is futile!',
    ]);
    expect(out.complete?.output).toEqual({
      items: ['{{ 7*7 }}, resistance is futile!', '{{ range.constructor("return process.pid")() }}, resistance is futile!'],
    });
  });

  it(`${HOSTILE_ALL.length} payloads as with-items items reach the action literally`, async () => {
    const out = drive(await example('orquesta-with-items'), { members: [...HOSTILE_ALL] });
    seen.push(out.complete);
    expect(out.state.errors).toEqual([]);
    expect(out.schedules.map((s) => s.input.message)).toEqual(HOSTILE_ALL.map((p) => `${p}, resistance is futile!`));
    expectNothingReached(seen);
  });

  it('a task input that is one expression gives the data as it is, not rendered again', () => {
    const wf = spec('version: 1.0\ninput:\n  - params\ntasks:\n  t:\n    action: core.echo\n    input: <% ctx(params) %>\n');
    const params = { message: '{{ 7*7 }}', nested: ['<% 7*7 %>', { k: '{% if true %}x{% endif %}' }] };
    expect(drive(wf, { params }).schedules[0]?.input).toEqual(params);
  });

  it('an input given at run time is not rendered even when it names other inputs (orquesta would)', () => {
    const wf = spec('version: 1.0\ninput:\n  - a: one\n  - b\noutput:\n  - b: <% ctx(b) %>\ntasks:\n  t:\n    action: core.noop\n');
    expect(drive(wf, { b: '<% ctx(a) %>' }).complete?.output).toEqual({ b: '<% ctx(a) %>' });
    expect(drive(wf, { b: ['{{ ctx("a") }}', { k: '<% ctx(a) %>' }] }).complete?.output).toEqual({ b: ['{{ ctx("a") }}', { k: '<% ctx(a) %>' }] });
  });
});

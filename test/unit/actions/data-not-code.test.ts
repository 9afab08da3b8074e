// Parameter values given at run time are data: every hostile payload reaches the runner as
// the literal text, in values rendered from it and in the shell command's environment.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveParameters, type ActionDefinition } from '../../../src/actions/index.ts';
import { armCanaries, expectNothingReached, HOSTILE_ALL } from '../../helpers/hostile-templates.ts';

function action(runner: string, parameters: ActionDefinition['parameters']): ActionDefinition {
  return {
    ref: 'data.action',
    name: 'action',
    pack: 'data',
    description: '',
    runner_type: runner,
    enabled: true,
    packPath: '/data',
    metadataFile: '/data/actions/action.yaml',
    parameters,
  };
}

const seen: unknown[] = [];
beforeAll(() => armCanaries());
afterAll(() => expectNothingReached(seen));

describe('given parameter values are data', () => {
  it(`${HOSTILE_ALL.length} payloads given as parameters stay literal, also inside rendered defaults`, () => {
    const chain = action('noop', {
      message: { type: 'string' },
      greeting: { type: 'string', default: '{{ message }}, world' },
      listing: { type: 'array', default: ['{{ message }}', 'static'] },
      data: { type: 'object', default: { text: '{{ message | upper }}' } },
    });
    for (const payload of HOSTILE_ALL) {
      const { values } = resolveParameters(chain, { message: payload });
      seen.push(values);
      expect(values, payload).toEqual({ message: payload, greeting: `${payload}, world`, listing: [payload, 'static'], data: { text: payload.toUpperCase() } });
    }
    expectNothingReached(seen);
  });

  it(`${HOSTILE_ALL.length} payloads reach a shell command only through its environment, literally`, () => {
    const echo = action('local-shell-cmd', { message: { type: 'string' }, cmd: { type: 'string', default: 'echo "{{ message }}"', immutable: true } });
    for (const payload of HOSTILE_ALL) {
      const { values, commandEnv } = resolveParameters(echo, { message: payload });
      seen.push(values, commandEnv);
      expect(values.cmd, payload).toBe('echo "${ST2_ARG_message}"');
      expect(commandEnv, payload).toEqual({ ST2_ARG_message: payload });
    }
    expectNothingReached(seen);
  });
});

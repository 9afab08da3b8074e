// Every hostile payload of test/fixtures/hostile-templates.txt, run through every place that
// evaluates pack-author text: the expression facade, the seven workflow places (input default,
// vars, task input, with-items, when, publish, output) and parameter rendering (a default and
// a local-shell-cmd `cmd`). Each must fail with an expression error and reach nothing.
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidParameterError, resolveParameters, type ActionDefinition } from '../../../src/actions/index.ts';
import { ValidationError } from '../../../src/model/errors.ts';
import { evaluate, ExpressionError } from '../../../src/workflow/expressions/index.ts';
import { parseWorkflow, WorkflowSpecError, type WorkflowSpec } from '../../../src/workflow/spec/index.ts';
import { armCanaries, expectNothingReached, HOSTILE_JINJA, HOSTILE_YAQL } from '../../helpers/hostile-templates.ts';
import { drive } from '../workflow/conductor/harness.ts';

const PLACEHOLDER = 'HOSTILE-PLACEHOLDER';
const WORKFLOW_PLACES = ['input default', 'vars', 'task input', 'with-items', 'when', 'publish', 'output'] as const;
type WorkflowPlace = (typeof WORKFLOW_PLACES)[number];

/** A workflow with `expr` in one place; ctx holds xs, d and s for payloads to poke at. */
function workflowDoc(place: WorkflowPlace, expr: string): Record<string, unknown> {
  const t: Record<string, unknown> = { action: 'core.echo', input: { message: 'hi' } };
  const transition: Record<string, unknown> = { when: '<% succeeded() %>', publish: [{ p: 'ok' }], do: 'u' };
  t.next = [transition];
  const doc: Record<string, unknown> = {
    version: '1.0',
    input: [{ xs: [1, 2] }, { d: { a: 1 } }, { s: 'text' }],
    tasks: { t, u: { action: 'core.noop' } },
    output: [{ o: 'done' }],
  };
  if (place === 'input default') (doc.input as unknown[]).push({ hostile: expr });
  if (place === 'vars') doc.vars = [{ v: expr }];
  if (place === 'task input') t.input = { message: expr };
  if (place === 'with-items') t.with = { items: expr };
  if (place === 'when') transition.when = expr;
  if (place === 'publish') transition.publish = [{ p: expr }];
  if (place === 'output') doc.output = [{ o: expr }];
  return doc;
}

function replaceDeep(value: unknown, from: string, to: string): unknown {
  if (value === from) return to;
  if (Array.isArray(value)) return value.map((v) => replaceDeep(v, from, to));
  if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) (value as Record<string, unknown>)[k] = replaceDeep(v, from, to);
  }
  return value;
}

/**
 * The workflow with the payload in `place`, parsed with a placeholder and the payload put in
 * afterwards: load-time validation would refuse most payloads, and the point is that the
 * conductor's own evaluation refuses them too.
 */
function hostileWorkflow(place: WorkflowPlace, payload: string): WorkflowSpec {
  // with.items must look like an expression to load.
  const placeholder = place === 'with-items' ? '<% ctx(xs) %>' : PLACEHOLDER;
  const spec = parseWorkflow(stringify(workflowDoc(place, placeholder)), `/hostile/${place}.yaml`);
  return replaceDeep(spec, placeholder, payload) as WorkflowSpec;
}

/** Runs the workflow; returns the error messages it failed with. */
function runWorkflow(place: WorkflowPlace, payload: string): string[] {
  const out = drive(hostileWorkflow(place, payload));
  expect(out.complete?.status, `${place}: ${payload}`).toBe('failed');
  return out.state.errors.map((e) => e.message);
}

// Parameter rendering has no ctx(): the payload's `ctx().x` reads the parameter x instead.
function asParameterTemplate(payload: string): string {
  return payload.replace(/ctx\(\)\./g, '').replace(/ctx\(\)/g, 'd');
}

function action(runner: string, parameters: ActionDefinition['parameters']): ActionDefinition {
  return {
    ref: 'hostile.action',
    name: 'action',
    pack: 'hostile',
    description: '',
    runner_type: runner,
    enabled: true,
    packPath: '/hostile',
    metadataFile: '/hostile/actions/action.yaml',
    parameters: { xs: { type: 'array', default: [1, 2] }, d: { type: 'object', default: { a: 1 } }, s: { type: 'string', default: 'text' }, ...parameters },
  };
}

function renderError(definition: ActionDefinition): unknown {
  try {
    return { rendered: resolveParameters(definition, {}).values };
  } catch (e) {
    return e;
  }
}

const seen: unknown[] = [];
beforeAll(() => armCanaries());
afterAll(() => expectNothingReached(seen));

describe('hostile corpus', () => {
  it('holds at least 100 Jinja and 40 YAQL payloads', () => {
    expect(HOSTILE_JINJA.length).toBeGreaterThanOrEqual(100);
    expect(HOSTILE_YAQL.length).toBeGreaterThanOrEqual(40);
    expect(new Set([...HOSTILE_JINJA, ...HOSTILE_YAQL]).size).toBe(HOSTILE_JINJA.length + HOSTILE_YAQL.length);
  });

  const context = { ctx: { xs: [1, 2], d: { a: 1 }, s: 'text' } };

  describe.each([
    ['Jinja', HOSTILE_JINJA],
    ['YAQL', HOSTILE_YAQL],
  ] as const)('%s payloads', (_syntax, payloads) => {
    it('fail in the expression facade with an ExpressionError', () => {
      for (const payload of payloads) {
        let error: unknown;
        try {
          seen.push(evaluate(payload, context));
        } catch (e) {
          error = e;
        }
        expect(error, payload).toBeInstanceOf(ExpressionError);
        seen.push(error);
      }
      expectNothingReached(seen);
    });

    it.each(WORKFLOW_PLACES)('fail in the workflow %s with an ExpressionError', (place) => {
      for (const payload of payloads) {
        const errors = runWorkflow(place, payload);
        seen.push(errors);
        expect(
          errors.some((m) => /^(Yaql|Jinja|Expression)EvaluationException: /.test(m)),
          `${place}: ${payload} -> ${errors.join(' | ')}`,
        ).toBe(true);
      }
      expectNothingReached(seen);
    });

    it('are refused or kept inert when a workflow is loaded (validation compiles, never runs)', () => {
      for (const payload of payloads) {
        try {
          seen.push(parseWorkflow(stringify(workflowDoc('task input', payload)), '/hostile/load.yaml'));
        } catch (e) {
          expect(e, payload).toBeInstanceOf(WorkflowSpecError);
          seen.push(e);
        }
      }
      expectNothingReached(seen);
    });
  });

  it.each([
    ['a parameter default', (template: string) => action('noop', { hostile: { default: template } })],
    ['the cmd of local-shell-cmd', (template: string) => action('local-shell-cmd', { cmd: { type: 'string', default: template, immutable: true } })],
  ] as const)('Jinja payloads fail in %s with an InvalidParameterError', (_place, build) => {
    for (const payload of HOSTILE_JINJA) {
      const outcome = renderError(build(asParameterTemplate(payload)));
      seen.push(outcome);
      expect(outcome, payload).toBeInstanceOf(InvalidParameterError);
      expect(outcome).toBeInstanceOf(ValidationError);
    }
    expectNothingReached(seen);
  });
});

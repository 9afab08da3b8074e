// Which messages the actions function may claim on arrival (`{ executionId, action }`, no read first): only
// actions that run at once as they are. The dispatcher's side is in pool-dispatch.test.ts, the DynamoDB
// condition in test/integration/actions-handler.test.ts.
import { describe, expect, it } from 'vitest';
import { loadActions } from '../../../src/actions/index.ts';
import { arrivalFilter } from '../../../src/dispatch/arrival.ts';
import { createRunners } from '../../../src/runners/index.ts';
import { policedPack } from './policed-pack.ts';

const catalog = loadActions({ packsPaths: [policedPack()] });
const runners = createRunners();

describe('arrivalFilter', () => {
  const deps = { catalog, runner: (name: string) => runners.get(name) };

  it('lets an action that runs at once as it is be claimed on arrival: its action and runner, due within the early tolerance', () => {
    expect(arrivalFilter('core.local', deps, 1000)).toEqual({ action: 'core.local', runner: 'local-shell-cmd', dueBy: 1500 });
  });

  it('keeps the usual way for no action named, an unknown one, an inquiry, a workflow, a concurrency policy, and in the workflows function', () => {
    expect(arrivalFilter(undefined, deps)).toBeUndefined();
    expect(arrivalFilter('nope.nothing', deps)).toBeUndefined();
    expect(arrivalFilter('core.ask', deps)).toBeUndefined();
    expect(arrivalFilter('examples.orquesta-basic', deps)).toBeUndefined();
    expect(arrivalFilter('p.policed', deps)).toBeUndefined();
    expect(arrivalFilter('core.local', { ...deps, workflows: { start: async () => undefined, onTaskCompleted: async () => undefined } })).toBeUndefined();
  });
});

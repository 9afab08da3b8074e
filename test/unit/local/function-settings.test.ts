import { describe, expect, it } from 'vitest';
import { functionSettings, handlerModulePath, warmContainers } from '../../../src/local/function-settings.ts';

describe('handlerModulePath', () => {
  it('is the TypeScript source when the sources run', () => {
    expect(handlerModulePath('/app', 'functions/actions', 'file:///app/src/local/function-settings.ts')).toBe('/app/functions/actions.ts');
  });

  it('is the built module, in the build running now, when the build runs', () => {
    expect(handlerModulePath('/app', 'functions/actions', 'file:///app/dist/chunks/chunk-ABC.mjs')).toBe('/app/dist/functions/actions.mjs');
    expect(handlerModulePath('/app', 'functions/workflows', 'file:///elsewhere/dist/cli/main.mjs')).toBe('/elsewhere/dist/functions/workflows.mjs');
  });

  it('is the source under vitest (this test runs the sources)', () => {
    expect(functionSettings('dev').actions.handlerModule).toMatch(/\/functions\/actions\.ts$/);
  });
});

describe('functionSettings and the pool sizes', () => {
  it('keeps the containers of serverless.yml when the pool sizes are set: the pools bound running actions, not containers', () => {
    const settings = functionSettings('dev', { ACTIONRUNNER_ACTIONS_POOL_SIZE: '5', ACTIONRUNNER_WORKFLOWS_POOL_SIZE: '3' });
    expect(settings.actions.reservedConcurrency).toBe(60);
    expect(settings.workflows.reservedConcurrency).toBe(40);
    expect(settings.actions.environment.ACTIONRUNNER_ACTIONS_POOL_SIZE).toBe('60');
  });
});

describe('warmContainers', () => {
  it('loads as many actions containers as fill the pool at `parallelism` each, within the concurrency cap', () => {
    const actions = functionSettings('dev').actions;
    expect(warmContainers({ actionsPoolSize: 60, parallelism: 10 }, actions)).toBe(6);
    expect(warmContainers({ actionsPoolSize: 61, parallelism: 10 }, actions)).toBe(7);
    expect(warmContainers({ actionsPoolSize: 10, parallelism: 10 }, actions)).toBe(1);
    expect(warmContainers({ actionsPoolSize: 1000, parallelism: 1 }, { ...actions, reservedConcurrency: 60, maximumConcurrency: 20 })).toBe(20);
  });
});

import { dirname } from 'node:path';
import type { ActionDefinition, ParameterSpec } from '../../../src/actions/types.ts';
import type { RunRequest } from '../../../src/runners/types.ts';
import { fixture } from '../process/helpers.ts';
import { RecordingSink } from '../process/recording-sink.ts';

export { fixture, RecordingSink };

/** An ActionDefinition built inline (no pack loading), `entry` being a fixture name. */
export function action(
  runner: string,
  fields: { entry?: string; parameters?: Record<string, ParameterSpec>; extra?: Record<string, unknown> } = {},
): ActionDefinition {
  const entryPointPath = fields.entry ? fixture(fields.entry) : undefined;
  return {
    ref: 'tests.sample',
    name: 'sample',
    pack: 'tests',
    description: 'test action',
    runner_type: runner,
    enabled: true,
    entry_point: fields.entry,
    entryPointPath,
    packPath: entryPointPath ? dirname(entryPointPath) : '/nonexistent',
    metadataFile: '/nonexistent/sample.yaml',
    parameters: fields.parameters ?? {},
    ...fields.extra,
  };
}

/** A RunRequest with a recording sink and short limits; returns the sink too. */
export function request(
  def: ActionDefinition,
  parameters: Record<string, unknown>,
  overrides: Partial<RunRequest> = {},
): RunRequest & { output: RecordingSink } {
  return {
    executionId: '01JTESTEXECUTION',
    action: def,
    parameters,
    timeoutMs: 10_000,
    signal: new AbortController().signal,
    output: new RecordingSink(),
    killGraceMs: 300,
    resultMaxBytes: 1 << 20,
    ...overrides,
  } as RunRequest & { output: RecordingSink };
}

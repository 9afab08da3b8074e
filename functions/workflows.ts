import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createRuntime } from '../src/dispatch/runtime.ts';
import { WorkflowEngine } from '../src/workflow/engine.ts';

// Built once per cold start: clients, pack catalog, the orquesta engine.
export const runtime = createRuntime({ workflows: (deps) => new WorkflowEngine(deps) });

/** Starts and advances workflows (start, task-completed and cancel events); never waits on a task. */
export function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  return runtime.processor.process(event, context);
}

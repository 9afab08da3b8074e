import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createRuntime } from '../src/dispatch/runtime.ts';

// Built once per cold start: clients, pack catalog, the bounded pool.
export const runtime = createRuntime();

/** Runs the actions of an SQS batch through the bounded pool; failed records are redelivered. */
export function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  return runtime.processor.process(event, context);
}

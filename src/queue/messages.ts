import { z } from 'zod';
import { ValidationError } from '../model/errors.ts';

/**
 * Message contract v1 (JSON). `version` may be left out and then means 1.
 * - `{ "executionId": "01J..." }` runs an execution that already exists; its message attribute `action` (or
 *   `"action"` beside it in the body) names the execution's action, which lets the actions function claim it
 *   without reading it first (the claim checks it: a wrong name costs one refused write, never a wrong run).
 * - `{ "action": "core.local", "parameters": { "cmd": "date" }, "idempotencyKey": "..." }` requests and runs one.
 * - `{ "type": "task-completed", ... }` tells a workflow that one of its tasks ended (internal).
 */
const version = z.literal(1).default(1);

const actionRef = z.string().regex(/^[\w-]+\.[\w.-]+$/, 'expected an action ref "pack.name"');

const runExecution = z.object({ version, executionId: z.string().min(1), action: actionRef.optional() }).strict();

const requestAction = z
  .object({
    version,
    action: actionRef,
    parameters: z.record(z.string(), z.unknown()).default({}),
    idempotencyKey: z.string().min(1).max(255).optional(),
  })
  .strict();

const taskCompleted = z
  .object({
    version,
    type: z.literal('task-completed'),
    workflowId: z.string().min(1),
    taskId: z.string().min(1),
    executionId: z.string().min(1),
  })
  .strict();

export type RunExecutionMessage = z.infer<typeof runExecution>;
export type RequestActionMessage = z.infer<typeof requestAction>;
export type TaskCompletedMessage = z.infer<typeof taskCompleted>;
export type Message = RunExecutionMessage | RequestActionMessage | TaskCompletedMessage;
/** A message as a producer writes it (`version` may be left out). */
export type OutgoingMessage = z.input<typeof runExecution> | z.input<typeof requestAction> | z.input<typeof taskCompleted>;

/**
 * Message attribute naming the action of the execution a `{ executionId }` message is about (what the body's
 * `action` says too, which producers leave out: functions of earlier releases refuse a body with it).
 */
export const ACTION_ATTRIBUTE = 'action';

/** A full request (action and parameters), rather than a message about an existing execution (which may name its action too). */
export function isRequest(message: Message): message is RequestActionMessage {
  return !('executionId' in message);
}

/** Largest body SQS accepts. */
export const MAX_MESSAGE_BYTES = 256 * 1024;

/**
 * Parses and validates one message body.
 * @throws ValidationError saying what was expected and what was given.
 */
export function parseMessage(body: string): Message {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new ValidationError(`malformed message: body is not JSON - ${(error as Error).message}; got ${preview(body)}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ValidationError(`malformed message: expected a JSON object, got ${preview(body)}`);
  }
  const record = json as Record<string, unknown>;
  if (record.version !== undefined && record.version !== 1) {
    throw new ValidationError(`malformed message: unsupported version - expected 1, got ${JSON.stringify(record.version)}`);
  }
  const schema = 'type' in record ? taskCompleted : 'executionId' in record ? runExecution : 'action' in record ? requestAction : undefined;
  if (!schema) {
    throw new ValidationError(`malformed message: expected "executionId" or "action" (with "parameters"), got keys ${JSON.stringify(Object.keys(record))}`);
  }
  const parsed = schema.safeParse(record);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(message)'}: ${issue.message}`).join('; ');
    throw new ValidationError(`malformed message: ${issues}; got ${preview(body)}`);
  }
  return parsed.data;
}

function preview(body: string): string {
  return JSON.stringify(body.length > 200 ? `${body.slice(0, 200)}...` : body);
}

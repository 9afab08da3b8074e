import type { Execution } from '../model/execution.ts';
import type { ExecutionStore } from '../store/executions.ts';
import { keyFor } from '../store/keys.ts';
import type { DeadLetter, DeadLetterQueueInfo } from './dead-letter-queues.ts';

/** One dead letter as the CLI shows it: what it is about, and why it is there. */
export interface DeadLetterView {
  letter: DeadLetter;
  /** The execution the message is about: its `executionId`, a task event's workflow, or the execution a request created. */
  executionId: string | undefined;
  execution: Execution | undefined;
  action: string | undefined;
  /** Deliveries to the handler before it was dead-lettered (SQS counts the DLQ's own reads on top). */
  received: number | undefined;
  /** When it was sent: to the DLQ by a handler, or, moved by SQS, to its source queue. */
  sentAt: string | undefined;
  /** `handler`: a handler sent it with the reason; `sqs`: SQS moved it after maxReceiveCount receives. */
  movedBy: 'handler' | 'sqs';
  reason: string;
}

/** The fields of a body that name things, read without validating it (a malformed message may still name its execution). */
function bodyFields(body: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(body);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);

/** The message id a request's execution is keyed on when it has no idempotencyKey: the one its first send got. */
export function originalMessageId(letter: DeadLetter): string {
  return letter.messageAttributes.originalMessageId ?? letter.messageId;
}

/** Where the execution a message is about can be found: by id, or by the idempotency key its request was created under. */
async function executionIdOf(letter: DeadLetter, store: Pick<ExecutionStore, 'get'>): Promise<string | undefined> {
  const fields = bodyFields(letter.body);
  if (fields.type === 'task-completed') return text(fields.workflowId);
  if (text(fields.executionId)) return text(fields.executionId);
  if (!text(fields.action)) return undefined;
  const key = text(fields.idempotencyKey) ?? `sqs:${originalMessageId(letter)}`;
  const marker = (await store.get(keyFor.idempotency(key).id)) as { executionId?: string } | undefined;
  return marker?.executionId;
}

/** "moved by SQS after 5 receives (no reason recorded); execution 01J... failed: gave up after ..." */
function sqsReason(info: DeadLetterQueueInfo, executionId: string | undefined, execution: Execution | undefined): string {
  const after = info.maxReceiveCount === undefined ? '' : ` after ${info.maxReceiveCount} receives`;
  const head = `moved by SQS${after} (no reason recorded)`;
  if (!executionId) return `${head}; it names no execution`;
  if (!execution) return `${head}; execution ${executionId} not found`;
  return `${head}; execution ${execution.id} ${execution.status}${execution.error ? `: ${execution.error}` : ''}`;
}

/**
 * What one dead letter is about and why it is there: the reason a handler recorded (`error` attribute),
 * or, for one SQS moved after maxReceiveCount receives, the status and error of the execution it names.
 */
export async function describeDeadLetter(letter: DeadLetter, info: DeadLetterQueueInfo, store: Pick<ExecutionStore, 'get'>): Promise<DeadLetterView> {
  const executionId = await executionIdOf(letter, store);
  const execution = executionId ? await store.get(executionId) : undefined;
  const handlerReason = letter.messageAttributes.error;
  const recorded = Number(letter.messageAttributes.receiveCount);
  const sent = Number(letter.attributes.SentTimestamp);
  return {
    letter,
    executionId,
    execution,
    action: execution?.action ?? text(bodyFields(letter.body).action),
    received: handlerReason === undefined ? info.maxReceiveCount : Number.isFinite(recorded) && recorded > 0 ? recorded : undefined,
    sentAt: Number.isFinite(sent) && sent > 0 ? new Date(sent).toISOString() : undefined,
    movedBy: handlerReason === undefined ? 'sqs' : 'handler',
    reason: handlerReason ?? sqsReason(info, executionId, execution),
  };
}

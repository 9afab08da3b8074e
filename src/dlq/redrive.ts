import { ValidationError } from '../model/errors.ts';
import { isRequest, parseMessage } from '../queue/messages.ts';
import type { DeadLetter } from './dead-letter-queues.ts';
import { originalMessageId } from './describe.ts';
import { NotRedrivableError } from './errors.ts';

/**
 * The body a redrive sends back to the source queue. Redriving is safe to repeat (twice by hand, or
 * again after a crash between the send and the delete) because every message is idempotent on its
 * execution: an `executionId` message is claimed with a conditional write (an ended one is not run
 * again, a running one is left to its runner), a task event is ignored by a workflow that already
 * heard it, and a request keeps the idempotency key of its first delivery (`sqs:<message id>`, added
 * to the body when the producer gave none), so it names the execution it created then.
 * @throws NotRedrivableError when the body is no valid message: it would come straight back.
 * @example redriveBody(letter) // '{"action":"core.local","parameters":{},"idempotencyKey":"sqs:4f1c..."}'
 */
export function redriveBody(letter: DeadLetter): string {
  let message: ReturnType<typeof parseMessage>;
  try {
    message = parseMessage(letter.body);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new NotRedrivableError(`not redrivable: message ${letter.messageId} - its body is no valid message, it would come straight back (${error.message})`, {
      context: { messageId: letter.messageId },
    });
  }
  if (!isRequest(message) || message.idempotencyKey !== undefined) return letter.body;
  const raw = JSON.parse(letter.body) as Record<string, unknown>;
  return JSON.stringify({ ...raw, idempotencyKey: `sqs:${originalMessageId(letter)}` });
}

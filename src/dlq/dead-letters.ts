import type { QueueKind } from '../queue/work-queue.ts';
import type { ExecutionStore } from '../store/executions.ts';
import type { DeadLetter, DeadLetterQueueInfo, DeadLetterQueues } from './dead-letter-queues.ts';
import { describeDeadLetter, type DeadLetterView } from './describe.ts';
import { EmptyDeadLetterQueueError, InvalidQueueError, NotRedrivableError, UnknownDeadLetterError } from './errors.ts';
import { redriveBody } from './redrive.ts';

/** The work queues whose dead letters a command looks at: the one named, or both. */
export function queueKinds(name?: string): QueueKind[] {
  if (name === undefined) return ['actions', 'workflows'];
  if (name === 'actions' || name === 'workflows') return [name];
  throw new InvalidQueueError(`invalid queue: ${JSON.stringify(name)} - expected actions or workflows`);
}

/** What a redrive did with one message. */
export type RedriveOutcome =
  { messageId: string; queue: QueueKind; redriven: true; sentAs: string } | { messageId: string; queue: QueueKind; redriven: false; reason: string };

/** What `actionrunner dlq` does: list, show and redrive the messages of the work queues' dead-letter queues. */
export class DeadLetters {
  constructor(
    private readonly queues: DeadLetterQueues,
    private readonly store: Pick<ExecutionStore, 'get'>,
  ) {}

  /** Every message on the DLQs of `kinds`, oldest first, with the reason each is there; none is consumed. */
  async list(kinds: QueueKind[]): Promise<DeadLetterView[]> {
    const { letters, infos } = await this.#scan(kinds);
    await this.queues.release(letters);
    return Promise.all(letters.map((letter) => describeDeadLetter(letter, infos.get(letter.queue)!, this.store)));
  }

  /** One message, by id. @throws UnknownDeadLetterError when it is on none of the DLQs of `kinds`. */
  async show(messageId: string, kinds: QueueKind[]): Promise<DeadLetterView> {
    const { letters, infos } = await this.#scan(kinds);
    await this.queues.release(letters);
    const letter = letters.find((candidate) => candidate.messageId === messageId);
    if (!letter) throw this.#unknown([messageId], [...infos.values()], letters.length);
    return describeDeadLetter(letter, infos.get(letter.queue)!, this.store);
  }

  /**
   * Sends messages back to their source queue, then deletes them from the DLQ (see `redriveBody` for why
   * repeating it never runs an action twice). `ids` empty means all. A message whose body can never be
   * processed is left on the DLQ and reported. Nothing is redriven when one of `ids` is unknown.
   * @throws UnknownDeadLetterError, EmptyDeadLetterQueueError
   */
  async redrive(kinds: QueueKind[], ids: string[]): Promise<RedriveOutcome[]> {
    const { letters, infos } = await this.#scan(kinds);
    const chosen = ids.length === 0 ? letters : letters.filter((letter) => ids.includes(letter.messageId));
    const missing = ids.filter((id) => !letters.some((letter) => letter.messageId === id));
    if (missing.length > 0 || chosen.length === 0) {
      await this.queues.release(letters);
      if (missing.length > 0) throw this.#unknown(missing, [...infos.values()], letters.length);
      throw new EmptyDeadLetterQueueError(`nothing to redrive: ${names([...infos.values()])} - no message is there (see "actionrunner dlq list")`);
    }
    const outcomes: RedriveOutcome[] = [];
    try {
      for (const letter of chosen) outcomes.push(await this.#redriveOne(letter));
    } finally {
      await this.queues.release(letters.filter((letter) => !outcomes.some((outcome) => outcome.redriven && outcome.messageId === letter.messageId)));
    }
    return outcomes;
  }

  async #redriveOne(letter: DeadLetter): Promise<RedriveOutcome> {
    let body: string;
    try {
      body = redriveBody(letter);
    } catch (error) {
      if (!(error instanceof NotRedrivableError)) throw error;
      return { messageId: letter.messageId, queue: letter.queue, redriven: false, reason: error.message };
    }
    // Send first, then delete: a crash in between leaves a copy on both queues, which is harmless.
    const sentAs = await this.queues.sendBack(letter, body);
    await this.queues.delete(letter);
    return { messageId: letter.messageId, queue: letter.queue, redriven: true, sentAs };
  }

  async #scan(kinds: QueueKind[]): Promise<{ letters: DeadLetter[]; infos: Map<QueueKind, DeadLetterQueueInfo> }> {
    const infos = new Map<QueueKind, DeadLetterQueueInfo>();
    const letters: DeadLetter[] = [];
    for (const kind of kinds) {
      infos.set(kind, await this.queues.info(kind));
      letters.push(...(await this.queues.scan(kind)));
    }
    return { letters, infos };
  }

  #unknown(ids: string[], infos: DeadLetterQueueInfo[], seen: number): UnknownDeadLetterError {
    const state = seen === 0 ? 'which are empty' : `which hold ${seen} message${seen === 1 ? '' : 's'}`;
    return new UnknownDeadLetterError(
      `unknown message: ${ids.join(', ')} - expected the id of a message on ${names(infos)} (${state}; see "actionrunner dlq list"); a message already redriven is no longer there`,
      { context: { messageIds: ids } },
    );
  }
}

function names(infos: DeadLetterQueueInfo[]): string {
  return infos.map((info) => info.dlqName).join(' and ');
}

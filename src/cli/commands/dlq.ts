import type { Command } from 'commander';
// The SQS side (dead-letter-queues.ts) loads only when a dlq command runs: --help never pays for the AWS SDK.
import type { DeadLetters, RedriveOutcome } from '../../dlq/dead-letters.ts';
import type { QueueKind } from '../../queue/work-queue.ts';
import type { DeadLetterView } from '../../dlq/describe.ts';
import type { CliContext } from '../context.ts';
import { EXIT, UsageError } from '../errors.ts';
import { deadLetterDocument, redriveOutcomeDocument } from '../../app/documents.ts';
import { table } from '../format.ts';

interface QueueFlags {
  queue?: string;
  json?: boolean;
}

/** Longest reason shown in a `dlq list` row (`dlq show` prints all of it). */
const REASON_WIDTH = 120;

/**
 * Text from a producer or an action, safe for a terminal: control characters (ANSI escapes, C1 codes)
 * shown as `\uXXXX`; `oneLine` also escapes line breaks and tabs, for a table cell.
 */
export function printable(text: string, oneLine = false): string {
  // eslint-disable-next-line no-control-regex
  const controls = oneLine ? /[\u0000-\u001f\u007f-\u009f]/g : /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
  return text.replace(controls, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function cut(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 3)}...` : text;
}

// The DLQ side (its message schemas, the SQS client) loads only when a dlq command runs.
async function queueKinds(name: string | undefined): Promise<QueueKind[]> {
  return (await import('../../dlq/dead-letters.ts')).queueKinds(name);
}

async function deadLetters(ctx: CliContext): Promise<DeadLetters> {
  const [{ DeadLetters }, { DeadLetterQueues }, { runtime }] = await Promise.all([
    import('../../dlq/dead-letters.ts'),
    import('../../dlq/dead-letter-queues.ts'),
    ctx.target(),
  ]);
  return new DeadLetters(new DeadLetterQueues({ sqs: runtime.clients.sqs, queue: runtime.queue }), runtime.store);
}

function listRows(views: DeadLetterView[]): string[][] {
  return views.map((view) => [
    view.letter.messageId,
    view.letter.queue,
    view.executionId ? printable(view.executionId, true) : '-',
    view.action ? printable(view.action, true) : '-',
    String(view.received ?? '-'),
    view.sentAt ?? '-',
    cut(printable(view.reason, true), REASON_WIDTH),
  ]);
}

/** The body, pretty when it is JSON, indented under its heading. */
function bodyText(body: string): string {
  let pretty = body;
  try {
    pretty = JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    // Not JSON: shown as it is.
  }
  return indent(printable(pretty));
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}

async function showText(ctx: CliContext, view: DeadLetterView): Promise<string> {
  const { renderExecution } = await import('../render-execution.ts');
  const c = ctx.colors;
  const { letter } = view;
  const field = (key: string, value: string) => `${c.bold(key)}: ${value}`;
  const attributes = Object.entries(letter.messageAttributes).map(([name, value]) => `  ${name}: ${printable(value, true)}`);
  const lines = [
    field('message_id', letter.messageId),
    field('queue', letter.queue),
    field('moved_by', view.movedBy === 'sqs' ? 'SQS (maxReceiveCount reached)' : 'handler'),
    field('reason', c.red(printable(view.reason))),
    field('received', String(view.received ?? '-')),
    field('sent_at', view.sentAt ?? '-'),
    field('approximate_receive_count', `${letter.attributes.ApproximateReceiveCount ?? '-'} (reading the DLQ counts too)`),
    `${c.bold('message_attributes')}:${attributes.length ? `\n${attributes.join('\n')}` : ' {}'}`,
    `${c.bold('body')}:\n${bodyText(letter.body)}`,
  ];
  if (view.execution) lines.push(`${c.bold('execution')}:\n${indent(renderExecution(view.execution, c))}`);
  else lines.push(field('execution', view.executionId ? `${printable(view.executionId, true)} (not found)` : '(none named)'));
  return lines.join('\n');
}

function printOutcomes(ctx: CliContext, outcomes: RedriveOutcome[], json: boolean | undefined): void {
  if (outcomes.some((outcome) => !outcome.redriven)) ctx.exitCode = EXIT.failed;
  if (json) return ctx.printJson(outcomes.map((outcome) => redriveOutcomeDocument(outcome)));
  for (const outcome of outcomes) {
    if (outcome.redriven) ctx.print(`redriven: ${outcome.messageId} - back on the ${outcome.queue} queue as ${outcome.sentAs}`);
    else process.stderr.write(`${printable(outcome.reason)}\n`);
  }
}

export function registerDlq(program: Command, ctx: CliContext): void {
  const dlq = program.command('dlq').description("the work queues' dead-letter queues: what could not be processed, and why");
  dlq
    .command('list')
    .description('list the dead-lettered messages with the reason each is there (nothing is consumed)')
    .option('--queue <queue>', 'actions or workflows (default: both)')
    .option('-j, --json', 'print one JSON array')
    .action(async (flags: QueueFlags) => {
      const kinds = await queueKinds(flags.queue);
      const views = await (await deadLetters(ctx)).list(kinds);
      const { MAX_SCAN } = await import('../../dlq/dead-letter-queues.ts');
      for (const kind of kinds)
        if (views.filter((view) => view.letter.queue === kind).length >= MAX_SCAN)
          process.stderr.write(`note: only the first ${MAX_SCAN} messages of the ${kind} DLQ are read by one command\n`);
      if (flags.json) return ctx.printJson(views.map((view) => deadLetterDocument(view)));
      const headers = ['MESSAGE ID', 'QUEUE', 'EXECUTION', 'ACTION', 'RECEIVED', 'SENT', 'REASON'];
      ctx.print(
        views.length
          ? table(headers, listRows(views), ctx.colors)
          : `(no dead-lettered messages on the ${kinds.join(' and ')} queue${kinds.length > 1 ? 's' : ''})`,
      );
    });
  dlq
    .command('show')
    .description('one dead-lettered message: body, attributes, and the execution it names')
    .argument('<message-id>', 'as "actionrunner dlq list" shows it')
    .option('--queue <queue>', 'actions or workflows (default: both)')
    .option('-j, --json', 'print one JSON document')
    .action(async (messageId: string, flags: QueueFlags) => {
      const view = await (await deadLetters(ctx)).show(messageId, await queueKinds(flags.queue));
      if (flags.json) ctx.printJson(deadLetterDocument(view, true));
      else ctx.print(await showText(ctx, view));
    });
  dlq
    .command('redrive')
    .description('send messages back to their queue and delete them from the DLQ (safe to repeat: no action runs twice)')
    .argument('[message-ids...]', 'as "actionrunner dlq list" shows them')
    .option('--all', 'every message on the DLQ(s)')
    .option('--queue <queue>', 'actions or workflows (default: both)')
    .option('-j, --json', 'print one JSON array')
    .action(async (ids: string[], flags: QueueFlags & { all?: boolean }) => {
      const kinds = await queueKinds(flags.queue);
      if (ids.length === 0 && !flags.all)
        throw new UsageError('nothing to redrive: no message id given - expected message ids (see "actionrunner dlq list") or --all');
      if (ids.length > 0 && flags.all) throw new UsageError(`conflicting arguments: --all and ${ids.length} message id(s) - expected one or the other`);
      printOutcomes(ctx, await (await deadLetters(ctx)).redrive(kinds, ids), flags.json);
    });
}

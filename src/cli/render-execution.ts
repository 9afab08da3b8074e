// The st2-like text view of one execution. Apart from format.ts because it needs the YAML printer, which
// commands that never print an execution (--help, --version, list) should not load.
import { stringify } from 'yaml';
import type { Execution } from '../model/execution.ts';
import { elapsedMs, executionDocument, formatDuration, paintStatus, type Colors } from './format.ts';
import { expiredLeaseText, leaseView } from './lease.ts';

function indent(text: string, by: string): string {
  return text
    .trimEnd()
    .split('\n')
    .map((line) => by + line)
    .join('\n');
}

/** st2-like view of one execution (`execution get`, the end of `run`). */
export function renderExecution(execution: Execution, c: Colors, now = Date.now()): string {
  const doc = executionDocument(execution, now);
  const lease = leaseView(execution, now);
  const stale = lease?.expired ? ` ${c.red(`— ${expiredLeaseText(lease)}`)}` : '';
  const lines = [
    `${c.bold('id')}: ${execution.id}`,
    `${c.bold('action.ref')}: ${execution.action}`,
    `${c.bold('status')}: ${paintStatus(execution.status, c)} (${formatDuration(elapsedMs(execution, now))} elapsed)${stale}`,
    `${c.bold('start_timestamp')}: ${execution.start_timestamp}`,
    `${c.bold('end_timestamp')}: ${execution.end_timestamp ?? '-'}`,
  ];
  if (execution.context?.parent)
    lines.push(`${c.bold('parent')}: ${execution.context.parent}${execution.context.task ? ` (task ${execution.context.task})` : ''}`);
  if (execution.context?.reRunOf) lines.push(`${c.bold('re-run of')}: ${execution.context.reRunOf}`);
  const retry = execution.context?.policies?.retry;
  if (retry) lines.push(`${c.bold('retry of')}: ${retry.retried_liveaction_id} (retry ${retry.retry_count} by policy ${retry.applied_policy})`);
  // Why it waits (a policy or a full pool holds it back): the reason its last status change gave.
  const last = execution.log?.at(-1);
  if (execution.status === 'delayed' && last?.status === 'delayed' && last.reason) lines.push(`${c.bold('waiting')}: ${last.reason}`);
  const parameters = doc.parameters as Record<string, unknown>;
  lines.push(`${c.bold('parameters')}:${Object.keys(parameters).length ? `\n${indent(stringify(parameters), '  ')}` : ' {}'}`);
  if (execution.error) lines.push(`${c.bold('error')}: ${c.red(execution.error)}`);
  if (execution.result !== undefined && execution.result !== null)
    lines.push(`${c.bold('result')}:\n${indent(stringify(execution.result, { lineWidth: 0 }), '  ')}`);
  return lines.join('\n');
}

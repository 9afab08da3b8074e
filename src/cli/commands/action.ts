import type { Command } from 'commander';
import type { ActionDefinition, UnavailableAction } from '../../actions/types.ts';
import { actionDocument } from '../../app/documents.ts';
import type { CliContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import { table, type Colors } from '../format.ts';

/** An action the loader could not offer, as `--json` prints it. */
function unavailableDocument(entry: UnavailableAction): Record<string, unknown> {
  return { ref: entry.ref, available: false, reason: entry.reason, file: entry.file, ...(entry.field ? { field: entry.field } : {}) };
}

function show(value: unknown): string {
  return value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
}

/** The action's parameters as a table (name, type, required, default, description), required ones first; secret defaults masked. */
export function parameterTable(action: ActionDefinition, c: Colors): string {
  const parameters = actionDocument(action).parameters as ActionDefinition['parameters'];
  const rows = Object.entries(parameters)
    .sort(([a, x], [b, y]) => Number(Boolean(y.required)) - Number(Boolean(x.required)) || a.localeCompare(b))
    .map(([name, spec]) => [
      spec.required ? c.bold(name) : name,
      String(spec.type ?? 'any'),
      spec.required ? 'yes' : '',
      show(spec.default),
      spec.description ?? '',
    ]);
  return rows.length ? table(['PARAMETER', 'TYPE', 'REQUIRED', 'DEFAULT', 'DESCRIPTION'], rows, c) : '(no parameters)';
}

/** "key: value" lines, keys in bold. */
function fields(c: Colors, pairs: [string, unknown][]): string {
  return pairs.map(([key, value]) => `${c.bold(key)}: ${String(value)}`).join('\n');
}

async function listActions(ctx: CliContext, flags: { pack?: string; json?: boolean }): Promise<void> {
  const catalog = (await ctx.services()).catalog;
  const inPack = (ref: string) => !flags.pack || ref === flags.pack || ref.startsWith(`${flags.pack}.`);
  const c = ctx.colors;
  const rows = [
    ...catalog
      .list()
      .filter((a) => inPack(a.ref))
      .map((a) => ({ ref: a.ref, document: actionDocument(a), cells: [a.enabled ? a.ref : c.dim(`${a.ref} (disabled)`), a.runner_type, a.description] })),
    ...(catalog.listUnavailable?.() ?? [])
      .filter((u) => inPack(u.ref))
      .map((u) => ({ ref: u.ref, document: unavailableDocument(u), cells: [c.dim(`${u.ref} (unavailable)`), '', u.reason] })),
  ].sort((a, b) => a.ref.localeCompare(b.ref));
  if (flags.json) return ctx.printJson(rows.map((row) => row.document));
  const cells = rows.map((row) => row.cells);
  ctx.print(rows.length ? table(['REF', 'RUNNER', 'DESCRIPTION'], cells, c) : '(no actions)');
}

async function showAction(ctx: CliContext, ref: string, flags: { json?: boolean }): Promise<void> {
  const catalog = (await ctx.services()).catalog;
  const found = catalog.get(ref);
  const unavailable = found ? undefined : catalog.unavailable?.(ref);
  const c = ctx.colors;
  if (unavailable) {
    if (flags.json) return ctx.printJson(unavailableDocument(unavailable));
    const field: [string, unknown][] = unavailable.field ? [['field', unavailable.field]] : [];
    return ctx.print(fields(c, [['ref', unavailable.ref], ['available', false], ['reason', unavailable.reason], ['file', unavailable.file], ...field]));
  }
  if (!found) throw new UsageError(`unknown action: ${ref} - expected pack.name of an installed action (see "actionrunner action list")`);
  if (flags.json) return ctx.printJson(actionDocument(found));
  const entryPoint: [string, unknown][] = found.entry_point ? [['entry_point', found.entry_point]] : [];
  const head = fields(c, [
    ['ref', found.ref],
    ['runner_type', found.runner_type],
    ['enabled', found.enabled],
    ['description', found.description],
    ...entryPoint,
  ]);
  ctx.print(`${head}\n\n${parameterTable(found, c)}`);
}

export function registerAction(program: Command, ctx: CliContext): void {
  const action = program.command('action').description('the actions the packs provide');
  action
    .command('list')
    .description('list actions')
    .option('--pack <pack>', 'only this pack')
    .option('-j, --json', 'print one JSON array')
    .action((flags: { pack?: string; json?: boolean }) => listActions(ctx, flags));
  action
    .command('get')
    .description('show an action and its parameters')
    .argument('<ref>', 'action reference, pack.name')
    .option('-j, --json', 'print one JSON document')
    .action((ref: string, flags: { json?: boolean }) => showAction(ctx, ref, flags));
}

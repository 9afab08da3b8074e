import type { Command } from 'commander';
import { PolicyCatalog } from '../../policies/catalog.ts';
import type { PolicyDefinition, UnavailablePolicy } from '../../policies/types.ts';
import type { CliContext } from '../context.ts';
import { table, type Colors } from '../format.ts';

/** `policy list` filters: st2's `--pack` and `--resource-ref`. */
export interface PolicyFilters {
  pack?: string;
  resourceRef?: string;
}

/** The policy as `--json` prints it: st2's PolicyAPI fields, plus the file it came from. */
function policyDocument(policy: PolicyDefinition): Record<string, unknown> {
  const { ref, pack, name, description, enabled, resource_ref, policy_type, parameters, metadataFile } = policy;
  return { ref, pack, name, description, enabled, resource_ref, policy_type, parameters, metadata_file: metadataFile };
}

function unavailableDocument(entry: UnavailablePolicy): Record<string, unknown> {
  return { ref: entry.ref, available: false, reason: entry.reason, file: entry.file, ...(entry.field ? { field: entry.field } : {}) };
}

/**
 * The rows of `policy list`, by ref: the loaded policies and those that could not be loaded (which
 * match `--resource-ref` never: their target is not known for sure).
 * @example policyRows(catalog.policies(), { resourceRef: 'examples.deploy' }, colors)
 */
export function policyRows(
  policies: PolicyCatalog,
  filters: PolicyFilters,
  c: Colors,
): Array<{ ref: string; document: Record<string, unknown>; cells: string[] }> {
  const inPack = (ref: string) => !filters.pack || ref.startsWith(`${filters.pack}.`);
  return [
    ...policies
      .list()
      .filter((p) => inPack(p.ref) && (!filters.resourceRef || p.resource_ref === filters.resourceRef))
      .map((p) => ({ ref: p.ref, document: policyDocument(p), cells: [p.enabled ? p.ref : c.dim(p.ref), p.resource_ref, p.policy_type, String(p.enabled)] })),
    ...policies
      .listUnavailable()
      .filter((u) => inPack(u.ref) && !filters.resourceRef)
      .map((u) => ({ ref: u.ref, document: unavailableDocument(u), cells: [c.dim(`${u.ref} (unavailable)`), '', '', u.reason] })),
  ].sort((a, b) => a.ref.localeCompare(b.ref));
}

/** st2's `policy list` table: REF, RESOURCE_REF, POLICY_TYPE, ENABLED. */
export function policyTable(rows: ReturnType<typeof policyRows>, c: Colors): string {
  return rows.length
    ? table(
        ['REF', 'RESOURCE_REF', 'POLICY_TYPE', 'ENABLED'],
        rows.map((row) => row.cells),
        c,
      )
    : '(no policies)';
}

async function listPolicies(ctx: CliContext, flags: PolicyFilters & { json?: boolean }): Promise<void> {
  const catalog = (await ctx.services()).catalog;
  const rows = policyRows(catalog.policies?.() ?? new PolicyCatalog(), flags, ctx.colors);
  if (flags.json) return ctx.printJson(rows.map((row) => row.document));
  ctx.print(policyTable(rows, ctx.colors));
}

export function registerPolicy(program: Command, ctx: CliContext): void {
  const policy = program.command('policy').description("the packs' policies (policies/*.yaml: concurrency, retry)");
  policy
    .command('list')
    .description('list policies')
    .option('--pack <pack>', 'only this pack')
    .option('--resource-ref <ref>', 'only the policies of this action')
    .option('-j, --json', 'print one JSON array')
    .action((flags: PolicyFilters & { json?: boolean }) => listPolicies(ctx, flags));
}

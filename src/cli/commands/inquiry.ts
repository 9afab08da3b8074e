import type { Command } from 'commander';
import type { Inquiry } from '../../request/inquiries.ts';
import type { CliContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import { table } from '../format.ts';
import { cliUser } from '../user.ts';

/** What the commands need of inquiries, from the target or from the API. */
interface Inquiries {
  list(limit: number): Promise<Inquiry[]>;
  get(id: string): Promise<Inquiry>;
  respond(id: string, response: unknown, user: string): Promise<{ id: string; status: string }>;
}

/**
 * The inquiries of the target, or of the API with `--api` (there the key's user answers). The service is
 * loaded on use (ajv and the SDK are heavy).
 */
async function inquiries(ctx: CliContext): Promise<Inquiries> {
  const api = await ctx.api();
  if (api) {
    return {
      list: async (limit) => (await api.listInquiries(limit)) as Inquiry[],
      get: async (id) => (await api.getInquiry(id)) as Inquiry,
      respond: async (id, response) => (await api.respondToInquiry(id, response)) as Inquiry,
    };
  }
  const { InquiryService } = await import('../../request/inquiries.ts');
  const { store, queue, service } = await ctx.services();
  return new InquiryService({ store, queue, service });
}

/** st2's inquiry table: id, roles, users, route, ttl. */
function inquiryTable(ctx: CliContext, found: Inquiry[]): string {
  if (found.length === 0) return '(no inquiries)';
  const rows = found.map((inquiry) => [inquiry.id, JSON.stringify(inquiry.roles), JSON.stringify(inquiry.users), inquiry.route, String(inquiry.ttl)]);
  return table(['ID', 'ROLES', 'USERS', 'ROUTE', 'TTL'], rows, ctx.colors);
}

/** `-r JSON`: the response as a JSON object, else a usage error naming what was given. */
function parseResponse(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch (error) {
    throw new UsageError(`invalid --response: expected a JSON object such as '{"approved": true}', got ${JSON.stringify(raw)} (${(error as Error).message})`);
  }
}

export function registerInquiry(program: Command, ctx: CliContext): void {
  const inquiry = program.command('inquiry').description('list, show and answer inquiries (core.ask): an answer resumes the workflow it paused');
  inquiry
    .command('list')
    .description('list the pending inquiries, newest first')
    .option('-n, --limit <N>', 'how many', (raw) => Number(raw), 50)
    .option('-j, --json', 'print one JSON array')
    .action(async (flags: { limit: number; json?: boolean }) => {
      const found = await (await inquiries(ctx)).list(flags.limit);
      if (flags.json) ctx.printJson(found);
      else ctx.print(inquiryTable(ctx, found));
    });
  inquiry
    .command('get')
    .description('show one inquiry: its schema, roles, users, route and ttl')
    .argument('<id>', 'the id of the core.ask execution')
    .option('-j, --json', 'print one JSON document')
    .action(async (id: string, flags: { json?: boolean }) => {
      const found = await (await inquiries(ctx)).get(id);
      if (flags.json) ctx.printJson(found);
      else ctx.print(`${inquiryTable(ctx, [found])}\nstatus: ${found.status}\nschema: ${JSON.stringify(found.schema, null, 2)}`);
    });
  inquiry
    .command('respond')
    .description('answer a pending inquiry with a response its schema accepts; its workflow resumes')
    .argument('<id>', 'the id of the core.ask execution')
    .requiredOption('-r, --response <json>', 'the response, a JSON object (st2: -r)', parseResponse)
    .option('-j, --json', 'print the answered execution as one JSON document')
    .action(async (id: string, flags: { response: unknown; json?: boolean }) => {
      const answered = await (await inquiries(ctx)).respond(id, flags.response, cliUser());
      if (flags.json) ctx.printJson({ id: answered.id, status: answered.status, response: flags.response });
      else ctx.print(`inquiry ${answered.id}: response accepted (${answered.status})`);
    });
}

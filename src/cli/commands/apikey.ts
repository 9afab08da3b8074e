import type { Command } from 'commander';
import type { ApiKeyStore, ApiKeyView } from '../../auth/index.ts';
import type { CliContext } from '../context.ts';
import { table } from '../format.ts';
import { cliUser } from '../user.ts';

/** The API key table of the target. Loaded on use (the SDK is heavy). */
async function apiKeys(ctx: CliContext): Promise<ApiKeyStore> {
  const [{ ApiKeyStore }, target] = await Promise.all([import('../../auth/index.ts'), ctx.target()]);
  return new ApiKeyStore({ doc: target.runtime.clients.doc, tableName: target.config.apiKeysTable });
}

function keyRows(keys: ApiKeyView[]): string[][] {
  return keys.map((key) => [key.id, key.user, String(key.allow_decrypt), key.created_at, key.description ?? '']);
}

export function registerApiKey(program: Command, ctx: CliContext): void {
  const apikey = program.command('apikey').description("the HTTP API's keys (st2 apikey): stored hashed, each shown once when created");
  apikey
    .command('create')
    .description('create a key and print it (the only time it is shown)')
    .option('-u, --user <name>', 'who the key acts as (context.user of what it runs, owner of user-scoped keys)', cliUser())
    .option('--allow-decrypt', 'the key may read datastore secrets in plaintext (decrypt=true)')
    .option('-m, --description <text>', 'what the key is for')
    .option('-j, --json', 'print one JSON document: the key and its record')
    .action(async (flags: { user: string; allowDecrypt?: boolean; description?: string; json?: boolean }) => {
      const { key, apiKey } = await (await apiKeys(ctx)).create({ user: flags.user, allowDecrypt: flags.allowDecrypt, description: flags.description });
      if (flags.json) return ctx.printJson({ key, ...apiKey });
      // The key alone on stdout (scripts take it with $(...)); the rest on stderr, for the person.
      ctx.print(key);
      process.stderr.write(`api key ${apiKey.id} for user ${apiKey.user}: shown only now - send it as the St2-Api-Key header\n`);
    });
  apikey
    .command('list')
    .description('list the keys (ids and owners; never the keys themselves)')
    .option('-j, --json', 'print one JSON array')
    .action(async (flags: { json?: boolean }) => {
      const keys = await (await apiKeys(ctx)).list();
      if (flags.json) return ctx.printJson(keys);
      ctx.print(keys.length ? table(['ID', 'USER', 'DECRYPT', 'CREATED', 'DESCRIPTION'], keyRows(keys), ctx.colors) : '(no api keys)');
    });
  apikey
    .command('delete')
    .description('delete a key: requests with it are refused from now on')
    .argument('<id>', 'the id "apikey list" shows')
    .action(async (id: string) => {
      if (!(await (await apiKeys(ctx)).delete(id))) {
        const { ApiKeyNotFoundError } = await import('../../auth/errors.ts');
        throw new ApiKeyNotFoundError(`unknown api key: ${id} - expected an id from "actionrunner apikey list"`);
      }
      ctx.print(`deleted api key ${id}`);
    });
}

import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { KeyValuePair, Scope } from '../../datastore/index.ts';
import type { CliContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import { table } from '../format.ts';
import { cliUser } from '../user.ts';

interface KeyFlags {
  scope?: string;
  json?: boolean;
}

/** The datastore of the target, and the scope and user a command names. Loaded on use (the SDK is heavy). */
async function datastore(ctx: CliContext, flags: KeyFlags) {
  const [{ keyValueStoreFor }, { parseScope }] = await Promise.all([import('../../datastore/for-config.ts'), import('../../datastore/keys.ts')]);
  const target = await ctx.target();
  const scope: Scope = parseScope(flags.scope ?? 'system');
  return { kv: keyValueStoreFor(target.config, target.runtime.clients), scope, user: scope === 'user' ? cliUser() : undefined };
}

/** `--ttl SECONDS`: a positive whole number, else a usage error naming what was given. */
function parseTtl(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const ttl = Number(raw);
  if (!/^\d+$/.test(raw) || ttl < 1) throw new UsageError(`invalid --ttl: expected a positive whole number of seconds, got "${raw}"`);
  return ttl;
}

/** st2's key table: name, value, secret, encrypted, scope, user, expire timestamp. */
function keyTable(ctx: CliContext, pairs: KeyValuePair[]): string {
  if (pairs.length === 0) return '(no keys)';
  const rows = pairs.map((p) => [p.name, p.value, String(p.secret), String(p.encrypted), p.scope, p.user ?? '', p.expire_timestamp ?? '']);
  return table(['NAME', 'VALUE', 'SECRET', 'ENCRYPTED', 'SCOPE', 'USER', 'EXPIRE_TIMESTAMP'], rows, ctx.colors);
}

function show(ctx: CliContext, pairs: KeyValuePair | KeyValuePair[], json: boolean | undefined): void {
  if (json) return ctx.printJson(pairs);
  ctx.print(keyTable(ctx, Array.isArray(pairs) ? pairs : [pairs]));
}

/** One entry of a `key load` file (st2's format: what `st2 key list -j` prints). */
interface LoadEntry {
  name?: unknown;
  value?: unknown;
  scope?: unknown;
  user?: unknown;
  secret?: unknown;
  encrypted?: unknown;
  ttl?: unknown;
}

async function loadFile(ctx: CliContext, file: string, flags: KeyFlags & { convert?: boolean }): Promise<void> {
  let entries: unknown;
  try {
    entries = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`invalid key file: ${file} - expected a JSON list of {name, value, scope, secret, ttl} (st2's format): ${(error as Error).message}`);
  }
  const list = Array.isArray(entries) ? entries : [entries];
  const { kv } = await datastore(ctx, {});
  const { parseScope } = await import('../../datastore/keys.ts');
  const loaded: KeyValuePair[] = [];
  for (const [index, raw] of list.entries()) {
    const entry = (raw ?? {}) as LoadEntry;
    const where = `${file} entry ${index + 1}`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      throw new UsageError(`invalid key file: ${where} - expected an object with name and value, got ${JSON.stringify(raw)}`);
    if (entry.encrypted === true) {
      throw new UsageError(
        `invalid key file: ${where} ("${String(entry.name)}") - holds a value encrypted by another datastore; export it decrypted (st2 key list -j --decrypt)`,
      );
    }
    let value = entry.value;
    if (typeof value !== 'string') {
      if (!flags.convert)
        throw new UsageError(
          `invalid key file: ${where} ("${String(entry.name)}") - expected a string value, got ${value === null ? 'null' : typeof value} (pass --convert to store it as JSON)`,
        );
      value = JSON.stringify(value);
    }
    const scope = parseScope(entry.scope ?? 'system');
    const user = scope === 'user' ? (typeof entry.user === 'string' ? entry.user : cliUser()) : undefined;
    const ttl = entry.ttl === undefined || entry.ttl === null ? undefined : Number(entry.ttl);
    loaded.push(await kv.set({ scope, user, name: entry.name as string }, value, { encrypt: entry.secret === true, ttl }));
  }
  show(ctx, loaded, flags.json);
}

/** `actionrunner key set|get|list|delete|load`: st2's datastore commands. */
export function registerKey(program: Command, ctx: CliContext): void {
  const key = program
    .command('key')
    .description('the datastore (st2kv): keys of the system scope, or of your user scope (ACTIONRUNNER_USER, else your OS user)');
  const scoped = (command: Command) => command.option('--scope <scope>', 'system or user', 'system').option('--json', 'print JSON');

  scoped(key.command('set <name> <value>').description('create or replace a key'))
    .option('--encrypt', 'store the value encrypted (a secret)')
    .option('--ttl <seconds>', 'expire the key after this many seconds')
    .action(async (name: string, value: string, flags: KeyFlags & { encrypt?: boolean; ttl?: string }) => {
      const ttl = parseTtl(flags.ttl);
      const { kv, scope, user } = await datastore(ctx, flags);
      show(ctx, await kv.set({ scope, user, name }, value, { encrypt: flags.encrypt, ttl }), flags.json);
    });

  scoped(key.command('get <name>').description('show a key (a secret stays encrypted unless --decrypt)'))
    .option('--decrypt', 'show the plaintext of a secret')
    .action(async (name: string, flags: KeyFlags & { decrypt?: boolean }) => {
      const { kv, scope, user } = await datastore(ctx, flags);
      const pair = await kv.get({ scope, user, name }, { decrypt: flags.decrypt });
      if (!pair) throw new (await import('../../datastore/errors.ts')).KeyNotFoundError(name);
      show(ctx, pair, flags.json);
    });

  scoped(key.command('list').description('list the keys of a scope'))
    .option('--prefix <prefix>', 'only keys whose name starts with this')
    .option('--decrypt', 'show the plaintext of secrets')
    .action(async (flags: KeyFlags & { prefix?: string; decrypt?: boolean }) => {
      const { kv, scope, user } = await datastore(ctx, flags);
      show(ctx, await kv.list(scope, user, { prefix: flags.prefix, decrypt: flags.decrypt }), flags.json);
    });

  scoped(key.command('delete <name>').description('delete a key')).action(async (name: string, flags: KeyFlags) => {
    const { kv, scope, user } = await datastore(ctx, flags);
    if (!(await kv.delete({ scope, user, name }))) throw new (await import('../../datastore/errors.ts')).KeyNotFoundError(name);
    if (flags.json) return ctx.printJson({ deleted: name });
    ctx.print(`deleted key "${name}" (${scope === 'user' ? `user ${user}` : 'system'})`);
  });

  key
    .command('load <file>')
    .description("load keys from a JSON file in st2's format (a list of {name, value, scope, user, secret, ttl}: what st2 key list -j prints)")
    .option('--convert', 'store values that are not strings as JSON')
    .option('--json', 'print JSON')
    .action((file: string, flags: KeyFlags & { convert?: boolean }) => loadFile(ctx, file, flags));
}

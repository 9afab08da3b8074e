import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { table } from '../format.ts';
import { NotFoundError } from '../../model/errors.ts';
import { UsageError } from '../errors.ts';

interface PackFlags {
  packsDir?: string;
  json?: boolean;
}

/**
 * The packs folder a command works on: `--packs-dir`, else the local runtime's (`.actionrunner/packs` of the
 * nearest folder up from here that has an `.actionrunner/`, else of this one).
 */
async function packsDirOf(flags: PackFlags): Promise<string> {
  if (flags.packsDir) return path.resolve(flags.packsDir);
  const { localPacksDir } = await import('../../pack-manager/layout.ts');
  for (let dir = process.cwd(); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, '.actionrunner'))) return localPacksDir(dir);
    if (path.dirname(dir) === dir) return localPacksDir(process.cwd());
  }
}

const withDir = (command: Command) =>
  command
    .option('--packs-dir <dir>', "packs folder to work on (default: the local runtime's .actionrunner/packs; for a deploy, the folder given as packsPath)")
    .option('--json', 'print JSON');

/** The folder of `pack` as the target's catalog loads it (a config belongs to a pack the runtime runs). */
async function packPathOf(ctx: CliContext, pack: string): Promise<string> {
  const { catalog } = await ctx.services();
  const action = catalog.list().find((a) => a.pack === pack);
  if (!action) throw new NotFoundError(`unknown pack: ${pack} - no loaded action belongs to it (see "actionrunner action list")`);
  return action.packPath;
}

async function configStore(ctx: CliContext) {
  const { keyValueStoreFor } = await import('../../datastore/for-config.ts');
  const target = await ctx.target();
  return keyValueStoreFor(target.config, target.runtime.clients);
}

/** `pack config set|get`: the pack's config (st2's configs/<pack>.yaml), kept in the target's datastore. */
function registerPackConfig(pack: Command, ctx: CliContext): void {
  const config = pack.command('config').description("a pack's config (validated against its config.schema.yaml), kept in the datastore as pack_config:<pack>");
  config
    .command('set <pack> <file>')
    .description("validate FILE.yaml against the pack's config.schema.yaml (defaults filled in) and store it; secrets are stored encrypted")
    .option('--json', 'print JSON')
    .action(async (name: string, file: string, flags: { json?: boolean }) => {
      const [{ readFile }, { parsePackYaml }, { setPackConfig, loadConfigSchema, maskConfig }] = await Promise.all([
        import('node:fs/promises'),
        import('../../shared/pack-yaml.ts'),
        import('../../pack-config/index.ts'),
      ]);
      let parsed: unknown;
      try {
        parsed = parsePackYaml(await readFile(file, 'utf8'));
      } catch (error) {
        throw new UsageError(`invalid config file: ${file} - expected a YAML mapping of option to value: ${(error as Error).message.split('\n')[0]}`);
      }
      const packPath = await packPathOf(ctx, name);
      const stored = await setPackConfig(await configStore(ctx), name, packPath, parsed);
      const shown = maskConfig(loadConfigSchema(packPath), stored);
      if (flags.json) return ctx.printJson({ pack: name, config: shown });
      ctx.print(`config of pack "${name}" set:\n${JSON.stringify(shown, null, 2)}`);
    });
  config
    .command('get <pack>')
    .description("show the pack's config as actions get it (schema defaults filled in; secrets masked unless --decrypt)")
    .option('--decrypt', 'show secret values')
    .option('--json', 'print JSON')
    .action(async (name: string, flags: { json?: boolean; decrypt?: boolean }) => {
      const { loadPackConfig, loadConfigSchema, maskConfig } = await import('../../pack-config/index.ts');
      const packPath = await packPathOf(ctx, name);
      const { config } = await loadPackConfig(await configStore(ctx), name, packPath);
      const shown = flags.decrypt ? config : maskConfig(loadConfigSchema(packPath), config);
      if (flags.json) return ctx.printJson({ pack: name, config: shown });
      ctx.print(JSON.stringify(shown, null, 2));
    });
}

/** `actionrunner pack install|list|remove`: st2's pack management, for the local runtime or a deploy's packs folder. */
export function registerPack(program: Command, ctx: CliContext): void {
  const pack = program.command('pack').description('install packs with their python dependencies (a virtualenv per pack), list and remove them');

  withDir(
    pack
      .command('install <source>')
      .description('install or update a pack from a folder or a git URL: copy it, create its virtualenv, pip install its requirements.txt'),
  )
    .option('--python <binary>', 'interpreter that creates the virtualenv', 'python3')
    .action(async (source: string, flags: PackFlags & { python: string }) => {
      const { installPack } = await import('../../pack-manager/install.ts');
      const packsDir = await packsDirOf(flags);
      const outcome = await installPack(source, { packsDir, python: flags.python, progress: (step) => process.stderr.write(`${step}\n`) });
      if (flags.json) return ctx.printJson(outcome);
      ctx.print(
        `${outcome.updated ? 'updated' : 'installed'} pack "${outcome.name}"${outcome.version ? ` ${outcome.version}` : ''} in ${outcome.path}` +
          (outcome.virtualenv ? ` (virtualenv ${outcome.virtualenv}${outcome.requirements.length ? `: ${outcome.requirements.join(', ')}` : ''})` : ''),
      );
    });

  withDir(pack.command('list').description('the installed packs')).action(async (flags: PackFlags) => {
    const { listPacks } = await import('../../pack-manager/install.ts');
    const packs = listPacks(await packsDirOf(flags));
    if (flags.json) return ctx.printJson(packs);
    if (packs.length === 0) return ctx.print('(no packs installed)');
    ctx.print(
      table(
        ['NAME', 'VERSION', 'VIRTUALENV', 'DESCRIPTION'],
        packs.map((p) => [p.name, p.version, p.virtualenv ? 'yes' : 'no', p.description]),
        ctx.colors,
      ),
    );
  });

  withDir(pack.command('remove <name>').description('remove an installed pack and its virtualenv')).action(async (name: string, flags: PackFlags) => {
    const { removePack } = await import('../../pack-manager/install.ts');
    const packsDir = await packsDirOf(flags);
    if (!removePack(packsDir, name)) throw new NotFoundError(`pack not found: ${name} - not installed in ${packsDir} (see "actionrunner pack list")`);
    if (flags.json) return ctx.printJson({ removed: name });
    ctx.print(`removed pack "${name}" from ${packsDir}`);
  });

  registerPackConfig(pack, ctx);
}

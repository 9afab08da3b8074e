import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { table } from '../format.ts';
import { NotFoundError } from '../../model/errors.ts';

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
}

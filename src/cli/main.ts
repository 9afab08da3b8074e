import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { registerAction } from './commands/action.ts';
import { registerApiKey } from './commands/apikey.ts';
import { registerDlq } from './commands/dlq.ts';
import { registerExecution } from './commands/execution.ts';
import { registerInquiry } from './commands/inquiry.ts';
import { registerKey } from './commands/key.ts';
import { registerLocal } from './commands/local.ts';
import { registerPack } from './commands/pack.ts';
import { registerPolicy } from './commands/policy.ts';
import { registerRun } from './commands/run.ts';
import { CliContext } from './context.ts';
import { EXIT, isUsageError } from './errors.ts';

/** The version in package.json: the one `npm install` put here. */
function packageVersion(): string {
  const file = fileURLToPath(new URL('../../package.json', import.meta.url));
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

/** The `actionrunner` program, its commands wired to `ctx`. */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command('actionrunner')
    .description("StackStorm's action runner on SQS + Lambda + DynamoDB: run actions, inspect executions")
    .option('--stage <name>', 'talk to this deployed stage (AWS default credentials) instead of the local runtime')
    .option(
      '--api <url>',
      'talk to this HTTP API with the key in ACTIONRUNNER_API_KEY, no AWS credentials (run, execution get|list|cancel|tail|re-run); env ACTIONRUNNER_API_URL',
    )
    .version(packageVersion(), '-V, --version', 'print the version of actionrunner')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      // One line, with where to look: commander's message plus a pointer to the help.
      outputError: (text, write) => write(`${text.trim()} (see "actionrunner --help")\n`),
    })
    .hook('preAction', () => {
      ctx.stage = program.opts<{ stage?: string }>().stage;
      ctx.apiUrl = program.opts<{ api?: string }>().api;
    });
  registerRun(program, ctx);
  registerExecution(program, ctx);
  registerAction(program, ctx);
  registerPolicy(program, ctx);
  registerDlq(program, ctx);
  registerKey(program, ctx);
  registerApiKey(program, ctx);
  registerPack(program, ctx);
  registerInquiry(program, ctx);
  registerLocal(program, ctx);
  return program;
}

/**
 * Runs the CLI with `argv` (node, script, ...args) and returns the exit status:
 * 0 success, 1 the execution did not succeed (or an error of the system), 2 a usage error.
 */
export async function main(argv: string[] = process.argv): Promise<number> {
  const ctx = new CliContext();
  const program = buildProgram(ctx);
  try {
    await program.parseAsync(argv);
    return ctx.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help, --version and `run -h` (commander's help(), code commander.help) end with exit code 0.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`error: ${message}\n`);
    return isUsageError(error) ? EXIT.usage : EXIT.failed;
  } finally {
    ctx.close();
  }
}

import { scriptArguments } from '../runners/shell-args.ts';
import { InvalidParameterError } from './errors.ts';
import { runnerParameterNames, runnerSpec } from '../runners/registry.ts';
import type { ActionDefinition } from './types.ts';
import { COMMAND_ENV_PREFIX } from './render-template.ts';

/** Linux's MAX_ARG_STRLEN: the longest single argument or `NAME=value` environment string, terminating NUL included. */
export const MAX_ARG_STRLEN = 128 * 1024;
/**
 * Room for all arguments and environment strings of a program (Linux's ARG_MAX is a quarter of the
 * stack limit: 2 MiB with the usual 8 MiB, as in AWS Lambda), minus 128 KiB for the inherited
 * environment, the program path and the pointer arrays.
 */
export const MAX_ARGS_TOTAL = 2 * 1024 * 1024 - 128 * 1024;

const kib = (bytes: number) => `${Math.ceil(bytes / 1024)} KiB`;

function tooLarge(reason: string, name: string, detail: string, action: string): InvalidParameterError {
  return new InvalidParameterError(
    `${reason}: ${name} - ${detail} (pass large data through a file, or use a python-script or node-script action: they get parameters on stdin)`,
    { parameter: name, action },
  );
}

/** The strings the action's process will get as argv or environment, each with the parameter it comes from. */
function processStrings(action: ActionDefinition, values: Record<string, unknown>, commandEnv: Record<string, string>): Array<{ name: string; text: string }> {
  const passing = runnerSpec(action.runner_type)?.passing;
  const strings: Array<{ name: string; text: string }> = [];
  const env = values.env;
  if (env !== null && typeof env === 'object' && !Array.isArray(env)) {
    for (const [key, value] of Object.entries(env))
      strings.push({ name: `env.${key}`, text: `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}` });
  }
  if (passing === 'command') {
    if (typeof values.cmd === 'string') strings.push({ name: 'cmd', text: values.cmd });
    for (const [key, value] of Object.entries(commandEnv)) {
      const label = key.slice(COMMAND_ENV_PREFIX.length);
      strings.push({ name: label in values ? label : key, text: `${key}=${value}` });
    }
  }
  if (passing === 'arguments') {
    const own = runnerParameterNames(action.runner_type);
    const kwargOp = typeof values.kwarg_op === 'string' ? values.kwarg_op : '--';
    for (const [name, value] of Object.entries(values)) {
      if (own.includes(name)) continue;
      for (const text of scriptArguments({ [name]: action.parameters[name] ?? {} }, { [name]: value }, kwargOp)) strings.push({ name, text });
    }
  }
  return strings;
}

/**
 * Refuses, at request time, values that `spawn` would fail on with E2BIG: one argument or
 * environment string over `MAX_ARG_STRLEN`, or all of them together over `MAX_ARGS_TOTAL`. Shell
 * runners pass values that way; python-script and node-script get their parameters on stdin
 * (only their `env` parameter is checked).
 * @throws InvalidParameterError "parameter too large: <name> - ..."
 * @example assertFitsProcess(catalog.get('core.echo')!, { message: 'x'.repeat(300 * 1024) }, env) // throws
 */
export function assertFitsProcess(action: ActionDefinition, values: Record<string, unknown>, commandEnv: Record<string, string>): void {
  const strings = processStrings(action, values, commandEnv);
  let total = 0;
  for (const { name, text } of strings) {
    const bytes = Buffer.byteLength(text) + 1;
    if (bytes > MAX_ARG_STRLEN) {
      throw tooLarge(
        'parameter too large',
        name,
        `${kib(bytes)} exceeds the ${kib(MAX_ARG_STRLEN)} a single argument or environment variable can hold on Linux`,
        action.ref,
      );
    }
    total += bytes + 8;
  }
  if (total > MAX_ARGS_TOTAL) {
    const largest = [...strings]
      .sort((a, b) => b.text.length - a.text.length)
      .slice(0, 3)
      .map((s) => s.name)
      .join(', ');
    throw tooLarge(
      'parameters too large',
      largest,
      `${kib(total)} of arguments and environment together exceed the ${kib(MAX_ARGS_TOTAL)} a program can get on Linux (ARG_MAX)`,
      action.ref,
    );
  }
}

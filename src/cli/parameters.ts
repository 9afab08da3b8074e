import { castParameters } from '../actions/cast.ts';
import type { ActionDefinition } from '../actions/types.ts';
import { UsageError } from './errors.ts';

/**
 * Parses `key=value` words (st2's CLI syntax; the value may contain `=`) into raw strings.
 * @throws UsageError naming the word that is not `key=value`.
 * @example parseKeyValues(['cmd=echo a=b', 'timeout=5']) // { cmd: 'echo a=b', timeout: '5' }
 */
export function parseKeyValues(words: readonly string[]): Record<string, string> {
  const raw: Record<string, string> = {};
  for (const word of words) {
    const at = word.indexOf('=');
    const key = at > 0 ? word.slice(0, at) : '';
    if (!/^[A-Za-z_][\w-]*$/.test(key)) {
      throw new UsageError(`bad parameter: ${JSON.stringify(word)} - expected key=value (e.g. cmd="echo hi")`);
    }
    raw[key] = word.slice(at + 1);
  }
  return raw;
}

/** `key=value` words cast by the action's parameter types (st2 rules; JSON for arrays and objects). */
export function actionParameters(action: Pick<ActionDefinition, 'parameters'>, words: readonly string[]): Record<string, unknown> {
  return castParameters(action, parseKeyValues(words));
}

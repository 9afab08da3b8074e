/**
 * YAML as StackStorm reads packs: PyYAML's `safe_load`. Pack authors test their files against
 * st2, so a file st2 loads must load here, and mean the same:
 *
 *   - PyYAML's scanner is lenient where YAML 1.2 parsers are strict: a quoted scalar may go on
 *     over less-indented lines (`'{{` ... `}}'` spread over a task's lines). js-yaml 4, a port
 *     of PyYAML's reader, accepts what it accepts (the `yaml` package and js-yaml 5 refuse);
 *   - plain scalars resolve with PyYAML's YAML 1.1 resolver: `yes/no/on/off` are booleans,
 *     `0777` is octal, `0b101` binary, `1_000` an integer, `190:20:30` sexagesimal, a float needs
 *     a dot (`1e3` is a string, `1.0e+3` a float), `=` is refused as safe_load refuses it;
 *   - a repeated mapping key keeps its last value, as PyYAML does.
 *
 * One difference, deliberate: a timestamp (`2001-12-14`) stays the string written. PyYAML gives
 * a datetime, which no JSON value can hold; the text is what st2 would print.
 */
import jsYaml from 'js-yaml';

/** Aliases a document may use by default: each alias to a collection shares it, and serialising shares out (the "billion laughs"). */
export const DEFAULT_MAX_YAML_ALIASES = 50;

export interface PackYamlOptions {
  /**
   * Most aliases to a list or mapping (`*name`) the document may hold.
   * @default 50
   */
  maxAliases?: number;
}

/** A document PyYAML's safe_load would refuse too (or one too full of aliases). */
export class PackYamlError extends Error {
  override name = 'PackYamlError';
}

const PY_BOOL = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const PY_INT = /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const PY_FLOAT =
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const PY_NULL = /^(?:~|null|Null|NULL|)$/;
const PY_VALUE = /^=$/;

const PY_TIMESTAMP =
  /^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)$/;

/**
 * True when PyYAML would read `text`, written plain, as something other than that string (a
 * bool, number, null, timestamp, `<<` or `=`): a YAML writer must quote it, as PyYAML's dumper does.
 * @example readsAsNonString('yes') // true
 */
export function readsAsNonString(text: string): boolean {
  return [PY_NULL, PY_BOOL, PY_INT, PY_FLOAT, PY_VALUE, PY_TIMESTAMP, /^<<$/].some((re) => re.test(text));
}

/** Sign and digits of a number as PyYAML's constructors read it: underscores dropped. */
function signed(text: string): [sign: number, digits: string] {
  const clean = text.replace(/_/g, '');
  if (clean.startsWith('-')) return [-1, clean.slice(1)];
  return [1, clean.startsWith('+') ? clean.slice(1) : clean];
}

/** `190:20:30` → 190*3600 + 20*60 + 30. */
function sexagesimal(digits: string): number {
  return digits.split(':').reduce((total, part) => total * 60 + Number(part), 0);
}

function constructInt(text: string): number {
  const [sign, digits] = signed(text);
  if (digits === '0') return 0;
  if (digits.startsWith('0b')) return sign * parseInt(digits.slice(2), 2);
  if (digits.startsWith('0x')) return sign * parseInt(digits.slice(2), 16);
  if (digits.startsWith('0')) return sign * parseInt(digits, 8);
  if (digits.includes(':')) return sign * sexagesimal(digits);
  return sign * Number(digits);
}

function constructFloat(text: string): number {
  const [sign, digits] = signed(text.toLowerCase());
  if (digits === '.inf') return sign * Infinity;
  if (digits === '.nan') return NaN;
  if (digits.includes(':')) return sign * sexagesimal(digits);
  return sign * Number(digits);
}

/** js-yaml's own tag types (exported at run time; @types/js-yaml leaves them out). */
const TYPES = (jsYaml as unknown as { types: Record<'merge' | 'binary' | 'omap' | 'pairs' | 'set', jsYaml.Type> }).types;

const scalar = (tag: string, re: RegExp, construct: (text: string) => unknown) =>
  new jsYaml.Type(`tag:yaml.org,2002:${tag}`, { kind: 'scalar', resolve: (data: unknown) => typeof data === 'string' && re.test(data), construct });

/** PyYAML's SafeLoader resolver (YAML 1.1), timestamps kept as text (see the top of this file). */
const PYYAML_SCHEMA = jsYaml.FAILSAFE_SCHEMA.extend({
  implicit: [
    scalar('null', PY_NULL, () => null),
    scalar('bool', PY_BOOL, (text) => /^(?:yes|true|on)$/i.test(text)),
    scalar('int', PY_INT, constructInt),
    scalar('float', PY_FLOAT, constructFloat),
    TYPES.merge,
    scalar('value', PY_VALUE, () => {
      throw new PackYamlError("could not determine a constructor for the tag 'tag:yaml.org,2002:value' (a plain `=`; quote it)");
    }),
  ],
  explicit: [TYPES.binary, TYPES.omap, TYPES.pairs, TYPES.set],
});

/** Counts collections reached a second time (aliases), descending each one once. */
function countSharedCollections(value: unknown, seen: Set<object>, max: number, count = { n: 0 }): number {
  if (typeof value !== 'object' || value === null) return count.n;
  if (seen.has(value)) {
    count.n += 1;
    if (count.n > max) throw new PackYamlError(`too many aliases: more than ${max} (a YAML alias bomb?)`);
    return count.n;
  }
  seen.add(value);
  for (const child of Object.values(value)) countSharedCollections(child, seen, max, count);
  return count.n;
}

/**
 * Parses one YAML document as PyYAML's `safe_load` would (see the top of this file); an empty
 * document is null. Throws PackYamlError (its message's first line says what and where).
 * @example parsePackYaml("enabled: yes\nmode: 0644\n") // { enabled: true, mode: 420 }
 */
export function parsePackYaml(text: string, options: PackYamlOptions = {}): unknown {
  let doc: unknown;
  try {
    doc = jsYaml.load(text, { schema: PYYAML_SCHEMA, json: true });
  } catch (e) {
    if (e instanceof PackYamlError) throw e;
    throw new PackYamlError((e as Error).message, { cause: e });
  }
  countSharedCollections(doc, new Set(), options.maxAliases ?? DEFAULT_MAX_YAML_ALIASES);
  return doc ?? null;
}

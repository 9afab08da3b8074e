import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';

/**
 * The hostile-template corpus (test/fixtures/hostile-templates.txt) and the canaries that show
 * whether a payload reached anything: a secret in process.env, a global flag, the prototypes.
 */
const FILE = join(import.meta.dirname, '../fixtures/hostile-templates.txt');

function load(): { jinja: string[]; yaql: string[] } {
  const sections: Record<string, string[]> = { jinja: [], yaql: [] };
  let current: string[] | undefined;
  for (const line of readFileSync(FILE, 'utf8').split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const header = /^\[(\w+)\]$/.exec(line);
    if (header) {
      current = sections[header[1] as string];
      continue;
    }
    if (!current) throw new Error(`hostile corpus: a payload before any section - ${line}`);
    current.push(line);
  }
  return { jinja: sections.jinja as string[], yaql: sections.yaql as string[] };
}

const corpus = load();
/** Jinja payloads (`{{ }}` / `{% %}`). */
export const HOSTILE_JINJA: readonly string[] = corpus.jinja;
/** YAQL payloads (`<% %>`). */
export const HOSTILE_YAQL: readonly string[] = corpus.yaql;
/** Every payload, plus the plain arithmetic probe of the pentest. */
export const HOSTILE_ALL: readonly string[] = ['{{ 7*7 }}', '<% 7*7 %>', ...corpus.jinja, ...corpus.yaql];

/** The value a payload would leak if it read the environment. */
export const CANARY_SECRET = `canary-${randomUUID()}`;

declare global {
  var HOSTILE_FLAG: unknown;
}

const PROTOTYPES: Record<string, object> = {
  Object: Object.prototype,
  Array: Array.prototype,
  String: String.prototype,
  Function: Function.prototype,
  Number: Number.prototype,
};

function snapshot(): Record<string, string[]> {
  return Object.fromEntries(Object.entries(PROTOTYPES).map(([name, proto]) => [name, Reflect.ownKeys(proto).map(String).sort()]));
}

let before: Record<string, string[]> = {};

/** Puts the secret in process.env, clears the flag and records the prototypes. Call before evaluating payloads. */
export function armCanaries(): void {
  process.env.HOSTILE_CANARY_SECRET = CANARY_SECRET;
  delete globalThis.HOSTILE_FLAG;
  before = snapshot();
}

/** Asserts that no payload set the flag, changed a prototype, or leaked the secret into `outputs`. */
export function expectNothingReached(outputs: unknown[]): void {
  expect(globalThis.HOSTILE_FLAG, 'a payload set globalThis.HOSTILE_FLAG').toBeUndefined();
  expect(snapshot(), 'a payload changed a built-in prototype').toEqual(before);
  expect(({} as Record<string, unknown>).polluted, 'Object.prototype was polluted').toBeUndefined();
  const text = JSON.stringify(outputs, (_k, v: unknown) => (v instanceof Error ? `${v.name}: ${v.message}` : v));
  expect(text.includes(CANARY_SECRET), 'the secret leaked into a result or an error').toBe(false);
}

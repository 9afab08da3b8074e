/**
 * yaql's and orquesta's own tests, translated into data (tools/extract_*.py), run through our
 * YAQL evaluator. Every assertion of the Python suites is here: it passes, or it is left out by
 * the translation (`skip`: legacy mode, Python objects, a Python context) or excluded
 * (exclusions.json), each with its reason. known-failures.json lists cases that do not pass yet;
 * they are run expecting failure, so one that starts passing must leave the list.
 * Pass rate: node --import tsx test/unit/conformance/measure.ts
 */
import { describe, expect, it } from 'vitest';
import { load, loadReasons, runCase, runOrquesta, runYaql, type Case } from './cases.ts';

const exclusions = loadReasons('exclusions.json');
const knownFailures = loadReasons('known-failures.json');

function suite(name: string, cases: Case[], run: (c: Case) => unknown): void {
  describe(name, () => {
    for (const c of cases) {
      const title = `${c.id} ${typeof c.expr === 'string' ? c.expr : JSON.stringify(c.expr ?? c.source)}`;
      // Untranslatable or excluded: listed with its reason in the data (measure.ts counts them), not run.
      if (c.skip ?? exclusions[c.id]) continue;
      const body = () => expect(runCase(c, run)).toBeUndefined();
      if (knownFailures[c.id]) it.fails(title, body);
      else it(title, body);
    }
  });
}

const yaqlCases = load('yaql-cases.json');
const orquestaCases = [...load('orquesta-yaql-cases.json'), ...load('orquesta-yaql-manual.json')];
suite('openstack/yaql tests', yaqlCases, runYaql);
suite('orquesta YAQL tests', orquestaCases, runOrquesta);

describe('conformance bookkeeping', () => {
  const ids = new Set([...yaqlCases, ...orquestaCases].map((c) => c.id));
  it('gives every case a unique id', () => {
    expect(ids.size).toBe(yaqlCases.length + orquestaCases.length);
  });
  it('excludes and expects failures only of cases that exist, each with a reason', () => {
    for (const [id, why] of Object.entries({ ...exclusions, ...knownFailures })) {
      expect(ids.has(id), id).toBe(true);
      expect(why.length).toBeGreaterThan(10);
    }
  });
  it('runs every orquesta case that is not excluded', () => {
    expect(orquestaCases.filter((c) => knownFailures[c.id])).toEqual([]);
  });
});

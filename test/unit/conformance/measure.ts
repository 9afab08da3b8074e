/**
 * Prints the conformance pass rate and, with --write, records the failing cases in
 * known-failures.json (the suite expects exactly those to fail).
 *   node --import tsx test/unit/conformance/measure.ts [--write]
 */
import { writeFileSync } from 'node:fs';
import { load, loadReasons, runCase, runOrquesta, runYaql, type Case } from './cases.ts';

const exclusions = loadReasons('exclusions.json');
const suites: Array<[string, Case[], (c: Case) => unknown]> = [
  ['yaql', load('yaql-cases.json'), runYaql],
  ['orquesta', [...load('orquesta-yaql-cases.json'), ...load('orquesta-yaql-manual.json')], runOrquesta],
];
const failures: Record<string, string> = {};
for (const [name, cases, run] of suites) {
  const active = cases.filter((c) => !c.skip);
  let pass = 0;
  let excluded = 0;
  for (const c of active) {
    if (exclusions[c.id]) {
      excluded++;
      continue;
    }
    const why = runCase(c, run);
    if (why === undefined) pass++;
    else failures[c.id] = `${c.expr}: ${why}`.slice(0, 300);
  }
  const total = active.length;
  console.log(
    `${name}: ${pass}/${total} translated cases pass (${((100 * pass) / total).toFixed(1)}%), ${excluded} excluded, ${total - pass - excluded} failing; ${cases.length - total} assertions not translatable`,
  );
}
if (process.argv.includes('--write')) writeFileSync(new URL('known-failures.json', import.meta.url), JSON.stringify(failures, null, 1) + '\n');
else for (const [id, why] of Object.entries(failures)) console.log(`  ${id}  ${why}`);

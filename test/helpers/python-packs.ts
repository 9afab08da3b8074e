/**
 * Python packs with a dependency, built offline: a wheel of a tiny library (zipped by python3's zipfile; no
 * build backend, no package index) and an st2 pack whose requirements.txt installs it with
 * `--no-index --find-links wheels`, and whose python action imports it.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

// A wheel is a zip: the module, and a dist-info with METADATA, WHEEL and RECORD.
const WHEEL_SCRIPT = `
import sys, zipfile
out, name, version, source = sys.argv[1:5]
info = '%s-%s.dist-info' % (name, version)
with zipfile.ZipFile('%s/%s-%s-py3-none-any.whl' % (out, name, version), 'w') as z:
    z.writestr('%s/__init__.py' % name, source)
    z.writestr(info + '/METADATA', 'Metadata-Version: 2.1\\nName: %s\\nVersion: %s\\n' % (name, version))
    z.writestr(info + '/WHEEL', 'Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n')
    z.writestr(info + '/RECORD', '%s/__init__.py,,\\n%s/METADATA,,\\n%s/WHEEL,,\\n%s/RECORD,,\\n' % (name, info, info, info))
`;

/** Writes `<name>-<version>-py3-none-any.whl` into `dir`, its `__init__.py` being `source`. */
export function buildWheel(dir: string, name: string, version: string, source: string): string {
  mkdirSync(dir, { recursive: true });
  execFileSync('python3', ['-c', WHEEL_SCRIPT, dir, name, version, source]);
  return path.join(dir, `${name}-${version}-py3-none-any.whl`);
}

export interface PythonPackOptions {
  /** The pack's name (pack.yaml ref). @default 'pydeps' */
  name?: string;
  /** The library's `GREETING` (the action returns it). @default 'hello from tinydep 1.0' */
  greeting?: string;
  /** Version of the library. @default '1.0' */
  version?: string;
  /** requirements.txt, as written; default: tinydep from the pack's wheels/ folder only. */
  requirements?: string;
}

/**
 * A pack `<name>` in `root/<name>`: `<name>.greet` (python-script) imports tinydep and returns
 * `{ greeting, who, tinydep_file }`; the wheel of tinydep is in the pack's wheels/.
 */
export function writePythonPack(root: string, options: PythonPackOptions = {}): string {
  const name = options.name ?? 'pydeps';
  const version = options.version ?? '1.0';
  const dir = path.join(root, name);
  mkdirSync(path.join(dir, 'actions'), { recursive: true });
  buildWheel(path.join(dir, 'wheels'), 'tinydep', version, `GREETING = ${JSON.stringify(options.greeting ?? `hello from tinydep ${version}`)}\n`);
  writeFileSync(path.join(dir, 'pack.yaml'), `ref: ${name}\nname: ${name}\ndescription: a pack with a python dependency\nversion: ${version}.0\n`);
  writeFileSync(path.join(dir, 'requirements.txt'), options.requirements ?? `--no-index\n--find-links wheels\ntinydep==${version}\n`);
  writeFileSync(
    path.join(dir, 'actions', 'greet.yaml'),
    `name: greet\npack: ${name}\nrunner_type: python-script\nentry_point: greet.py\nparameters:\n  who: { type: string, default: world }\n`,
  );
  writeFileSync(
    path.join(dir, 'actions', 'greet.py'),
    [
      'import tinydep',
      'from st2common.runners.base_action import Action',
      '',
      'class Greet(Action):',
      '    def run(self, who):',
      "        return {'greeting': tinydep.GREETING, 'who': who, 'tinydep_file': tinydep.__file__}",
      '',
    ].join('\n'),
  );
  return dir;
}

// Builds the CLI and the local runtime into dist/ (git-ignored) with esbuild, and tells whether that build is
// stale. Plain JavaScript on purpose: it runs before anything is built (`npm install` runs it as `prepare`,
// `bin/actionrunner.mjs` runs it when a source changed since the last build), so it cannot need a TypeScript loader.
//
// Why esbuild rather than tsc: a build takes one to a few seconds of wall time (tsc needs ~20 s of CPU just to
// type-check this code, and it does not bundle), so the bin can build on demand; and the output is bundled, with code splitting, so a command loads a few chunks
// holding just what it imports instead of ~150 modules of ours and ~1,000 files of the AWS SDK and other
// packages to resolve and scan at every start. Type checking stays `npm run typecheck`.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project folder (the one with package.json). */
export const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/** Where the build goes. Every output sits two levels below it (`cli/main.mjs`, `chunks/*.mjs`), which
 * `src/cli/main.ts` (package.json) and `src/resources/definition.ts` (serverless.yml) rely on to find the project. */
export const BUILD_DIR = path.join(ROOT, 'dist');

/**
 * Format of dist/build.json: `inputs` (source file -> [mtimeMs, size] when built), `outputs` (every file written)
 * and `contents` (output module -> the packages and source files bundled into it: which file holds the AWS SDK).
 */
const MANIFEST_VERSION = 1;

/** What is built: the CLI, and the two handlers the local runtime loads into each of its containers. */
const ENTRY_POINTS = {
  'cli/main': 'src/cli/main.ts',
  'functions/actions': 'functions/actions.ts',
  'functions/workflows': 'functions/workflows.ts',
};

/**
 * Files that shape the build without being its sources: a change to them rebuilds too. The bundled packages are
 * not stat'ed one by one (over a thousand files): npm rewrites node_modules/.package-lock.json whenever it
 * changes node_modules.
 */
const BUILD_FILES = ['scripts/build.mjs', 'tsconfig.json', 'package.json', 'package-lock.json', 'node_modules/.package-lock.json'];

/** Chunks no build refers to any more are removed once they are this old (a process started before may still load them). */
const PRUNE_AFTER_MS = 60 * 60 * 1000;

/** The path of the built CLI module (`dist/cli/main.mjs`). */
export const CLI_MODULE = path.join(BUILD_DIR, 'cli', 'main.mjs');

function fileState(root, file) {
  // Plain concatenation and no exception for a missing file: this runs for every source file at every start.
  const stat = statSync(`${root}/${file}`, { throwIfNoEntry: false });
  return stat ? [stat.mtimeMs, stat.size] : undefined;
}

function readManifest(root) {
  try {
    return JSON.parse(readFileSync(path.join(root, 'dist', 'build.json'), 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Why the build in `root`/dist cannot be run as it is, or undefined when it is up to date: no build yet, or
 * a file it was built from changed (mtime or size), went away, or one of its outputs is missing. Costs one
 * stat per source file (~150), a few milliseconds.
 * @example staleReason() // 'src/cli/main.ts changed since the last build'
 */
export function staleReason(root = ROOT) {
  const manifest = readManifest(root);
  if (!manifest) return 'no build yet';
  if (manifest.version !== MANIFEST_VERSION) return `the build is of another format (version ${manifest.version}, expected ${MANIFEST_VERSION})`;
  for (const [file, recorded] of Object.entries(manifest.inputs)) {
    const now = fileState(root, file);
    if (!now) return `${file} is gone since the last build`;
    if (now[0] !== recorded[0] || now[1] !== recorded[1]) return `${file} changed since the last build`;
  }
  for (const file of manifest.outputs) {
    if (!fileState(root, file)) return `${file} is missing`;
  }
  return undefined;
}

// Packages that stay in node_modules: the development dependencies, tsx (the node-script runner hands it to
// Node by path for TypeScript actions), and ssh2 (its optional native add-ons cannot be bundled), with their subpaths.
function externalPackages(root) {
  const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  return [...Object.keys(manifest.devDependencies ?? {}), 'tsx', 'ssh2'].flatMap((name) => [name, `${name}/*`]);
}

// Written under a temporary name, then renamed: a process starting meanwhile sees the old file or the new one,
// never half of one, and two builds at once (two commands started together) write the same bytes.
function writeAtomically(file, contents) {
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, file);
}

// The state of every file under `dirs`, taken before the build reads them.
function statTree(root, dirs) {
  const states = {};
  const walk = (relative) => {
    let entries;
    try {
      entries = readdirSync(path.join(root, relative), { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const file = path.join(relative, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.isFile()) states[file.split(path.sep).join('/')] = fileState(root, file);
    }
  };
  for (const dir of dirs) walk(dir);
  return states;
}

// Where a bundled file comes from, as the manifest's `contents` lists it: its package, or the source file itself.
function origin(input) {
  const inPackage = /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  return inPackage ? inPackage[1] : input;
}

const isChunk = (file) => file.path.includes(`${path.sep}chunks${path.sep}`);

function pruneChunks(root, keep, now = Date.now()) {
  const dir = path.join(root, 'dist', 'chunks');
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const file = path.join(dir, name);
    if (keep.has(file)) continue;
    try {
      if (now - statSync(file).mtimeMs > PRUNE_AFTER_MS) rmSync(file, { force: true });
    } catch {
      // Removed by another build meanwhile.
    }
  }
}

/**
 * Builds into `root`/dist and writes the manifest last. `clean` empties dist first (what `npm install` does).
 * Throws when esbuild reports an error (it has printed it on stderr).
 * @returns the build's duration in milliseconds
 * @example await build({ clean: true })
 */
export async function build({ root = ROOT, clean = false } = {}) {
  const started = Date.now();
  const { build: esbuild } = await import('esbuild');
  const buildDir = path.join(root, 'dist');
  if (clean) rmSync(buildDir, { recursive: true, force: true });
  // Taken before the build: a file saved while it runs then no longer matches the manifest, so the next start
  // builds again rather than running what was read before the save.
  const before = { ...statTree(root, ['src', 'functions']), ...Object.fromEntries(BUILD_FILES.map((file) => [file, fileState(root, file)])) };
  const result = await esbuild({
    absWorkingDir: root,
    entryPoints: ENTRY_POINTS,
    outdir: buildDir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // The runtime dependencies are bundled (their ES modules where they ship some): loaded from node_modules,
    // the AWS SDK alone is ~300 CommonJS files whose exports Node scans one by one at every start. The
    // development tools the local runtime uses (fauxqs, DynamoDB Local's package, tsx) load from node_modules.
    external: externalPackages(root),
    mainFields: ['module', 'main'],
    // Some of the SDK's dependencies are CommonJS and call require(): give the ES module output one.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    minify: true,
    keepNames: true,
    sourcemap: 'linked',
    metafile: true,
    write: false,
    logLevel: 'error',
  });
  const inputs = {};
  for (const file of [...Object.keys(result.metafile.inputs).filter((input) => !input.startsWith('node_modules/')), ...BUILD_FILES]) {
    const state = before[file] ?? fileState(root, file);
    if (state) inputs[file] = state;
  }
  // Chunks first, entry modules after: an entry never names a chunk that is not there yet.
  for (const file of result.outputFiles.filter(isChunk)) writeAtomically(file.path, file.contents);
  for (const file of result.outputFiles.filter((f) => !isChunk(f))) writeAtomically(file.path, file.contents);
  const outputs = result.outputFiles.map((file) => path.relative(root, file.path));
  const contents = Object.fromEntries(
    Object.entries(result.metafile.outputs)
      .filter(([file]) => file.endsWith('.mjs'))
      .map(([file, output]) => [file, [...new Set(Object.keys(output.inputs).map(origin))].sort()]),
  );
  const manifest = { version: MANIFEST_VERSION, inputs, outputs, contents };
  writeAtomically(path.join(buildDir, 'build.json'), `${JSON.stringify(manifest, null, 1)}\n`);
  pruneChunks(root, new Set(result.outputFiles.map((file) => file.path)));
  return Date.now() - started;
}

/**
 * Makes sure the build in `root`/dist matches the sources, building when it does not; says so on `log`.
 * @example await ensureBuilt({ log: (line) => process.stderr.write(line) })
 */
export async function ensureBuilt({ root = ROOT, log = () => {} } = {}) {
  const reason = staleReason(root);
  if (!reason) return;
  const ms = await build({ root });
  log(`actionrunner: built the CLI into dist/ in ${ms} ms (${reason})\n`);
}

// `node scripts/build.mjs` (npm run build, and `prepare` on npm install / npm ci): a clean build.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const ms = await build({ clean: true });
    process.stdout.write(`built the CLI and the local runtime into dist/ in ${ms} ms\n`);
  } catch (error) {
    process.stderr.write(`error: build failed - ${error instanceof Error ? error.message.split('\n')[0] : String(error)}\n`);
    process.exitCode = 1;
  }
}

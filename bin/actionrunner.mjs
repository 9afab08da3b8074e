#!/usr/bin/env node
// The actionrunner CLI. It runs the build in dist/ (`npm install` makes it), and builds again first when a
// source file changed since (one line on stderr says so), so that what runs is always what src/ says.
import { CLI_MODULE, ensureBuilt } from '../scripts/build.mjs';

// The SDK warns on every Node 20 process that Node 22 will be required in 2027: noise on a CLI's stderr.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// A reader that goes away early (`| head`) is not an error of ours: stop writing, keep the exit status.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});
try {
  await ensureBuilt({ log: (line) => process.stderr.write(line) });
} catch (error) {
  // esbuild has printed where the error is.
  process.stderr.write(
    `error: cannot build the CLI from src/ - ${error instanceof Error ? error.message.split('\n')[0] : String(error)}; fix the sources, then run the command again (or npm run build)\n`,
  );
  process.exit(1);
}
// The build is minified: the long-running runtime's stack traces (in its logs) go through the source maps.
// Not for the short commands, which print messages, not stacks, and would pay for reading the maps.
if (process.argv[2] === 'local') process.setSourceMapsEnabled(true);
const { main } = await import(CLI_MODULE);
const code = await main(process.argv);
// A pipe takes 64 KiB at once; the rest of a write is queued. Exiting before it is written cuts the
// document short, so wait until both streams have written everything (a write's callback runs in order).
const flushed = (stream) => new Promise((resolve) => (stream.destroyed || !stream.writable ? resolve() : stream.write('', () => resolve())));
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(code);

#!/usr/bin/env node
// The actionrunner CLI: runs the TypeScript sources through tsx (no build step).
import { register } from 'tsx/esm/api';

// The SDK warns on every Node 20 process that Node 22 will be required in 2027: noise on a CLI's stderr.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// A reader that goes away early (`| head`) is not an error of ours: stop writing, keep the exit status.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});
register();
const { main } = await import('../src/cli/main.ts');
const code = await main(process.argv);
// A pipe takes 64 KiB at once; the rest of a write is queued. Exiting before it is written cuts the
// document short, so wait until both streams have written everything (a write's callback runs in order).
const flushed = (stream) => new Promise((resolve) => (stream.destroyed || !stream.writable ? resolve() : stream.write('', () => resolve())));
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(code);

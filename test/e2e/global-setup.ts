// The e2e tests drive the built CLI, as users run it: build it once before they start (when src/ changed since
// the last build), rather than have the first commands of a test file build it side by side.
import { spawnSync } from 'node:child_process';
import { BIN } from './helpers.ts';

export default function setup(): void {
  const result = spawnSync(process.execPath, [BIN, '--version'], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`cannot build the CLI: ${BIN} --version exited with ${result.status}\n${result.stderr}`);
}

#!/usr/bin/env node
// The actionrunner CLI: runs the TypeScript sources through tsx (no build step).
import { register } from 'tsx/esm/api';

// The SDK warns on every Node 20 process that Node 22 will be required in 2027: noise on a CLI's stderr.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
const { main } = await import('../src/cli/main.ts');
const code = await main(process.argv);
// Pipes and files are written synchronously on Linux, so nothing printed is lost by exiting now.
process.exit(code);

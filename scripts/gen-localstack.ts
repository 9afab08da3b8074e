// Renders localstack/ready.d/init-resources.sh from serverless.yml: `npm run gen:localstack`.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOCALSTACK_INIT_PATH, renderLocalstackInit } from '../src/resources/index.ts';

const target = resolve(dirname(fileURLToPath(import.meta.url)), '..', LOCALSTACK_INIT_PATH);
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, renderLocalstackInit());
chmodSync(target, 0o755);
console.log(`wrote ${LOCALSTACK_INIT_PATH}`);

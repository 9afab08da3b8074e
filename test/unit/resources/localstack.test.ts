import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCALSTACK_INIT_PATH, renderLocalstackInit, SERVERLESS_FILE } from '../../../src/resources/index.ts';

const root = join(import.meta.dirname, '..', '..', '..');

describe('LocalStack init hook', () => {
  it('is up to date with serverless.yml (run `npm run gen:localstack` after changing it)', () => {
    const committed = readFileSync(join(root, LOCALSTACK_INIT_PATH), 'utf8');
    expect(committed).toBe(renderLocalstackInit());
    expect(statSync(join(root, LOCALSTACK_INIT_PATH)).mode & 0o111).not.toBe(0);
  });

  it('is valid bash and creates every queue, DLQ, table and TTL of the definition', () => {
    const script = renderLocalstackInit();
    execFileSync('bash', ['-n'], { input: script });
    for (const name of ['workflows', 'workflows-dlq', 'actions', 'actions-dlq']) {
      expect(script).toContain(`create_queue "lambda-actionrunner-\${STAGE}-${name}"`);
    }
    expect(script).toContain('"IndexName":"byTime"');
    expect(script).toContain('"IndexName":"byParent"');
    expect(script).toContain('enable_ttl "lambda-actionrunner-${STAGE}-output" "expires_at"');
    expect(script).toMatch(/redrive_attributes 5401 345600 "\$actions_dlq_arn" 5/);
  });

  it('gives stages with their own params their own branch', () => {
    const source = readFileSync(SERVERLESS_FILE, 'utf8').replace(/^params:\n/m, 'params:\n  prod:\n    actionsVisibilityTimeout: 6000\n');
    const script = renderLocalstackInit({ source });
    execFileSync('bash', ['-n'], { input: script });
    expect(script).toContain('case "$STAGE" in');
    expect(script).toContain('create_queue "lambda-actionrunner-prod-actions" "$(redrive_attributes 6000 ');
    expect(script).toContain('create_queue "lambda-actionrunner-${STAGE}-actions" "$(redrive_attributes 5401 ');
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger, maskSecretsInLogs } from '../../../src/log/index.ts';

describe('log lines of a process running secrets', () => {
  let lines: string[];
  let restore: () => void;
  beforeEach(() => {
    lines = [];
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string) => lines.push(String(chunk)) > 0) as typeof process.stderr.write;
    restore = () => (process.stderr.write = write);
  });
  afterEach(() => restore());

  it('masks registered secrets in messages, fields, errors and keys until released', () => {
    const log = createLogger({ component: 'test' }, 'debug');
    const secret = 'pa"ss-9731';
    const release = maskSecretsInLogs([secret]);
    log.error(`failed with ${secret}`, { error: new Error(`bad ${secret}`), nested: { [secret]: [secret] }, quoted: JSON.stringify({ secret }) });
    release();
    log.info(`after ${secret}`);
    const [during, after] = lines.map((line) => JSON.parse(line));
    expect(lines[0]).not.toContain('9731');
    expect(during).toMatchObject({
      message: 'failed with ********',
      error: { name: 'Error', message: 'bad ********' },
      nested: { '********': ['********'] },
      quoted: '{"secret":"********"}',
    });
    expect(after.message).toBe(`after ${secret}`);
  });

  it('keeps masking a value that another execution still holds', () => {
    const log = createLogger({}, 'info');
    const first = maskSecretsInLogs(['shared-secret']);
    const second = maskSecretsInLogs(['shared-secret']);
    first();
    first(); // releasing twice does not release the other holder
    log.info('shared-secret');
    second();
    log.info('shared-secret');
    expect(lines.map((line) => JSON.parse(line).message)).toEqual(['********', 'shared-secret']);
  });
});

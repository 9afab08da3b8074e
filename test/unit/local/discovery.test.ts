import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claimProject } from '../../../src/local/discovery.ts';

let dir: string;
const lock = () => path.join(dir, '.actionrunner', 'local.lock');
// A pid that existed and is gone (reaped at once).
const deadPid = () => spawnSync('true').pid!;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'ar-claim-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('claimProject: one local runtime per folder', () => {
  it('is held by the first claimant and refused to a second while the first is alive', () => {
    const first = claimProject(dir);
    expect(first).toMatchObject({ held: true });
    expect(first.held && first.tookOverFrom).toBeUndefined();
    const second = claimProject(dir, 999_999_999);
    expect(second).toMatchObject({ held: false, holder: { pid: process.pid } });
    expect('holder' in second && second.holder.discovery).toBeUndefined();
  });

  it('names the running one from its discovery file once it is up', () => {
    claimProject(dir);
    const discovery = { pid: process.pid, sqsEndpoint: 'http://127.0.0.1:1', dynamodbEndpoint: 'http://127.0.0.1:2', startedAt: '2026-01-01T00:00:00.000Z' };
    writeFileSync(path.join(dir, '.actionrunner', 'local.json'), JSON.stringify(discovery));
    expect(claimProject(dir, 999_999_999)).toMatchObject({ held: false, holder: { pid: process.pid, discovery } });
  });

  it('takes over a lock whose process is dead, and tells whose it was', () => {
    const dead = deadPid();
    mkdirSync(path.dirname(lock()));
    writeFileSync(lock(), JSON.stringify({ pid: dead, startedAt: '2026-01-01T00:00:00.000Z' }));
    expect(claimProject(dir)).toMatchObject({ held: true, tookOverFrom: { pid: dead, startedAt: '2026-01-01T00:00:00.000Z' } });
  });

  it('refuses when a live runtime wrote a discovery file without a lock (an older version); takes over a dead one', () => {
    mkdirSync(path.dirname(lock()));
    const file = path.join(dir, '.actionrunner', 'local.json');
    writeFileSync(file, JSON.stringify({ pid: process.ppid, startedAt: 'then' }));
    expect(claimProject(dir)).toMatchObject({ held: false, holder: { pid: process.ppid } });
    expect(existsSync(lock())).toBe(false);
    const dead = deadPid();
    writeFileSync(file, JSON.stringify({ pid: dead, startedAt: 'then' }));
    expect(claimProject(dir)).toMatchObject({ held: true, tookOverFrom: { pid: dead } });
  });

  it('release removes the lock only while it is its own', () => {
    const claim = claimProject(dir);
    if (!claim.held) throw new Error('expected to hold the folder');
    claim.release();
    expect(existsSync(lock())).toBe(false);
    writeFileSync(lock(), JSON.stringify({ pid: process.ppid, startedAt: 'now' }));
    claim.release();
    expect(existsSync(lock())).toBe(true);
  });
});

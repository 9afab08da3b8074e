/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers of the API */
// The api function's real handler behind the real local HTTP server, on a test file's stage: what `npm start` serves.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { createApiHandler, startApiServer } from '../../../src/api/index.ts';
import { createApiServices } from '../../../src/api/services.ts';
import type { ApiKeyStore } from '../../../src/auth/index.ts';
import { createLogger } from '../../../src/log/index.ts';
import type { Substrate } from '../../helpers/substrate.ts';

export interface ApiUnderTest {
  url: string;
  /** A key of user `ann` without decrypt, and one of `root` that may decrypt. */
  key: string;
  adminKey: string;
  apiKeys: ApiKeyStore;
  webDir: string;
  call(
    method: string,
    path: string,
    options?: { body?: unknown; raw?: string; key?: string | null; headers?: Record<string, string> },
  ): Promise<{ status: number; headers: Headers; json: any; text: string }>;
}

/** Starts the API on the substrate's stage before the file's tests (a web/ folder of its own) and stops it after. */
export function useApi(substrate: Substrate): ApiUnderTest {
  const webDir = mkdtempSync(join(tmpdir(), 'api-web-'));
  writeFileSync(join(webDir, 'index.html'), '<!doctype html><title>actionrunner</title><script src="/app.js"></script>');
  writeFileSync(join(webDir, 'app.js'), 'console.log("page");');
  writeFileSync(join(webDir, '.secret'), 'not served');
  let server: Awaited<ReturnType<typeof startApiServer>> | undefined;
  const state = {} as ApiUnderTest;
  beforeAll(async () => {
    const api = createApiServices({ config: substrate.config, clients: substrate.clients, log: createLogger({ component: 'test-api' }, 'warn') });
    server = await startApiServer(createApiHandler({ ...api, webDir }), { port: 0 });
    state.url = server.url;
    state.apiKeys = api.apiKeys;
    state.key = (await api.apiKeys.create({ user: 'ann' })).key;
    state.adminKey = (await api.apiKeys.create({ user: 'root', allowDecrypt: true })).key;
  });
  afterAll(() => server?.close());
  state.webDir = webDir;
  state.call = async (method, path, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    const key = options.key === undefined ? state.key : options.key;
    if (key !== null) headers['St2-Api-Key'] = key;
    let body: string | undefined = options.raw;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    }
    const response = await fetch(`${state.url}${path}`, { method, headers, body });
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, json, text };
  };
  return state;
}

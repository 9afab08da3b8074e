// End to end: the web page in Debian's headless Chromium (playwright-core), against `actionrunner local` (what
// `npm start` runs) serving the API and the page. Executions are started through the HTTP API, as scripts do.
// Each page is kept as a screenshot in test-artifacts/web/.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cleanEnv, cli, startLocal, type LocalProcess } from './helpers.ts';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/web/', import.meta.url));
/** An API key as `apikey create` prints it: `<ULID>.<43 base64url characters>`. */
const KEY_PATTERN = /\b[0-9A-HJKMNP-TV-Z]{26}\.[A-Za-z0-9_-]{43}\b/;

/** Debian's Chromium (`.ci/run` installs it), or CHROMIUM_PATH. */
function chromiumPath(): string {
  const found = process.env.CHROMIUM_PATH || spawnSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' }).stdout.trim();
  if (!found) throw new Error('no Chromium: expected `chromium` on PATH (apt-get install chromium; .ci/run installs it) or CHROMIUM_PATH');
  return found;
}

let dir: string;
let local: LocalProcess;
let apiUrl: string;
let key: string;
let browser: Browser;
let page: Page;
/** What the page printed to its console and the errors it threw: a CSP violation or a script error fails the test. */
let problems: string[];

/** Calls the HTTP API with the key. */
async function api(method: string, route: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(new URL(route, apiUrl), {
    method,
    headers: { 'St2-Api-Key': key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

const run = async (action: string, parameters: Record<string, unknown>) => (await api('POST', '/v1/executions', { action, parameters })).id as string;

async function login(): Promise<void> {
  await page.goto(apiUrl);
  await page.fill('#api-key', key);
  await page.click('#login button[type=submit]');
  await page.waitForSelector('table.executions');
}

const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
const statusOf = () => page.getAttribute('#exec-status', 'data-status');

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  dir = mkdtempSync(path.join(tmpdir(), 'ar-e2e-web-'));
  local = await startLocal(dir, ['--api-port', '0'], cleanEnv({ ACTIONRUNNER_BATCHING_WINDOW: '0' }));
  apiUrl = local.discovery().apiUrl!;
  expect(apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  const created = await cli(dir, ['apikey', 'create', '--user', 'web-e2e']);
  expect(created.code, created.stderr).toBe(0);
  key = KEY_PATTERN.exec(created.stdout)![0];
  browser = await chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox'] });
});

afterAll(async () => {
  await browser?.close();
  await local?.stop('SIGTERM').catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  page.setDefaultTimeout(20_000);
  problems = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
});

afterEach(async () => {
  await page.close();
});

describe('the web page', () => {
  it('refuses a wrong key with a clear message, keeps none, and lets the right one in', async () => {
    await page.goto(apiUrl);
    await page.fill('#api-key', `${key.split('.')[0]}.${'A'.repeat(43)}`);
    await page.click('#login button[type=submit]');
    await expect.poll(() => page.textContent('#login-error'), { timeout: 10_000 }).toMatch(/^API key refused: .+/);
    expect(await page.isVisible('#login-error')).toBe(true);
    expect(await page.evaluate<number>('sessionStorage.length')).toBe(0);
    expect(await page.locator('table.executions').count()).toBe(0);
    await shot('login-refused');

    await page.fill('#api-key', key);
    await page.click('#login button[type=submit]');
    await page.waitForSelector('table.executions');
    expect(await page.evaluate<string | null>("sessionStorage.getItem('actionrunner.apiKey')")).toBe(key);
    // Problems logged are the refused request itself (a 401 in the console), nothing else.
    expect(problems.filter((text) => !/401/.test(text))).toEqual([]);
  });

  it('goes back to the login, saying why, when the API refuses the key of the session; Log out forgets the key', async () => {
    const second = await cli(dir, ['apikey', 'create', '--user', 'web-e2e-revoked', '--json']);
    expect(second.code, second.stderr).toBe(0);
    const revoked = JSON.parse(second.stdout) as { key: string; id: string };
    await page.goto(apiUrl);
    await page.fill('#api-key', revoked.key);
    await page.click('#login button[type=submit]');
    await page.waitForSelector('table.executions');
    expect(await page.isVisible('#logout')).toBe(true);

    const deleted = await cli(dir, ['apikey', 'delete', revoked.id]);
    expect(deleted.code, deleted.stderr).toBe(0);
    // The list's next read is refused: the page drops the key and shows the login with the reason.
    await expect.poll(() => page.textContent('#login-error'), { timeout: 15_000 }).toMatch(/^Logged out: the API refused the key \(.+\)\.$/);
    expect(await page.evaluate<number>('sessionStorage.length')).toBe(0);
    expect(await page.isVisible('#logout')).toBe(false);
    await shot('logged-out');

    await login();
    await page.click('#logout');
    await page.waitForSelector('#login');
    expect(await page.evaluate<number>('sessionStorage.length')).toBe(0);
    expect(await page.isVisible('#login-error')).toBe(false);
  });

  it('lists an execution started through the API, updates its status live, and filters by action and status', async () => {
    await login();
    const id = await run('core.local', { cmd: 'sleep 5; echo listed' });
    const row = page.locator(`#executions tr[data-id="${id}"]`);
    await row.waitFor();
    expect(await row.getAttribute('data-status')).not.toBe('succeeded');
    // No reload: the list re-reads by itself.
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 30_000 }).toBe('succeeded');
    await shot('list');

    // The statuses offered come from the API's OpenAPI document.
    await page.locator('#filter-status option[value="canceling"]').waitFor({ state: 'attached' });
    await page.fill('#filter-action', 'core.local');
    await page.selectOption('#filter-status', 'succeeded');
    await expect.poll(() => page.evaluate<string>('location.hash'), { timeout: 10_000 }).toBe('#/?action=core.local&status=succeeded');
    await page.locator(`#executions tr[data-id="${id}"]`).waitFor();
    await page.selectOption('#filter-status', 'failed');
    await expect.poll(() => page.locator(`#executions tr[data-id="${id}"]`).count(), { timeout: 10_000 }).toBe(0);
    await page.fill('#filter-action', 'core.noop');
    await page.selectOption('#filter-status', '');
    await expect.poll(() => page.textContent('#list-state'), { timeout: 10_000 }).toMatch(/No executions match|shown/);
    expect(await page.locator(`#executions tr[data-id="${id}"]`).count()).toBe(0);
    expect(problems).toEqual([]);
  });

  it('opens an execution from the list and shows its output as it arrives, while it runs', async () => {
    await login();
    const id = await run('core.local', { cmd: 'for i in 1 2 3 4 5 6; do echo line-$i; sleep 1; done' });
    await page.click(`#executions tr[data-id="${id}"] a.action`);
    await page.waitForSelector('#exec-title');
    expect(await page.evaluate<string>('location.hash')).toBe(`#/executions/${id}`);

    // The first line shows while the execution still runs and the last has not been printed yet.
    await expect.poll(() => page.textContent('#output'), { timeout: 30_000 }).toContain('line-1');
    expect(await page.textContent('#output')).not.toContain('line-6');
    expect((await api('GET', `/v1/executions/${id}`)).status).toBe('running');
    expect(await statusOf()).not.toBe('succeeded');
    await shot('execution-running');

    await expect.poll(() => page.textContent('#output'), { timeout: 30_000 }).toContain('line-6');
    await expect.poll(statusOf, { timeout: 15_000 }).toBe('succeeded');
    expect((await page.textContent('#output'))!.match(/line-\d/g)).toEqual(['line-1', 'line-2', 'line-3', 'line-4', 'line-5', 'line-6']);
    await expect.poll(() => page.textContent('#output-state'), { timeout: 10_000 }).toBe('ended (succeeded)');
    expect(await page.textContent('#parameters')).toContain('for i in 1 2 3 4 5 6');
    expect(await page.textContent('#timing')).toMatch(/Started.+Ended.+Elapsed/s);
    expect(await page.textContent('#status-log')).toMatch(/requested[\s\S]*running[\s\S]*succeeded/);
    expect(await page.isDisabled('#cancel')).toBe(true);
    await shot('execution');
    expect(problems).toEqual([]);
  });

  it('shows hostile output and parameters as text, never as markup', async () => {
    await login();
    const hostile = `<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>`;
    const id = await run('core.local', { cmd: `printf '%s\\n' '${hostile}'` });
    await page.goto(`${apiUrl}/#/executions/${id}`);
    await expect.poll(() => page.textContent('#output'), { timeout: 30_000 }).toContain(hostile);
    // Parameters show as JSON (quotes escaped), as text too.
    expect(await page.textContent('#parameters')).toContain('<img src=x onerror=');
    expect(await page.locator('img, #app script').count()).toBe(0);
    expect(await page.evaluate<unknown>('window.__pwned')).toBeUndefined();
    // Not a workflow: no task tree.
    expect(await page.isVisible('#tasks')).toBe(false);
    await shot('hostile-output');
    expect(problems).toEqual([]);
  });

  it('cancels a running execution', async () => {
    await login();
    const id = await run('core.local', { cmd: 'echo started; sleep 120' });
    await page.goto(`${apiUrl}/#/executions/${id}`);
    await expect.poll(() => page.textContent('#output'), { timeout: 30_000 }).toContain('started');
    await expect.poll(statusOf, { timeout: 10_000 }).toBe('running');
    await page.click('#cancel');
    await expect.poll(statusOf, { timeout: 30_000 }).toBe('canceled');
    expect(await page.isDisabled('#cancel')).toBe(true);
    expect((await api('GET', `/v1/executions/${id}`)).status).toBe('canceled');
    await shot('canceled');
    expect(problems).toEqual([]);
  });

  it("shows a workflow's task tree, a subworkflow's tasks nested under it, each with its status", async () => {
    await login();
    const id = await run('examples.orquesta-subworkflow', {});
    await page.goto(`${apiUrl}/#/executions/${id}`);
    await expect.poll(statusOf, { timeout: 60_000 }).toBe('succeeded');
    const task = (name: string) => page.locator(`#tasks li[data-task="${name}"]`);
    await expect.poll(() => task('finish').getAttribute('data-status'), { timeout: 10_000 }).toBe('succeeded');
    expect(await task('start').getAttribute('data-status')).toBe('succeeded');
    const nested = task('subworkflow').locator('li');
    expect(await nested.evaluateAll((items) => items.map((item) => [item.getAttribute('data-task'), item.getAttribute('data-status')]))).toEqual([
      ['task1', 'succeeded'],
      ['task2', 'succeeded'],
      ['task3', 'succeeded'],
    ]);
    await shot('workflow');

    // A task opens as an execution of its own, naming its workflow.
    await task('finish').locator('a').first().click();
    await expect.poll(() => page.textContent('#timing'), { timeout: 10_000 }).toContain(`Task of${id} (task finish)`);
    expect(problems).toEqual([]);
  });

  it('re-runs an execution and opens the new one', async () => {
    await login();
    const id = await run('core.local', { cmd: 'echo again' });
    await page.goto(`${apiUrl}/#/executions/${id}`);
    await expect.poll(statusOf, { timeout: 30_000 }).toBe('succeeded');
    await page.click('#re-run');
    await expect.poll(() => page.evaluate<string>('location.hash'), { timeout: 10_000 }).not.toBe(`#/executions/${id}`);
    const again = (await page.evaluate<string>('location.hash')).split('/').at(-1)!;
    await expect.poll(() => page.textContent('#output'), { timeout: 30_000 }).toContain('again');
    expect(((await api('GET', `/v1/executions/${again}`)).context as Record<string, unknown>).reRunOf).toBe(id);
    await shot('re-run');
    expect(problems).toEqual([]);
  });
});

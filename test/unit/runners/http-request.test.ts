import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpRequestRunner } from '../../../src/runners/http-request.ts';
import { runnerParameters } from '../../../src/runners/registry.ts';
import { action, request } from './helpers.ts';

/** What the server saw of the last request. */
interface Seen {
  method?: string;
  url?: string;
  headers: IncomingMessage['headers'];
  body: string;
}

const seen: Seen[] = [];
const routes: Record<string, (req: IncomingMessage, res: ServerResponse, body: string) => void> = {
  '/json': (_req, res) => res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end('{"ok":true,"n":[1,2]}'),
  '/text': (_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('{{ 7*7 }} plain'),
  '/bad-json': (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{not json'),
  '/echo': (req, res, body) =>
    res
      .writeHead(201, { 'content-type': 'application/json' })
      .end(JSON.stringify({ method: req.method, url: req.url, body, type: req.headers['content-type'] })),
  '/private': (req, res) => {
    const expected = `Basic ${Buffer.from('stanley:Passw0rd!').toString('base64')}`;
    if (req.headers.authorization === expected) res.writeHead(200, { 'content-type': 'text/plain' }).end('welcome');
    else res.writeHead(401, { 'www-authenticate': 'Basic realm="test"' }).end('who are you');
  },
  '/moved': (_req, res) => res.writeHead(302, { location: '/json' }).end(),
  '/boom': (_req, res) => res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error'),
  '/slow': () => undefined, // never answers
  '/big': (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: 'x'.repeat(10_000) })),
  '/cookies': (req, res) => res.writeHead(200, { 'set-cookie': ['a=1', 'b=2'] }).end(req.headers.cookie ?? ''),
};

let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      const route = routes[new URL(req.url ?? '/', 'http://x').pathname];
      if (route) route(req, res, body);
      else res.writeHead(404).end('not found');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const runner = new HttpRequestRunner();
const def = { ...action('http-request', { parameters: runnerParameters('http-request') }), ref: 'core.http', name: 'http', pack: 'core' };
const run = (parameters: Record<string, unknown>, overrides = {}) =>
  runner.run(request(def, { allow_redirects: false, verify_ssl_cert: true, ...parameters }, overrides));
const last = () => seen[seen.length - 1];

describe('http-request', () => {
  it('GETs with query params and parses a JSON response (st2 result shape)', async () => {
    const outcome = await run({ url: `${base}/json`, params: { q: 'a b', page: 2, tag: ['x', 'y'] } });
    expect(outcome.status).toBe('succeeded');
    expect(outcome.result).toMatchObject({ status_code: 200, parsed: true, body: { ok: true, n: [1, 2] } });
    expect((outcome.result as { headers: Record<string, string> }).headers['content-type']).toBe('application/json; charset=utf-8');
    expect(last().method).toBe('GET');
    expect(last().url).toBe('/json?q=a+b&page=2&tag=x&tag=y');
    expect(last().headers['x-stanley-action']).toBe('core.http');
  });

  it('keeps a non-JSON body as text, never evaluated', async () => {
    const outcome = await run({ url: `${base}/text` });
    expect(outcome.result).toEqual(expect.objectContaining({ body: '{{ 7*7 }} plain', parsed: false }));
  });

  it('leaves a body that claims JSON but is not as text, parsed false', async () => {
    expect((await run({ url: `${base}/bad-json` })).result).toMatchObject({ body: '{not json', parsed: false, status_code: 200 });
  });

  it('POSTs a JSON body (re-encoded as st2 does) and defaults the method to POST when there is a body', async () => {
    const outcome = await run({ url: `${base}/echo`, body: '{ "name": "st2" }', headers: { 'Content-Type': 'application/json' } });
    expect(outcome.status).toBe('succeeded');
    expect(outcome.result).toMatchObject({ status_code: 201, body: { method: 'POST', body: '{"name":"st2"}', type: 'application/json' } });
  });

  it('refuses a JSON content type with a body that is not JSON', async () => {
    const outcome = await run({ url: `${base}/echo`, body: 'name=st2', headers: { 'content-type': 'application/json' } });
    expect(outcome).toEqual({
      status: 'failed',
      result: { error: 'invalid parameter: body - expected JSON text (the content-type header is application/json), got "name=st2"' },
    });
  });

  it('sends basic auth from username/password, and the password appears nowhere in the result', async () => {
    const outcome = await run({ url: `${base}/private`, username: 'stanley', password: 'Passw0rd!' });
    expect(outcome).toMatchObject({ status: 'succeeded', result: { status_code: 200, body: 'welcome' } });
    expect(JSON.stringify(outcome)).not.toContain('Passw0rd!');
    expect(JSON.stringify(outcome)).not.toContain(Buffer.from('stanley:Passw0rd!').toString('base64'));
  });

  it('fails on a 401 without credentials (st2 fails every status outside 200-206)', async () => {
    expect(await run({ url: `${base}/private` })).toMatchObject({ status: 'failed', result: { status_code: 401, body: 'who are you' } });
  });

  it('does not follow a redirect by default: the 302 is the result and the execution fails', async () => {
    const outcome = await run({ url: `${base}/moved` });
    expect(outcome).toMatchObject({ status: 'failed', result: { status_code: 302, headers: { location: '/json' } } });
  });

  it('follows a redirect with allow_redirects', async () => {
    const outcome = await run({ url: `${base}/moved`, allow_redirects: true });
    expect(outcome).toMatchObject({ status: 'succeeded', result: { status_code: 200, body: { ok: true } } });
  });

  it('does not forward basic auth or cookies when a redirect leaves the origin', async () => {
    const other = createServer((req, res) =>
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ auth: req.headers.authorization ?? null, cookie: req.headers.cookie ?? null })),
    );
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const away = `http://localhost:${(other.address() as AddressInfo).port}/`;
    routes['/away'] = (_req, res) => res.writeHead(302, { location: away }).end();
    try {
      const outcome = await run({ url: `${base}/away`, allow_redirects: true, username: 'stanley', password: 'Passw0rd!', cookies: { s: 'x' } });
      expect(outcome).toMatchObject({ status: 'succeeded', result: { body: { auth: null, cookie: null } } });
      expect(last().headers.authorization).toBeDefined();
    } finally {
      other.closeAllConnections();
      await new Promise((resolve) => other.close(resolve));
    }
  });

  it('fails on a 500 with the response as the result', async () => {
    expect(await run({ url: `${base}/boom` })).toEqual({
      status: 'failed',
      result: expect.objectContaining({ status_code: 500, body: 'internal error', parsed: false }),
    });
  });

  it('ends `timeout` when the server does not answer in time', async () => {
    const started = Date.now();
    const outcome = await run({ url: `${base}/slow` }, { timeoutMs: 300 });
    expect(outcome).toEqual({ status: 'timeout', result: { error: 'Action failed to complete in 0.3 seconds' } });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('aborts the request on cancel', async () => {
    const cancel = new AbortController();
    setTimeout(() => cancel.abort('cancel'), 200);
    const outcome = await run({ url: `${base}/slow` }, { signal: cancel.signal });
    expect(outcome).toEqual({ status: 'canceled', result: { error: 'Action was canceled: the request was aborted' } });
  });

  it('fails with the reason when the connection is refused', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const outcome = await run({ url: `http://127.0.0.1:${port}/x` });
    expect(outcome.status).toBe('failed');
    expect((outcome.result as { error: string }).error).toMatch(new RegExp(`^request failed: GET http://127.0.0.1:${port}/x - .*ECONNREFUSED`));
  });

  it('cuts a large body at resultMaxBytes, says so, and does not parse it', async () => {
    const outcome = await run({ url: `${base}/big` }, { resultMaxBytes: 100 });
    expect(outcome.status).toBe('succeeded');
    expect(outcome.result).toMatchObject({ parsed: false, body_truncated: true });
    expect(Buffer.byteLength((outcome.result as { body: string }).body)).toBe(100);
  });

  it('sends cookies and joins repeated response headers', async () => {
    const outcome = await run({ url: `${base}/cookies`, cookies: { session: 'abc', theme: 'dark' } });
    expect(outcome.result).toMatchObject({ body: 'session=abc; theme=dark', headers: { 'set-cookie': 'a=1, b=2' } });
  });

  it('honours url_hosts_blacklist and url_hosts_whitelist', async () => {
    expect((await run({ url: `${base}/json`, url_hosts_blacklist: ['127.0.0.1'] })).result).toEqual({
      error: 'url refused: host 127.0.0.1 is in url_hosts_blacklist',
    });
    expect((await run({ url: `${base}/json`, url_hosts_whitelist: ['example.com'] })).result).toEqual({
      error: 'url refused: host 127.0.0.1 is not in url_hosts_whitelist (example.com)',
    });
    expect((await run({ url: `${base}/json`, url_hosts_whitelist: ['127.0.0.1'] })).status).toBe('succeeded');
  });
});

describe('http-request bad input', () => {
  it.each([
    [{ url: 'ftp://example.com/x' }, 'invalid parameter: url - expected an http:// or https:// URL, got "ftp://example.com/x"'],
    [{ url: 42 }, 'invalid parameter: url - expected an http:// or https:// URL, got 42'],
    [
      { url: 'http://h/', method: 'FETCH' },
      'invalid parameter: method - expected one of HEAD, GET, POST, PUT, DELETE, OPTIONS, TRACE, PATCH, PURGE, got "FETCH"',
    ],
    [
      { url: 'http://h/', headers: { 'X-A': 'a\r\nX-Injected: 1' } },
      'invalid parameter: headers.X-A - expected a string, number or boolean without line breaks, got "a\\r\\nX-Injected: 1"',
    ],
    [{ url: 'http://h/', headers: 'X-A: 1' }, 'invalid parameter: headers - expected an object, got "X-A: 1"'],
    [{ url: 'http://h/', params: { q: { a: 1 } } }, 'invalid parameter: params.q - expected a string, number, boolean or a list of them, got {"a":1}'],
    [{ url: 'http://h/', cookies: { s: 'a; admin=1' } }, 'invalid parameter: cookies.s - expected a value without ; , " \\ or whitespace, got "a; admin=1"'],
    [{ url: 'http://h/', allow_redirects: 'yes' }, 'invalid parameter: allow_redirects - expected true or false, got "yes"'],
    [{ url: 'http://h/', http_proxy: 'not a url' }, 'invalid parameter: http_proxy - expected a proxy URL such as http://10.10.1.10:3128, got "not a url"'],
    [
      { url: 'http://h/', auth: 'x-auth-token=XYZ' },
      'unsupported parameter: auth - use username and password (basic auth) or an Authorization header in headers',
    ],
    [{ url: 'http://h/', file_path: '/etc/passwd' }, 'unsupported parameter: file_path - file uploads are not supported (send the content as body)'],
    [
      { url: 'http://h/', url_hosts_blacklist: ['a'], url_hosts_whitelist: ['b'] },
      'invalid parameters: url_hosts_blacklist and url_hosts_whitelist - expected only one of them, got both',
    ],
  ])('refuses %j', async (parameters, error) => {
    expect(await run(parameters)).toEqual({ status: 'failed', result: { error } });
  });
});

describe('http-request through a proxy and over TLS', () => {
  it('tunnels through http_proxy (the proxy sees a CONNECT to the target)', async () => {
    const tunnels: string[] = [];
    const proxy = createServer();
    proxy.on('connect', (req: IncomingMessage, client, head: Buffer) => {
      tunnels.push(req.url ?? '');
      const [host, port] = (req.url ?? '').split(':');
      const upstream = connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client).pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
      const outcome = await run({ url: `${base}/json`, http_proxy: proxyUrl });
      expect(outcome).toMatchObject({ status: 'succeeded', result: { body: { ok: true } } });
      expect(tunnels).toEqual([new URL(base).host]);
      // https_proxy is only for https URLs.
      tunnels.length = 0;
      expect((await run({ url: `${base}/json`, https_proxy: proxyUrl })).status).toBe('succeeded');
      expect(tunnels).toEqual([]);
    } finally {
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  const certDir = mkdtempSync(join(tmpdir(), 'http-tls-'));
  afterAll(() => rmSync(certDir, { recursive: true, force: true }));
  it('verifies the certificate by default and skips the check with verify_ssl_cert false', async () => {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-keyout',
        join(certDir, 'key.pem'),
        '-out',
        join(certDir, 'cert.pem'),
      ],
      {
        stdio: 'ignore',
      },
    );
    const tls = createTlsServer({ key: readFileSync(join(certDir, 'key.pem')), cert: readFileSync(join(certDir, 'cert.pem')) }, (_req, res) =>
      res.end('secure'),
    );
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
    try {
      const url = `https://127.0.0.1:${(tls.address() as AddressInfo).port}/`;
      const refused = await run({ url });
      expect(refused.status).toBe('failed');
      expect((refused.result as { error: string }).error).toMatch(/self[- ]signed certificate/i);
      expect(await run({ url, verify_ssl_cert: false })).toMatchObject({ status: 'succeeded', result: { body: 'secure' } });
    } finally {
      tls.closeAllConnections();
      await new Promise((resolve) => tls.close(resolve));
    }
  });
});

/**
 * The request an `http-request` execution makes, built from its parameters (st2's runner and
 * `core.http` parameters). Every value is user data: it is validated and placed in the request,
 * never interpreted. Errors say what was expected and what was given.
 */

/** Methods `core.http` allows (its `method` enum). */
export const HTTP_METHODS = ['HEAD', 'GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'TRACE', 'PATCH', 'PURGE'] as const;

/** One request, resolved: what `http-request` sends and how. */
export interface HttpRequestPlan {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body?: string;
  allowRedirects: boolean;
  verifySsl: boolean;
  /** Proxy for the URL's scheme (`http_proxy` or `https_proxy`), if any. */
  proxy?: string;
}

/** Bad parameter: the message says which one, what was expected and what was given. */
export class HttpParameterError extends Error {
  override name = 'HttpParameterError';
}

const describe = (value: unknown): string => {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 80 ? `${text.slice(0, 77)}...` : text;
};

function invalid(name: string, expected: string, given: unknown): HttpParameterError {
  return new HttpParameterError(`invalid parameter: ${name} - expected ${expected}, got ${describe(given)}`);
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const scalarText = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
// CR, LF and NUL would split or end a header line (request smuggling); undici refuses them too, less clearly.
const BAD_HEADER_VALUE = /[\r\n\0]/;

function optionalObject(parameters: Record<string, unknown>, name: string): Record<string, unknown> {
  const value = parameters[name];
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw invalid(name, 'an object', value);
  return value;
}

function optionalString(parameters: Record<string, unknown>, name: string): string | undefined {
  const value = parameters[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw invalid(name, 'a string', value);
  return value;
}

function stringMap(parameters: Record<string, unknown>, name: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(optionalObject(parameters, name))) {
    const text = scalarText(value);
    if (text === undefined || BAD_HEADER_VALUE.test(text)) throw invalid(`${name}.${key}`, 'a string, number or boolean without line breaks', value);
    out[key] = text;
  }
  return out;
}

function parseUrl(value: unknown): URL {
  if (typeof value !== 'string' || value === '') throw invalid('url', 'an http:// or https:// URL', value);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid('url', 'an http:// or https:// URL', value);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid('url', 'an http:// or https:// URL', value);
  return url;
}

/** `params` into the URL's query: arrays repeat the name (as requests does). */
function addQuery(url: URL, parameters: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(optionalObject(parameters, 'params'))) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item === null || item === undefined) continue;
      const text = scalarText(item);
      if (text === undefined) throw invalid(`params.${name}`, 'a string, number, boolean or a list of them', value);
      url.searchParams.append(name, text);
    }
  }
}

/** st2's url_hosts_blacklist / url_hosts_whitelist (exclusive), on the URL's host. */
function checkHostLists(url: URL, parameters: Record<string, unknown>): void {
  const list = (name: string): string[] => {
    const value = parameters[name];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) throw invalid(name, 'a list of host names', value);
    return value as string[];
  };
  const deny = list('url_hosts_blacklist');
  const allow = list('url_hosts_whitelist');
  if (deny.length > 0 && allow.length > 0) {
    throw new HttpParameterError('invalid parameters: url_hosts_blacklist and url_hosts_whitelist - expected only one of them, got both');
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const listed = (hosts: string[]) => hosts.some((entry) => entry.replace(/^\[|\]$/g, '').toLowerCase() === host.toLowerCase());
  if (deny.length > 0 && listed(deny)) throw new HttpParameterError(`url refused: host ${host} is in url_hosts_blacklist`);
  if (allow.length > 0 && !listed(allow)) throw new HttpParameterError(`url refused: host ${host} is not in url_hosts_whitelist (${allow.join(', ')})`);
}

const headerOf = (headers: Record<string, string>, name: string): string | undefined =>
  Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];

/** The body as sent: JSON re-encoded when the request says JSON (st2 parses a string body first), form-encoded for an object otherwise. */
function encodeBody(body: unknown, headers: Record<string, string>): string | undefined {
  if (body === undefined || body === null || body === '') return undefined;
  const json = headerOf(headers, 'content-type')?.split(';')[0].trim().toLowerCase() === 'application/json';
  if (json) {
    if (typeof body !== 'string') return JSON.stringify(body);
    try {
      return JSON.stringify(JSON.parse(body));
    } catch {
      throw invalid('body', 'JSON text (the content-type header is application/json)', body);
    }
  }
  if (typeof body === 'string') return body;
  if (isObject(body)) {
    const form = new URLSearchParams();
    for (const [name, value] of Object.entries(body)) form.append(name, scalarText(value) ?? JSON.stringify(value));
    if (headerOf(headers, 'content-type') === undefined) headers['Content-Type'] = 'application/x-www-form-urlencoded';
    return form.toString();
  }
  throw invalid('body', 'a string or an object', body);
}

/** `cookies` as one Cookie header; a value that would end the header or another cookie is refused. */
function cookieHeader(parameters: Record<string, unknown>): string | undefined {
  const cookies = stringMap(parameters, 'cookies');
  for (const [name, value] of Object.entries(cookies)) {
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) throw invalid(`cookies.${name}`, 'a cookie name (a token)', name);
    if (/[;,\s"\\]/.test(value)) throw invalid(`cookies.${name}`, 'a value without ; , " \\ or whitespace', value);
  }
  const pairs = Object.entries(cookies).map(([name, value]) => `${name}=${value}`);
  return pairs.length > 0 ? pairs.join('; ') : undefined;
}

function proxyFor(url: URL, parameters: Record<string, unknown>): string | undefined {
  const name = url.protocol === 'https:' ? 'https_proxy' : 'http_proxy';
  const proxy = optionalString(parameters, name);
  if (proxy !== undefined && !URL.canParse(proxy)) throw invalid(name, 'a proxy URL such as http://10.10.1.10:3128', proxy);
  return proxy;
}

/**
 * The request for `parameters` (st2's: url, method, headers, body, params, cookies, username,
 * password, allow_redirects, verify_ssl_cert, http_proxy, https_proxy, url hosts lists).
 * `actionRef` goes in `X-Stanley-Action`, as st2 sends it.
 * @throws HttpParameterError on a bad value, and on st2's file upload and `auth` string (not supported).
 * @example planRequest({ url: 'http://127.0.0.1:8080/x', params: { q: 1 } }, 'core.http').url.search // '?q=1'
 */
export function planRequest(parameters: Record<string, unknown>, actionRef: string): HttpRequestPlan {
  for (const name of ['file_path', 'file_name', 'file_content']) {
    if (parameters[name] !== undefined && parameters[name] !== null && parameters[name] !== '') {
      throw new HttpParameterError(`unsupported parameter: ${name} - file uploads are not supported (send the content as body)`);
    }
  }
  if (parameters.auth !== undefined && parameters.auth !== null && parameters.auth !== '') {
    throw new HttpParameterError('unsupported parameter: auth - use username and password (basic auth) or an Authorization header in headers');
  }
  const url = parseUrl(parameters.url);
  addQuery(url, parameters);
  checkHostLists(url, parameters);

  const headers = stringMap(parameters, 'headers');
  headers['User-Agent'] = 'st2/lambda-actionrunner';
  headers['X-Stanley-Action'] = actionRef;
  const cookie = cookieHeader(parameters);
  if (cookie !== undefined) headers.Cookie = cookie;

  // Basic auth from username/password, else from the URL's user info (as requests does); never left in the URL.
  let username = optionalString(parameters, 'username');
  let password = optionalString(parameters, 'password');
  if (username === undefined && password === undefined && (url.username || url.password)) {
    username = decodeURIComponent(url.username);
    password = decodeURIComponent(url.password);
  }
  url.username = '';
  url.password = '';
  if (username !== undefined || password !== undefined) {
    headers.Authorization = `Basic ${Buffer.from(`${username ?? ''}:${password ?? ''}`).toString('base64')}`;
  }

  const body = encodeBody(parameters.body, headers);
  const given = parameters.method;
  if (given !== undefined && given !== null && (typeof given !== 'string' || !(HTTP_METHODS as readonly string[]).includes(given.toUpperCase()))) {
    throw invalid('method', `one of ${HTTP_METHODS.join(', ')}`, given);
  }
  const method = typeof given === 'string' ? given.toUpperCase() : body !== undefined ? 'POST' : 'GET';

  const flag = (name: string, fallback: boolean): boolean => {
    const value = parameters[name];
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'boolean') throw invalid(name, 'true or false', value);
    return value;
  };
  return {
    url,
    method,
    headers,
    body,
    allowRedirects: flag('allow_redirects', false),
    verifySsl: flag('verify_ssl_cert', true),
    proxy: proxyFor(url, parameters),
  };
}

// The page's client of the HTTP API: relative URLs (the page is served at the API's root, locally and on a
// stage), the key from sessionStorage in st2's `St2-Api-Key` header, JSON errors as ApiRequestError.

const KEY_ITEM = 'actionrunner.apiKey';

/** An answer other than 2xx: its status and the API's `{faultstring, code}`. */
export class ApiRequestError extends Error {
  constructor(status, body) {
    const faultstring = body && typeof body.faultstring === 'string' ? body.faultstring : `the API answered ${status}`;
    super(faultstring);
    this.name = 'ApiRequestError';
    this.status = status;
    this.code = body && typeof body.code === 'string' ? body.code : 'http_' + status;
    this.faultstring = faultstring;
  }
}

/** The key of this tab's session (sessionStorage: gone when the tab closes), or null. */
export const storedKey = () => sessionStorage.getItem(KEY_ITEM);
export const storeKey = (key) => sessionStorage.setItem(KEY_ITEM, key);
export const forgetKey = () => sessionStorage.removeItem(KEY_ITEM);

/** Listeners told when the API refuses the stored key (401): the page goes back to the login. */
const unauthorizedListeners = new Set();
export const onUnauthorized = (listener) => unauthorizedListeners.add(listener);

/**
 * Calls the API: `path` below `v1/`, `query` as search parameters (undefined values left out), `body` as JSON.
 * `key` overrides the stored key (the login checks a key before storing it).
 * @throws ApiRequestError on an answer other than 2xx
 */
export async function api(method, path, { query, body, key, signal } = {}) {
  const url = new URL(`v1/${path}`, document.baseURI);
  for (const [name, value] of Object.entries(query ?? {})) if (value !== undefined && value !== null && value !== '') url.searchParams.set(name, String(value));
  const headers = { Accept: 'application/json' };
  const apiKey = key ?? storedKey();
  if (apiKey) headers['St2-Api-Key'] = apiKey;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal, credentials: 'omit' });
  const text = await response.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (!response.ok) {
    const error = new ApiRequestError(response.status, parsed);
    if (response.status === 401 && key === undefined) for (const listener of unauthorizedListeners) listener(error);
    throw error;
  }
  return parsed;
}

/** The execution ids and paths the page reads. */
export const executions = {
  list: (filters, options) => api('GET', 'executions', { query: { limit: 50, ...filters }, ...options }),
  get: (id, options) => api('GET', `executions/${encodeURIComponent(id)}`, { query: { show_tasks: 'true' }, ...options }),
  output: (id, offset, wait, options) => api('GET', `executions/${encodeURIComponent(id)}/output`, { query: { offset, wait }, ...options }),
  cancel: (id) => api('DELETE', `executions/${encodeURIComponent(id)}`),
  reRun: (id) => api('POST', `executions/${encodeURIComponent(id)}/re_run`, { body: {} }),
};

/** The API's OpenAPI document (the statuses the list filters by come from it). */
export const openApi = (options) => api('GET', 'openapi.json', options);

export const actions = {
  list: (options) => api('GET', 'actions', options),
};

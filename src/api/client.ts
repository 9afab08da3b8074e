import { ActionRunnerError, ConflictError, NotFoundError, ValidationError } from '../model/errors.ts';
import { UnauthorizedError, ForbiddenError } from '../auth/errors.ts';

/** An answer of the API that is not a success: its faultstring, as the matching error of this project. */
function errorOf(status: number, body: { faultstring?: string; code?: string } | undefined, what: string): Error {
  const message = body?.faultstring ?? `${what}: HTTP ${status}`;
  if (status === 401) return new UnauthorizedError(message);
  if (status === 403) return new ForbiddenError(message);
  if (status === 404) return new NotFoundError(message);
  if (status === 409) return new ConflictError(message, { context: { code: body?.code } });
  if (status === 400 || status === 413) return new ValidationError(message);
  return new ActionRunnerError(`API error: ${what} - HTTP ${status}: ${message}`);
}

/** A JSON document of the API (an execution, a page, an action...). */
export type ApiDocument = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * The /v1 API over HTTP, with an API key: what the CLI uses with `--api URL` instead of AWS credentials.
 * `url` is the API's root, with or without `/v1` (`http://127.0.0.1:9101` or `.../v1`).
 * @example const api = new ApiClient({ url: 'http://127.0.0.1:9101', key }); await api.getExecution(id);
 */
export class ApiClient {
  readonly root: string;
  readonly #key: string;

  constructor(options: { url: string; key: string }) {
    this.root = options.url.replace(/\/+$/, '').replace(/\/v1$/, '');
    this.#key = options.key;
  }

  async call(method: string, path: string, body?: unknown): Promise<ApiDocument> {
    const what = `${method} ${path}`;
    let response: Response;
    try {
      response = await fetch(`${this.root}${path}`, {
        method,
        headers: { 'st2-api-key': this.#key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new ActionRunnerError(`API unreachable: ${this.root} - ${(error as Error).message} (is the URL right, and the API up?)`, { cause: error });
    }
    const text = await response.text();
    let json: ApiDocument | undefined;
    try {
      json = text ? (JSON.parse(text) as ApiDocument) : undefined;
    } catch {
      json = undefined;
    }
    if (!response.ok) throw errorOf(response.status, json, what);
    return json ?? {};
  }

  createExecution(request: { action: string; parameters: Record<string, unknown>; idempotency_key?: string }): Promise<ApiDocument> {
    return this.call('POST', '/v1/executions', request);
  }

  getExecution(id: string, showTasks = false): Promise<ApiDocument> {
    return this.call('GET', `/v1/executions/${encodeURIComponent(id)}${showTasks ? '?show_tasks=true' : ''}`);
  }

  listExecutions(query: Record<string, string | number | boolean | undefined>): Promise<{ executions: ApiDocument[]; next: string | null }> {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) if (value !== undefined) search.set(name, String(value));
    return this.call('GET', `/v1/executions${search.size ? `?${search}` : ''}`) as Promise<{ executions: ApiDocument[]; next: string | null }>;
  }

  cancel(id: string): Promise<ApiDocument> {
    return this.call('DELETE', `/v1/executions/${encodeURIComponent(id)}`);
  }

  reRun(id: string, parameters: Record<string, unknown>, options: { tasks?: string[]; noReset?: string[] } = {}): Promise<ApiDocument> {
    return this.call('POST', `/v1/executions/${encodeURIComponent(id)}/re_run`, { parameters, tasks: options.tasks, no_reset: options.noReset });
  }

  /** st2's `PUT /v1/executions/{id}` with status pausing or resuming. */
  control(id: string, verb: 'pause' | 'resume'): Promise<ApiDocument> {
    return this.call('PUT', `/v1/executions/${encodeURIComponent(id)}`, { status: verb === 'pause' ? 'pausing' : 'resuming' });
  }

  listInquiries(limit: number): Promise<ApiDocument[]> {
    return this.call('GET', `/v1/inquiries?limit=${limit}`) as unknown as Promise<ApiDocument[]>;
  }

  getInquiry(id: string): Promise<ApiDocument> {
    return this.call('GET', `/v1/inquiries/${encodeURIComponent(id)}`);
  }

  respondToInquiry(id: string, response: unknown): Promise<ApiDocument> {
    return this.call('PUT', `/v1/inquiries/${encodeURIComponent(id)}`, { response });
  }

  output(id: string, offset: number, options: { type?: 'stdout' | 'stderr'; waitSeconds?: number } = {}): Promise<ApiDocument> {
    const search = new URLSearchParams({ offset: String(offset), wait: String(options.waitSeconds ?? 0) });
    if (options.type) search.set('output_type', options.type);
    return this.call('GET', `/v1/executions/${encodeURIComponent(id)}/output?${search}`);
  }

  getAction(ref: string): Promise<ApiDocument> {
    return this.call('GET', `/v1/actions/${encodeURIComponent(ref)}`);
  }
}

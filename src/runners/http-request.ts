import { Agent, interceptors, ProxyAgent, request, type Dispatcher } from 'undici';
import { CANCEL_MESSAGE, timeoutMessage } from './common.ts';
import { HttpParameterError, planRequest, type HttpRequestPlan } from './http-options.ts';
import type { RunOutcome, RunRequest, Runner } from './types.ts';

/** st2 counts only these as success (`SUCCESS_STATUS_CODES`: 200 to 206); every other status fails the execution. */
const SUCCESS_STATUS = (code: number) => code >= 200 && code <= 206;
/** Redirects followed at most, when `allow_redirects` is true (requests' limit). */
const MAX_REDIRECTS = 30;

/** st2's http-request result; `body_truncated` is ours, set when the body was cut at `resultMaxBytes`. */
export interface HttpResult {
  status_code: number;
  headers: Record<string, string>;
  body: unknown;
  parsed: boolean;
  body_truncated?: boolean;
}

function dispatcherFor(plan: HttpRequestPlan): Dispatcher {
  const connect = { rejectUnauthorized: plan.verifySsl };
  const base = plan.proxy ? new ProxyAgent({ uri: plan.proxy, requestTls: connect, proxyTls: connect }) : new Agent({ connect });
  return plan.allowRedirects ? base.compose(interceptors.redirect({ maxRedirections: MAX_REDIRECTS })) : base;
}

/** Response headers as one string each (repeated headers joined with ", ", as requests does). */
function flatHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}

/** At most `max` bytes of the body; the rest is not downloaded (the stream is destroyed). */
async function boundedBody(body: Dispatcher.ResponseData['body'], max: number): Promise<{ text: string; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (size + chunk.length > max) {
      chunks.push(chunk.subarray(0, max - size));
      body.destroy();
      return { text: Buffer.concat(chunks).toString('utf8'), truncated: true };
    }
    chunks.push(chunk);
    size += chunk.length;
  }
  return { text: Buffer.concat(chunks).toString('utf8'), truncated: false };
}

/** st2 parses the body only when the response says application/json; it stays text when that fails. */
function parseBody(text: string, contentType: string | undefined, truncated: boolean): { body: unknown; parsed: boolean } {
  if (truncated || contentType?.split(';')[0].trim().toLowerCase() !== 'application/json') return { body: text, parsed: false };
  try {
    return { body: JSON.parse(text) as unknown, parsed: true };
  } catch {
    return { body: text, parsed: false };
  }
}

/** Why a request failed, from undici's error and its cause (ECONNREFUSED and the like live in the cause). */
function describeError(error: unknown): string {
  const err = error as Error & { code?: string; cause?: Error & { code?: string } };
  const cause = err.cause && err.cause !== err ? `: ${err.cause.code ?? err.cause.name} ${err.cause.message}` : '';
  return `${err.code ?? err.name} ${err.message}${cause}`;
}

/**
 * st2 `http-request` (the runner of `core.http`): one HTTP request with undici; the response's
 * status code, headers and body (parsed when it is JSON) are the result. Succeeds on 200-206 only
 * (as st2: a 3xx not followed, a 4xx, a 5xx fail the execution); a connection error fails it; the
 * action's timeout aborts the request and ends it `timeout`; cancel aborts it. The body is data:
 * kept up to `resultMaxBytes` (then `body_truncated: true`, not parsed), never evaluated.
 */
export class HttpRequestRunner implements Runner {
  readonly name = 'http-request';

  async run(runRequest: RunRequest): Promise<RunOutcome> {
    const { parameters, timeoutMs, signal } = runRequest;
    let plan: HttpRequestPlan;
    try {
      plan = planRequest(parameters, runRequest.action.ref);
    } catch (error) {
      if (error instanceof HttpParameterError) return { status: 'failed', result: { error: error.message } };
      throw error;
    }
    if (signal.aborted) return { status: 'canceled', result: { error: CANCEL_MESSAGE } };

    const stop = new AbortController();
    let why: 'timeout' | 'cancel' | undefined;
    const end = (reason: 'timeout' | 'cancel') => {
      why ??= reason;
      stop.abort(reason);
    };
    const timer = setTimeout(() => end('timeout'), timeoutMs);
    const onCancel = () => end('cancel');
    signal.addEventListener('abort', onCancel, { once: true });
    const dispatcher = dispatcherFor(plan);
    try {
      const response = await request(plan.url, {
        method: plan.method as Dispatcher.HttpMethod,
        headers: plan.headers,
        body: plan.body,
        dispatcher,
        signal: stop.signal,
      });
      const { text, truncated } = await boundedBody(response.body, runRequest.resultMaxBytes);
      const headers = flatHeaders(response.headers);
      const result: HttpResult = { status_code: response.statusCode, headers, ...parseBody(text, headers['content-type'], truncated) };
      if (truncated) result.body_truncated = true;
      return { status: SUCCESS_STATUS(response.statusCode) ? 'succeeded' : 'failed', result };
    } catch (error) {
      if (why === 'timeout') return { status: 'timeout', result: { error: timeoutMessage(timeoutMs) } };
      if (why === 'cancel') return { status: 'canceled', result: { error: 'Action was canceled: the request was aborted' } };
      return { status: 'failed', result: { error: `request failed: ${plan.method} ${plan.url.origin}${plan.url.pathname} - ${describeError(error)}` } };
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onCancel);
      void dispatcher.destroy().catch(() => undefined);
    }
  }
}

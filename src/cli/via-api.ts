// The commands' path through the HTTP API (`--api URL`, or ACTIONRUNNER_API_URL with ACTIONRUNNER_API_KEY): no AWS credentials needed.
import type { ApiClient, ApiDocument } from '../api/client.ts';
import type { Execution, ExecutionListing, OutputRecord } from '../model/execution.ts';
import { sleep } from '../shared/timers.ts';
import { UsageError } from './errors.ts';

type Env = Record<string, string | undefined>;

/** The API to use: `--api URL` (the key from ACTIONRUNNER_API_KEY), or both variables set; undefined: talk to AWS. */
export async function apiClientFor(flagUrl: string | undefined, env: Env = process.env): Promise<ApiClient | undefined> {
  const url = flagUrl ?? (env.ACTIONRUNNER_API_KEY ? env.ACTIONRUNNER_API_URL : undefined);
  if (!url) return undefined;
  if (!/^https?:\/\/\S+$/.test(url))
    throw new UsageError(`bad API URL: ${JSON.stringify(url)} - expected http(s)://host[:port] (the API's root, /v1 optional)`);
  const key = env.ACTIONRUNNER_API_KEY;
  if (!key) throw new UsageError('missing API key: --api needs ACTIONRUNNER_API_KEY (create one with "actionrunner apikey create")');
  const { ApiClient } = await import('../api/client.ts');
  return new ApiClient({ url, key });
}

/** An execution of the API (st2's fields, secrets already masked) as the CLI's renderers take it. */
export function executionFromDocument(doc: ApiDocument): Execution {
  return {
    ...(doc as unknown as Execution),
    parameters: doc.parameters ?? {},
    secretParameters: [],
    end_timestamp: doc.end_timestamp ?? undefined,
    ...(doc.lease ? { lease: { owner: doc.lease.owner, expiresAt: Date.parse(doc.lease.expires_at) } } : { lease: undefined }),
  } as Execution;
}

export function listingFromDocument(doc: ApiDocument): ExecutionListing {
  return { ...(doc as unknown as ExecutionListing), end_timestamp: doc.end_timestamp ?? undefined };
}

/**
 * Waits until the execution has ended, reading its output from the API (long polls), and hands each chunk to
 * `write` when given. Returns the execution, or its latest state once `timeoutMs` passed.
 */
export async function followViaApi(
  api: ApiClient,
  id: string,
  options: { write?: (record: Pick<OutputRecord, 'output_type' | 'data'>) => void; type?: 'stdout' | 'stderr'; timeoutMs?: number } = {},
): Promise<ApiDocument> {
  const started = Date.now();
  let offset = 0;
  for (;;) {
    const page = await api.output(id, offset, { type: options.type, waitSeconds: 2 });
    for (const chunk of page.output as { output_type: 'stdout' | 'stderr'; data: string }[]) options.write?.(chunk);
    offset = page.next_offset;
    if (page.done || Date.now() - started > (options.timeoutMs ?? Infinity)) return api.getExecution(id);
    // A store that answers at once (nothing new, no wait honoured) is not hammered.
    if (page.output.length === 0) await sleep(100);
  }
}

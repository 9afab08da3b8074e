// API benchmark (issue 13): GET /v1/executions over 10,000 stored executions, through the real handler behind
// the local HTTP server (API key check, validation, JSON), against the direct store call that answers it
// (the same page query), interleaved in the same run so that the machine's noise hits both alike.
import pLimit from 'p-limit';
import { createApiHandler, startApiServer } from '../src/api/index.ts';
import { createApiServices } from '../src/api/services.ts';
import { listPage } from '../src/app/execution-queries.ts';
import { createLogger } from '../src/log/index.ts';
import { line, percentile, startBench } from './harness.ts';

const STORED = Number(process.env.BENCH_API_EXECUTIONS ?? 10_000);
const ROUNDS = Number(process.env.BENCH_API_ROUNDS ?? 200);
const PAGE = 50;

export async function apiListing(): Promise<void> {
  const bench = await startBench({}, { actions: { maxConcurrency: 1 }, start: false });
  const { store } = bench.runtime;
  const t0 = performance.now();
  const limit = pLimit(32);
  const actions = ['core.local', 'core.noop', 'examples.greet'];
  await Promise.all(
    Array.from({ length: STORED }, (_, i) =>
      limit(() => store.create({ action: actions[i % actions.length], runner: 'local-shell-cmd', parameters: { cmd: `echo ${i}` }, secretParameters: [] })),
    ),
  );
  line('api: stored executions', { count: STORED, seconds: Number(((performance.now() - t0) / 1000).toFixed(1)) });

  const api = createApiServices({ config: bench.config, clients: bench.runtime.clients, log: createLogger({}, 'warn') });
  const server = await startApiServer(createApiHandler(api), { port: 0 });
  const { key } = await api.apiKeys.create({ user: 'bench' });
  try {
    const cases = [
      { name: 'newest page', query: `limit=${PAGE}`, direct: { limit: PAGE } },
      { name: 'one action', query: `limit=${PAGE}&action=core.noop`, direct: { limit: PAGE, action: 'core.noop' } },
    ];
    for (const c of cases) {
      const viaApi: number[] = [];
      const direct: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        let start = performance.now();
        const response = await fetch(`${server.url}/v1/executions?${c.query}`, { headers: { 'st2-api-key': key } });
        const page = (await response.json()) as { executions: unknown[] };
        viaApi.push(performance.now() - start);
        if (response.status !== 200 || page.executions.length !== PAGE) throw new Error(`bench api: GET /v1/executions?${c.query} answered ${response.status}`);
        start = performance.now();
        await listPage(store, c.direct);
        direct.push(performance.now() - start);
      }
      const p50 = percentile(viaApi, 50);
      const directP50 = percentile(direct, 50);
      line(`api: GET /v1/executions (${c.name}) over ${STORED}`, {
        p50Ms: Number(p50.toFixed(1)),
        p95Ms: Number(percentile(viaApi, 95).toFixed(1)),
        directStoreP50Ms: Number(directP50.toFixed(1)),
        overheadMs: Number((p50 - directP50).toFixed(1)),
        ratio: Number((p50 / directP50).toFixed(2)),
      });
    }
  } finally {
    await server.close();
    await bench.stop();
  }
}

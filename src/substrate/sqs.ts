import { startFauxqs } from 'fauxqs';
import { useDeadlineTimers } from './fauxqs-timers.ts';

export interface EmbeddedSqs {
  endpoint: string;
  port: number;
  /** Stops the server; safe to call more than once. */
  stop(): Promise<void>;
}

/** Starts fauxqs (an in-process SQS API) on a free port, woken by deadlines rather than a 20 ms interval. */
export async function startEmbeddedSqs(): Promise<EmbeddedSqs> {
  await useDeadlineTimers();
  const server = await startFauxqs({ port: 0, logger: false });
  let stopped: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${server.port}`,
    port: server.port,
    stop: () => (stopped ??= server.stop()),
  };
}

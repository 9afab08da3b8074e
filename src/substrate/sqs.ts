import { startFauxqs } from 'fauxqs';

export interface EmbeddedSqs {
  endpoint: string;
  port: number;
  /** Stops the server; safe to call more than once. */
  stop(): Promise<void>;
}

/** Starts fauxqs (an in-process SQS API) on a free port. */
export async function startEmbeddedSqs(): Promise<EmbeddedSqs> {
  const server = await startFauxqs({ port: 0, logger: false });
  let stopped: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${server.port}`,
    port: server.port,
    stop: () => (stopped ??= server.stop()),
  };
}

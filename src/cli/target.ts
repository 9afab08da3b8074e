import { loadConfig, type Config } from '../config/index.ts';
import { createServices, type Services } from '../app/services.ts';
import { createLogger } from '../log/index.ts';
import { findLocal } from '../local/discovery.ts';
import { useEmulatorCredentials } from '../substrate/index.ts';
import { ActionRunnerError } from '../model/errors.ts';

type Env = Record<string, string | undefined>;

/** No system to talk to: neither a running `npm start` nor a stage. */
export class NoTargetError extends ActionRunnerError {
  override name = 'NoTargetError';
}

export interface Target {
  /** `local (pid 1234)` or `stage prod`: for messages. */
  description: string;
  runtime: Services;
  config: Config;
  close(): void;
}

/**
 * Where the CLI sends its requests:
 * 1. `--stage NAME`: that deployed stage (AWS's default credential chain; `AWS_ENDPOINT_URL` still honoured);
 * 2. the `actionrunner local` running in this directory or a parent (its discovery file), unless the
 *    environment names another stage;
 * 3. a stage or endpoint named by the environment (`ACTIONRUNNER_STAGE`, `AWS_ENDPOINT_URL*`).
 * Queue URLs of a deployed stage are resolved by name.
 */
export function resolveTarget(options: { stage?: string; cwd?: string; env?: Env } = {}): Target {
  const env = options.env ?? process.env;
  let config: Config;
  let description: string;
  const local = options.stage ? undefined : findLocal(options.cwd ?? process.cwd());
  if (options.stage) {
    config = loadConfig({ ...env, ACTIONRUNNER_STAGE: options.stage });
    description = `stage ${options.stage}`;
  } else if (local && (!env.ACTIONRUNNER_STAGE || env.ACTIONRUNNER_STAGE === local.stage)) {
    config = loadConfig({
      ...local.env,
      AWS_REGION: local.region,
      ACTIONRUNNER_STAGE: local.stage,
      AWS_ENDPOINT_URL_SQS: local.sqsEndpoint,
      AWS_ENDPOINT_URL_DYNAMODB: local.dynamodbEndpoint,
      ACTIONRUNNER_ACTIONS_QUEUE_URL: local.queueUrls.actions,
      ACTIONRUNNER_WORKFLOWS_QUEUE_URL: local.queueUrls.workflows,
      ACTIONRUNNER_EXECUTIONS_TABLE: local.tableNames.executions,
      ACTIONRUNNER_OUTPUT_TABLE: local.tableNames.output,
    });
    if (!local.external) useEmulatorCredentials();
    description = `local runtime (pid ${local.pid}, ${local.file})`;
  } else if (env.ACTIONRUNNER_STAGE || env.AWS_ENDPOINT_URL || env.AWS_ENDPOINT_URL_SQS) {
    config = loadConfig(env);
    description = `stage ${config.stage}`;
  } else {
    throw new NoTargetError(
      'no actionrunner to talk to: no running local runtime found from this directory - start one with "npm start" (actionrunner local) in the project, or pass --stage NAME for a deployed stage',
    );
  }
  // The CLI's own log lines stay quiet: only warnings and errors.
  const runtime = createServices({ config, log: createLogger({ component: 'cli' }, 'warn') });
  return {
    description,
    runtime,
    config,
    close: () => {
      runtime.clients.sqs.destroy();
      runtime.clients.dynamodb.destroy();
    },
  };
}

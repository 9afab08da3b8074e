import { assertFitsProcess } from '../actions/process-limits.ts';
import { readsDatastore, readsPackConfig, resolveParameters } from '../actions/resolve.ts';
import type { ActionCatalog, ActionDefinition } from '../actions/types.ts';
import { DatastoreSnapshot } from '../datastore/snapshot.ts';
import { maskDeep, secretValuesOf } from '../model/mask.ts';
import { loadPackConfig, type LoadedPackConfig } from '../pack-config/index.ts';
import { ChainRenderError, renderMapping } from './action-chain-render.ts';
import { ChainSpecError, loadChain, type ChainNode, type ChainSpec } from './action-chain-spec.ts';
import { actionParameters, CANCEL_MESSAGE, timeoutMessage } from './common.ts';
import { isWorkflowRunner, PACK_CONFIG_RUNNERS, runnerSpec } from './registry.ts';
import type { RunOutcome, RunRequest, Runner } from './types.ts';

/** What an action chain needs besides the request: the actions its nodes name, and the runners that run them. */
export interface ActionChainRunnerOptions {
  /** The pack catalog; without it no node can run. */
  catalog?: ActionCatalog;
  /** The runner of a node's action, by runner name. */
  runnerFor?: (name: string) => Runner;
  /** How deep this chain is nested in other chains (a node may run a chain, in this process). @default 0 */
  depth?: number;
}

/** Chains nest in one process: a chain that runs itself through another would recurse until its timeout. */
export const MAX_CHAIN_DEPTH = 10;

/** One node run, as st2 reports it in `result.tasks`. */
export interface ChainTask {
  id: string;
  name: string;
  /** The node's action. st2 gives each node its own execution; here a node runs inside the chain's execution, so this is null. */
  execution_id: null;
  workflow: null;
  ref: string;
  created_at: string;
  updated_at: string;
  state: RunOutcome['status'];
  result: unknown;
}

/** st2's action-chain result: the node runs in order, the published variables, and a top-level error when the chain stopped on one. */
export interface ChainResult {
  tasks: ChainTask[];
  published?: Record<string, unknown>;
  error?: string;
}

type Status = RunOutcome['status'];
/** The next node after an outcome (st2: a timeout and a failure both go to on-failure; a cancel ends the chain). */
const NEXT: Record<Status, (node: ChainNode) => string | undefined> = {
  succeeded: (node) => node.onSuccess,
  failed: (node) => node.onFailure,
  timeout: (node) => node.onFailure,
  canceled: () => undefined,
};

/** A node that could not start: st2 stops the chain (no on-failure) with this as the top-level error. */
class NodeStartError extends Error {}

/** A node's action, ready for its runner. */
interface PreparedNode {
  action: ActionDefinition;
  runner: Runner;
  values: Record<string, unknown>;
  commandEnv: Record<string, string>;
  secrets: string[];
  /** The node's pack config: python's self.config, node's context.config, a nested chain's config_context. */
  packConfig?: Record<string, unknown>;
}

/**
 * st2 `action-chain`: runs the nodes of the chain file (the entry point) one after another, from
 * `default`, along `on-success` / `on-failure`; each node's parameters are Jinja over the chain's
 * parameters, `vars`, published variables and the results of earlier nodes (by node name; st2's
 * `__results` is refused by the template sandbox), and `config_context` is the chain's pack config (as in
 * parameter templates); `publish` adds variables. The chain ends with the status of its last node, as st2 decides it.
 * A node's action gets its own pack's config (its defaults' `config_context`, python's `self.config`).
 *
 * Each node runs in this execution, through its runner, not as a child execution: see the
 * README ("action-chain") for why. The chain shares the execution's timeout, cancel signal and
 * output; a cancel kills the running node's process tree and ends the chain `canceled`.
 */
export class ActionChainRunner implements Runner {
  readonly name = 'action-chain';

  constructor(private readonly options: ActionChainRunnerOptions = {}) {}

  async run(request: RunRequest): Promise<RunOutcome> {
    const result: ChainResult = { tasks: [] };
    if (request.parameters.display_published !== false) result.published = {};
    const fail = (status: Status, error: string): RunOutcome => ({ status, result: { ...result, error } });
    const file = request.action.entryPointPath;
    if (!file) return fail('failed', `invalid action chain: ${request.action.ref} - action-chain needs entry_point (the chain file)`);
    let spec: ChainSpec;
    try {
      spec = await loadChain(file);
    } catch (error) {
      if (error instanceof ChainSpecError) return fail('failed', error.message);
      throw error;
    }

    const deadline = Date.now() + request.timeoutMs;
    // The chain's pack config is `config_context`, unless the chain has a parameter of that name (as in parameter templates).
    const parameters = { config_context: request.packConfig ?? {}, ...actionParameters(request.parameters, 'action-chain') };
    const configs = new Map<string, Promise<LoadedPackConfig>>();
    let vars: Record<string, unknown>;
    try {
      vars = renderMapping(spec.vars, parameters, 'Failed initializing vars in chain: vars').values;
    } catch (error) {
      if (error instanceof ChainRenderError) return fail('failed', error.message);
      throw error;
    }
    const results: Record<string, unknown> = {};
    const byName = new Map(spec.nodes.map((node) => [node.name, node]));
    let node = byName.get(spec.start);
    let status: Status = 'succeeded';

    while (node) {
      if (request.signal.aborted) return fail('canceled', CANCEL_MESSAGE);
      const remaining = deadline - Date.now();
      if (remaining <= 0) return fail('timeout', timeoutMessage(request.timeoutMs));
      const createdAt = new Date().toISOString();
      let prepared: PreparedNode;
      try {
        prepared = await this.#prepare(node, request, configs, {
          ...parameters,
          ...results,
          ...vars,
          action_context: { parent: { execution_id: request.executionId } },
        });
      } catch (error) {
        if (error instanceof NodeStartError) return fail('failed', error.message);
        throw error;
      }

      const ownTimeoutMs = typeof prepared.values.timeout === 'number' ? prepared.values.timeout * 1000 : remaining;
      const nodeTimeoutMs = Math.min(ownTimeoutMs, remaining);
      let outcome: RunOutcome;
      try {
        outcome = await prepared.runner.run({
          executionId: request.executionId,
          action: prepared.action,
          parameters: prepared.values,
          commandEnv: prepared.commandEnv,
          secretValues: [...(request.secretValues ?? []), ...prepared.secrets],
          timeoutMs: nodeTimeoutMs,
          signal: request.signal,
          output: request.output,
          killGraceMs: request.killGraceMs,
          resultMaxBytes: request.resultMaxBytes,
          ...(prepared.packConfig ? { packConfig: prepared.packConfig } : {}),
          ...(request.datastore ? { datastore: request.datastore } : {}),
        });
      } catch (error) {
        outcome = { status: 'failed', result: { error: `runner ${prepared.action.runner_type} failed: ${(error as Error).message}` } };
      }
      const nodeResult = maskDeep(outcome.result, prepared.secrets);
      results[node.name] = nodeResult;
      result.tasks.push({
        id: node.name,
        name: node.name,
        execution_id: null,
        workflow: null,
        ref: node.ref,
        created_at: createdAt,
        updated_at: new Date().toISOString(),
        state: outcome.status,
        result: nodeResult,
      });
      status = outcome.status;
      // The chain's own time ran out while the node ran: nothing more may run.
      if (status === 'timeout' && nodeTimeoutMs === remaining && nodeTimeoutMs < ownTimeoutMs) return fail('timeout', timeoutMessage(request.timeoutMs));
      if (status === 'canceled' || request.signal.aborted) return fail('canceled', CANCEL_MESSAGE);

      if (node.publish) {
        try {
          const context = { ...parameters, ...results, ...vars };
          const published = renderMapping(node.publish, context, `Failed rendering value for publish parameter in task "${node.name}":`).values;
          Object.assign(vars, published);
          if (result.published) Object.assign(result.published, published);
        } catch (error) {
          if (error instanceof ChainRenderError) return fail('failed', error.message);
          throw error;
        }
      }
      const next = NEXT[status](node);
      node = next === undefined ? undefined : byName.get(next);
    }
    return { status, result };
  }

  /**
   * The node's action found, its parameters rendered and resolved as a request's would be (its own pack's config and
   * the datastore read when its defaults name them), its runner.
   */
  async #prepare(
    node: ChainNode,
    request: RunRequest,
    configs: Map<string, Promise<LoadedPackConfig>>,
    context: Record<string, unknown>,
  ): Promise<PreparedNode> {
    const task = `Failed to run task "${node.name}".`;
    const catalog = this.options.catalog;
    if (!catalog || !this.options.runnerFor) throw new NodeStartError(`${task} action-chain runs without a pack catalog here`);
    const action = catalog.get(node.ref);
    if (!action) {
      const why = catalog.unavailable?.(node.ref)?.reason;
      throw new NodeStartError(`${task} Action with reference "${node.ref}" doesn't exist${why ? ` (${why})` : ''}.`);
    }
    if (isWorkflowRunner(action.runner_type)) {
      throw new NodeStartError(
        `${task} Action "${node.ref}" is an ${action.runner_type} workflow: workflows cannot run as a node of an action chain here (call it from an orquesta workflow, or run its steps as chain nodes)`,
      );
    }
    try {
      const shellKeys = runnerSpec(action.runner_type)?.shellCommandParameters ?? [];
      const rendered = renderMapping(node.parameters, context, `Failed rendering value for action parameter in task "${node.name}":`, shellKeys);
      const datastore = request.datastore;
      let packConfig: LoadedPackConfig | undefined;
      if (datastore && (PACK_CONFIG_RUNNERS.has(action.runner_type) || readsPackConfig(action))) {
        if (!configs.has(action.pack)) configs.set(action.pack, loadPackConfig(datastore.kv, action.pack, action.packPath));
        packConfig = await configs.get(action.pack);
      }
      const snapshot = datastore && readsDatastore(action) ? await DatastoreSnapshot.load(datastore.kv, datastore.user) : undefined;
      const resolved = resolveParameters(action, rendered.values, { packConfig, datastore: snapshot });
      const commandEnv = { ...rendered.env, ...resolved.commandEnv };
      assertFitsProcess(action, resolved.values, commandEnv);
      if (action.ref === request.action.ref) throw new Error(`the chain ${action.ref} cannot run itself`);
      const depth = (this.options.depth ?? 0) + 1;
      if (action.runner_type === this.name && depth > MAX_CHAIN_DEPTH) {
        throw new Error(`chains nest at most ${MAX_CHAIN_DEPTH} deep, and ${action.ref} would be chain number ${depth + 1}`);
      }
      return {
        action,
        runner: action.runner_type === this.name ? new ActionChainRunner({ ...this.options, depth }) : this.options.runnerFor(action.runner_type),
        values: resolved.values,
        commandEnv,
        secrets: [...secretValuesOf(resolved.values, resolved.secretNames), ...resolved.datastoreSecrets],
        ...(packConfig ? { packConfig: packConfig.config } : {}),
      };
    } catch (error) {
      const message = error instanceof ChainRenderError ? error.message : `${task} ${(error as Error).message}`;
      throw new NodeStartError(message);
    }
  }
}

import type { Logger } from '../log/index.ts';
import type { Execution } from '../model/execution.ts';
import type { PreparedRequest } from '../request/service.ts';
import { HeldPolicySlots, heldHere, localSlotFreed, policySlotsFor, type PolicySlotsTaken } from './policy-slots.ts';
import type { DispatchDeps } from './types.ts';

/** A delayed execution's message comes back after 1 or 2 seconds (spread, so that waiters do not all ask at once). */
export function policyDelaySeconds(random = Math.random): number {
  return 1 + Math.floor(random() * 2);
}

/**
 * After a refusal: waits in this process for a slot of the full pool while this process holds some
 * (one will be given back here soon), and takes the slots again each time one is, and every 1-2 s (a
 * slot may free elsewhere, or its dead holder's lease end); the refusal stands
 * once this process holds none of that pool, or `giveUp` aborts (the invocation's time, a shutdown).
 */
export async function waitForPolicySlots(
  refused: PolicySlotsTaken & { refused: unknown },
  execution: Execution,
  prepared: PreparedRequest,
  owner: string,
  deps: Pick<DispatchDeps, 'catalog' | 'slots' | 'config'>,
  log: Logger,
  giveUp: AbortSignal,
): Promise<PolicySlotsTaken | { held: typeof NONE }> {
  let taken: PolicySlotsTaken | { held: typeof NONE } = refused;
  while ('refused' in taken && heldHere(taken.refused.pool) && !giveUp.aborted) {
    // Woken by a slot given back here, or every 1-2 s anyway: a slot freed elsewhere (or whose dead holder's lease ended) is taken too.
    await localSlotFreed(taken.refused.pool, AbortSignal.any([giveUp, AbortSignal.timeout(policyDelaySeconds() * 1000)]));
    if (!giveUp.aborted) taken = await takePolicySlots(execution, prepared, owner, deps, log);
  }
  return taken;
}

/** Nothing to hold: the action has no concurrency policy. */
const NONE = { release: async () => undefined };

/**
 * Takes the slots the action's enabled `action.concurrency(.attr)` policies ask of this execution,
 * held by this delivery (`owner`) under the execution lease's length, renewed at its heartbeat.
 * @throws Error when a policy applies but the runtime has no slot pool (it would go unenforced)
 */
export async function takePolicySlots(
  execution: Execution,
  prepared: PreparedRequest,
  owner: string,
  deps: Pick<DispatchDeps, 'catalog' | 'slots' | 'config'>,
  log: Logger,
): Promise<PolicySlotsTaken | { held: typeof NONE }> {
  const policies = deps.catalog.policies?.().forAction(execution.action).concurrency ?? [];
  if (policies.length === 0) return { held: NONE };
  if (!deps.slots)
    throw new Error(`no slot pool: ${execution.action} has concurrency policies (${policies.map((p) => p.ref).join(', ')}) this runtime cannot enforce`);
  return HeldPolicySlots.take(deps.slots, policySlotsFor(execution.action, prepared.values, policies), owner, deps.config, log);
}

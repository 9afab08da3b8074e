import { NotFoundError, ValidationError } from '../model/errors.ts';
import { PolicyCatalog } from '../policies/catalog.ts';
import type { ActionCatalog, ActionDefinition, UnavailableAction } from './types.ts';

/**
 * Actions of every pack found, by ref, and those that could not be loaded with the reason.
 * Disabled actions are listed; `getRunnable` refuses them.
 */
export class PackCatalog implements ActionCatalog {
  readonly #actions = new Map<string, ActionDefinition>();
  readonly #unavailable = new Map<string, UnavailableAction>();
  readonly #policies: PolicyCatalog;

  constructor(actions: Iterable<ActionDefinition>, unavailable: Iterable<UnavailableAction> = [], policies = new PolicyCatalog()) {
    this.#policies = policies;
    for (const action of actions) this.#actions.set(action.ref, action);
    for (const entry of unavailable) {
      this.#actions.delete(entry.ref);
      if (!this.#unavailable.has(entry.ref)) this.#unavailable.set(entry.ref, entry);
    }
  }

  /** The packs' policies (`policies/*.yaml`), and those that could not be loaded. */
  policies(): PolicyCatalog {
    return this.#policies;
  }

  get(ref: string): ActionDefinition | undefined {
    return this.#actions.get(ref);
  }

  list(): ActionDefinition[] {
    return [...this.#actions.values()].sort((a, b) => a.ref.localeCompare(b.ref));
  }

  unavailable(ref: string): UnavailableAction | undefined {
    return this.#unavailable.get(ref);
  }

  listUnavailable(): UnavailableAction[] {
    return [...this.#unavailable.values()].sort((a, b) => a.ref.localeCompare(b.ref));
  }

  /** The action `ref`, or a `NotFoundError`; a disabled or unavailable action is a `ValidationError`. */
  getRunnable(ref: string): ActionDefinition {
    const action = this.#actions.get(ref);
    if (action === undefined) {
      const problem = this.#unavailable.get(ref);
      if (problem) throw unavailableError(problem);
      throw new NotFoundError(`action not found: ${ref}`, { context: { action: ref } });
    }
    assertRunnable(action);
    return action;
  }
}

/**
 * The error for running an action the loader could not offer: "action unavailable: <ref> - <reason>".
 * @example throw unavailableError(catalog.unavailable('core.local_sudo')!)
 */
export function unavailableError(problem: UnavailableAction): ValidationError {
  return new ValidationError(`action unavailable: ${problem.ref} - ${problem.reason}`, {
    context: { action: problem.ref, file: problem.file, field: problem.field },
  });
}

/** Throws when the action is disabled (`enabled: false`): st2 refuses to run it. */
export function assertRunnable(action: ActionDefinition): void {
  if (!action.enabled) {
    throw new ValidationError(`action disabled: ${action.ref} - set "enabled: true" in ${action.metadataFile} to run it`, {
      context: { action: action.ref },
    });
  }
}

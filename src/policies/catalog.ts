import type { ConcurrencyPolicy, PolicyDefinition, RetryPolicy, UnavailablePolicy } from './types.ts';

/**
 * The policies of every pack found, and the policy files that could not be loaded with the reason.
 * Disabled policies are listed but never apply.
 * @example catalog.forAction('examples.deploy').concurrency // enabled concurrency policies of that action
 */
export class PolicyCatalog {
  readonly #policies: PolicyDefinition[];
  readonly #unavailable: UnavailablePolicy[];

  constructor(policies: Iterable<PolicyDefinition> = [], unavailable: Iterable<UnavailablePolicy> = []) {
    const refused = new Set([...unavailable].map((entry) => entry.ref));
    this.#policies = [...policies].filter((policy) => !refused.has(policy.ref)).sort((a, b) => a.ref.localeCompare(b.ref));
    this.#unavailable = [...unavailable].sort((a, b) => a.ref.localeCompare(b.ref));
  }

  list(): PolicyDefinition[] {
    return [...this.#policies];
  }

  listUnavailable(): UnavailablePolicy[] {
    return [...this.#unavailable];
  }

  /** The enabled policies that apply to the action `ref`, by kind. */
  forAction(ref: string): { concurrency: ConcurrencyPolicy[]; retry: RetryPolicy[] } {
    const applying = this.#policies.filter((policy) => policy.enabled && policy.resource_ref === ref);
    return {
      concurrency: applying.filter((policy): policy is ConcurrencyPolicy => policy.policy_type !== 'action.retry'),
      retry: applying.filter((policy): policy is RetryPolicy => policy.policy_type === 'action.retry'),
    };
  }
}

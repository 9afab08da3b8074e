/** The policy types this runner enforces (st2's names). */
export const POLICY_TYPES = ['action.concurrency', 'action.concurrency.attr', 'action.retry'] as const;
export type PolicyType = (typeof POLICY_TYPES)[number];

/** `action.concurrency` / `action.concurrency.attr`: at most `threshold` running executions of the action (per value of `attributes`). */
export interface ConcurrencyParameters {
  threshold: number;
  /** Over the threshold: wait for a free slot (`delay`, st2's default) or end the execution `canceled`. @default 'delay' */
  action: 'delay' | 'cancel';
  /** `action.concurrency.attr` only: the parameters whose values split the count. @default [] */
  attributes: string[];
}

/** `action.retry`: a failed (or timed out) execution is run again as a new execution. */
export interface RetryParameters {
  retry_on: 'failure' | 'timeout';
  /** @default 2 */
  max_retry_count: number;
  /** Seconds before the retry starts (waited in SQS). @default 0 */
  delay: number;
}

interface PolicyBase {
  /** `pack.name` */
  ref: string;
  name: string;
  pack: string;
  description: string;
  enabled: boolean;
  /** The action it applies to, `pack.name`. */
  resource_ref: string;
  /** Absolute path of the metadata file it was loaded from. */
  metadataFile: string;
}

/** A loaded, validated policy (st2's PolicyAPI), its parameters with their defaults applied. */
export type PolicyDefinition =
  | (PolicyBase & { policy_type: 'action.concurrency' | 'action.concurrency.attr'; parameters: ConcurrencyParameters })
  | (PolicyBase & { policy_type: 'action.retry'; parameters: RetryParameters });

export type ConcurrencyPolicy = Extract<PolicyDefinition, { parameters: ConcurrencyParameters }>;
export type RetryPolicy = Extract<PolicyDefinition, { policy_type: 'action.retry' }>;

/** A policy file the loader could not offer, and why (the action it names keeps working, without it). */
export interface UnavailablePolicy {
  /** `pack.name` when known, else `pack.<file name>`. */
  ref: string;
  file: string;
  field?: string;
  reason: string;
}

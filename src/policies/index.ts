export { PolicyCatalog } from './catalog.ts';
export { InvalidPolicyMetadataError } from './errors.ts';
export { parsePolicyMetadata, type PolicySource } from './metadata.ts';
export {
  POLICY_TYPES,
  type ConcurrencyParameters,
  type ConcurrencyPolicy,
  type PolicyDefinition,
  type PolicyType,
  type RetryParameters,
  type RetryPolicy,
  type UnavailablePolicy,
} from './types.ts';
export { planRetry, retryKey, type RetryPlan } from './retry.ts';

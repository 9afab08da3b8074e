export * from './status.ts';
export * from './execution.ts';
export * from './errors.ts';
export { MIN_MASKED_SECRET_LENGTH, maskDeep, maskSecrets, maskSecretValuesInText, secretValuesOf, secretVariants } from './mask.ts';
export { SecretStreamMasker } from './mask-stream.ts';

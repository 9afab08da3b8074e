export * from './status.ts';
export * from './execution.ts';
export * from './errors.ts';
export { maskSecrets, maskSecretValuesInText } from './mask.ts';

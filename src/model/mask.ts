import { SECRET_MASK } from './execution.ts';

/** A copy of `parameters` with every secret's value replaced by `********`. */
export function maskSecrets(parameters: Record<string, unknown>, secretNames: readonly string[]): Record<string, unknown> {
  const masked: Record<string, unknown> = { ...parameters };
  for (const name of secretNames) {
    if (name in masked && masked[name] !== undefined && masked[name] !== null) masked[name] = SECRET_MASK;
  }
  return masked;
}

/** `text` with every occurrence of a secret value replaced by `********` (values shorter than 3 characters are left alone: masking "a" would shred output). */
export function maskSecretValuesInText(text: string, secretValues: readonly string[]): string {
  let out = text;
  for (const value of secretValues) {
    if (value.length >= 3 && out.includes(value)) out = out.split(value).join(SECRET_MASK);
  }
  return out;
}

/**
 * Shortest secret value searched for in text. A 1-3 character secret ("a", "42", "yes") occurs by
 * chance all over any output, and masking every occurrence would destroy the output while telling
 * a reader the secret anyway (every masked spot is it). Like st2, such a value is masked only where
 * it is the parameter itself (`maskSecrets`), not inside output, results, errors or logs.
 */
export const MIN_MASKED_SECRET_LENGTH = 4;

/** The body of a JSON string literal of `text`, optionally with every non-ASCII character as \uXXXX (Python's json.dumps). */
function jsonBody(text: string, asciiOnly: boolean): string {
  const body = JSON.stringify(text).slice(1, -1);
  if (!asciiOnly) return body;
  // Per UTF-16 unit, as Python does (a character outside the BMP becomes two \\u escapes).
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const code = body.charCodeAt(i);
    out += code > 0x7f ? `\\u${code.toString(16).padStart(4, '0')}` : body[i];
  }
  return out;
}

/** The body of a quoted literal as Python's repr() or Node's util.inspect() writes it (`quote` escaped when given). */
function reprBody(text: string, quote: string | undefined): string {
  let out = text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
  if (quote) out = out.split(quote).join(`\\${quote}`);
  return out;
}

/**
 * The forms a secret takes once printed by a program: as is, inside a JSON string (escaped, also
 * ASCII-only as Python's json.dumps writes it, also JSON inside JSON), inside a Python repr or a
 * Node inspect (`'s3cr\'et'` in a traceback or a printed dict). Only forms at least
 * `MIN_MASKED_SECRET_LENGTH` long, longest first, so that a longer form is masked whole.
 * @example secretVariants(`s3cr'et`) // [`s3cr\\'et`, `s3cr'et`]
 */
export function secretVariants(secret: string): string[] {
  if (secret.length < MIN_MASKED_SECRET_LENGTH) return [];
  const forms = new Set([
    secret,
    jsonBody(secret, false),
    jsonBody(secret, true),
    jsonBody(jsonBody(secret, false), false),
    reprBody(secret, "'"),
    reprBody(secret, '"'),
    reprBody(secret, undefined),
  ]);
  return [...forms].sort((a, b) => b.length - a.length);
}

/** Every variant of every secret, longest first, without duplicates. */
export function allVariants(secrets: readonly string[]): string[] {
  return [...new Set(secrets.flatMap(secretVariants))].sort((a, b) => b.length - a.length);
}

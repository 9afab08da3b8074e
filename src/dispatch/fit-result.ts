/** Room for `result` in an execution item (DynamoDB's limit is 400 KB for the whole item). */
export const RESULT_ITEM_BYTES = 300 * 1024;

/**
 * `result` as it is when it fits in `maxBytes` of JSON; otherwise its long strings are cut
 * (largest first) and `result_truncated: true` says so. The full output is in the output table.
 */
export function fitResult(result: unknown, maxBytes = RESULT_ITEM_BYTES): unknown {
  const size = (value: unknown) => Buffer.byteLength(JSON.stringify(value ?? null));
  if (size(result) <= maxBytes) return result;
  if (typeof result === 'object' && result !== null && !Array.isArray(result)) {
    const copy: Record<string, unknown> = { ...(result as Record<string, unknown>), result_truncated: true };
    const strings = Object.keys(copy)
      .filter((key) => typeof copy[key] === 'string')
      .sort((a, b) => (copy[b] as string).length - (copy[a] as string).length);
    for (const key of strings) {
      const excess = size(copy) - maxBytes;
      if (excess <= 0) break;
      const text = copy[key] as string;
      copy[key] = text.slice(0, Math.max(0, text.length - excess - 64));
    }
    if (size(copy) <= maxBytes) return copy;
  }
  const text = JSON.stringify(result);
  return { result_truncated: true, preview: text.slice(0, Math.floor(maxBytes / 2)) };
}

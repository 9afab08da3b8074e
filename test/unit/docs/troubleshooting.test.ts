// docs/troubleshooting.md quotes our error messages so that a user can search for what they see: each
// quoted message (the lines of its `text` blocks) must still exist in src/, or the page is lying.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(file) : file.endsWith('.ts') ? [file] : [];
  });
}

const source = sourceFiles(path.join(root, 'src'))
  .map((file) => readFileSync(file, 'utf8'))
  .join('\n');

/** The lines of the page's `text` blocks: the messages it quotes. */
function quotedMessages(markdown: string): string[] {
  return [...markdown.matchAll(/^```text\n([\s\S]*?)^```$/gm)].flatMap((match) => match[1].split('\n').filter(Boolean));
}

/** Punctuation and spaces: what joins the parts of a message built from several templates. */
const JOINER = /^[\s\-:;,.()"'`]*$/;

/** Shorter parts (a word such as "runner ") only where the code interpolates: next to a placeholder. */
const MIN_PART = 10;

/** The longest end `j` such that text holds `fragment.slice(i, j)` (what is found, its prefixes are too). */
function longestFrom(fragment: string, i: number, text: string): number {
  let low = i;
  let high = fragment.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (text.includes(fragment.slice(i, mid))) low = mid;
    else high = mid - 1;
  }
  return low;
}

/**
 * Whether `fragment` is in `text`, whole or as consecutive parts (a message may be built from several
 * templates: `execution abandoned: ${reason}` and `runner ${owner} stopped renewing its lease`). Parts
 * are at least MIN_PART characters, or punctuation, or touch a placeholder (`after`/`before`).
 */
function composed(fragment: string, text: string, after: boolean, before: boolean): boolean {
  const reachable = new Set([0]);
  for (let i = 0; i < fragment.length; i++) {
    if (!reachable.has(i)) continue;
    const end = longestFrom(fragment, i, text);
    for (let j = i + 1; j <= end; j++) {
      const part = fragment.slice(i, j);
      const touches = (after && i === 0) || (before && j === fragment.length);
      if (part.trim().length >= MIN_PART || JOINER.test(part) || touches) reachable.add(j);
    }
  }
  return reachable.has(fragment.length);
}

/** Where a quoted message does not match the source: undefined when it does. `<placeholders>` stand for what varies. */
function mismatch(message: string, text = source): string | undefined {
  // "error: " is printed by src/cli/main.ts in front of every error.
  const parts = message.replace(/^error: /, '').split(/(<[^<>]+>)/);
  for (const [index, fragment] of parts.entries()) {
    if (index % 2 === 1 || fragment === '') continue;
    if (!composed(fragment, text, index > 0, index < parts.length - 1)) return `"${fragment}" is in no file of src/`;
  }
  return undefined;
}

describe('docs/troubleshooting.md', () => {
  const page = readFileSync(path.join(root, 'docs', 'troubleshooting.md'), 'utf8');
  const messages = quotedMessages(page);

  it('quotes messages for every entry', () => {
    expect(messages.length).toBeGreaterThanOrEqual(25);
    for (const heading of ['no runtime', 'Java', 'Ports', 'abandoned', 'dead-letter queue', 'unavailable'])
      expect(page).toMatch(new RegExp(`^## .*${heading}`, 'm'));
  });

  it.each(messages)('quotes a message the code still has: %s', (message) => {
    expect(mismatch(message)).toBeUndefined();
  });

  it('notices a message that the code does not have', () => {
    expect(mismatch('error: no actionrunner to talk to: no running local runtime found from this folder')).toMatch(
      /^"no actionrunner .* folder" is in no file of src\/$/,
    );
    expect(mismatch('execution abandoned: runner <owner> stopped renewing its lease')).toBeUndefined();
    expect(mismatch('execution abandoned: runner <owner> went away')).toBeDefined();
  });
});

describe('README', () => {
  it('links the tutorial and the troubleshooting page', () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    expect(readme).toContain('(docs/tutorial.md)');
    expect(readme).toContain('(docs/troubleshooting.md)');
  });
});

// The web page shows data (action output, parameters, errors: all hostile) only as text, and runs under a
// strict Content-Security-Policy: no HTML parsing APIs in its scripts, no inline script or handler in its page.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const WEB = fileURLToPath(new URL('../../../web/', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? files(path.join(dir, entry.name)) : [path.join(dir, entry.name)]));
}

describe('web page sources', () => {
  const scripts = files(WEB).filter((file) => file.endsWith('.js'));

  it('has scripts to check', () => {
    expect(scripts.map((file) => path.basename(file))).toEqual(expect.arrayContaining(['main.js', 'dom.js', 'execution.js', 'output.js']));
  });

  it.each(['innerHTML', 'outerHTML', 'insertAdjacentHTML', 'document.write', 'createContextualFragment', 'DOMParser', 'eval(', 'new Function', 'srcdoc'])(
    'never uses %s (data would become markup or code)',
    (api) => {
      const offenders = scripts.filter((file) => readFileSync(file, 'utf8').includes(api)).map((file) => path.relative(WEB, file));
      expect(offenders).toEqual([]);
    },
  );

  it('loads its scripts from files only, with no inline handler, under a Content-Security-Policy', () => {
    const html = readFileSync(path.join(WEB, 'index.html'), 'utf8');
    const scriptTags = [...html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)];
    expect(scriptTags.length).toBeGreaterThan(0);
    for (const [tag, body] of scriptTags) {
      expect(tag).toMatch(/\ssrc="/);
      expect(body.trim()).toBe('');
    }
    expect(html).not.toMatch(/\son[a-z]+\s*=/i);
    expect(html).toMatch(/http-equiv="Content-Security-Policy"[\s\S]*script-src 'self'/);
    expect(html).not.toMatch(/unsafe-inline|unsafe-eval/);
  });
});

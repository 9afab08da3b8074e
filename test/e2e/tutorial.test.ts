// docs/tutorial.md, followed as a reader would: its files written, its commands run, its output checked.
// The page cannot drift from what the CLI does: change one and this test says where they part.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cleanEnv, startLocal, type LocalProcess } from './helpers.ts';

/** A fenced code block of the page: its info string, the file it is (title="..."), its lines. */
interface Block {
  info: string;
  title: string | undefined;
  lines: string[];
}

/** One `$ ` command of a console block and the output lines shown under it. */
interface Step {
  command: string;
  expected: string[];
}

function blocks(markdown: string): Block[] {
  return [...markdown.matchAll(/^```([^\n]*)\n([\s\S]*?)^```$/gm)].map((match) => ({
    info: match[1].trim(),
    title: /title="([^"]+)"/.exec(match[1])?.[1],
    lines: match[2].replace(/\n$/, '').split('\n'),
  }));
}

function steps(block: Block): Step[] {
  const result: Step[] = [];
  for (const line of block.lines) {
    if (line.startsWith('$ ')) result.push({ command: line.slice(2), expected: [] });
    else result.at(-1)?.expected.push(line);
  }
  return result;
}

/** What may differ between the page and a run: ids, times, durations, ports, colours, column widths. */
function normalize(line: string): string {
  return line
    .replace(/\u001b\[[0-9;]*m/g, '') // eslint-disable-line no-control-regex
    .replace(/\b[0-9A-HJKMNP-TV-Z]{26}\b/g, '<id>')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>')
    .replace(/\b(\d+(\.\d+)?s|\d+m \d\ds|\d+h \d\dm)\b/g, '<duration>')
    .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:<port>')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Every expected line appears in `actual`, in order ("..." lines skipped, "text ..." a prefix). */
function expectShown(expected: string[], actual: string, what: string): void {
  const lines = actual.split('\n').map(normalize);
  let at = 0;
  for (const want of expected) {
    if (want.trim() === '...') continue;
    const prefix = want.trimEnd().endsWith('...') ? normalize(want.trimEnd().slice(0, -3)) : undefined;
    const wanted = normalize(want);
    const found = lines.findIndex((line, i) => i >= at && (prefix !== undefined ? line.startsWith(prefix) : line === wanted));
    expect(found, `${what}: the page shows\n  ${want}\nbut after line ${at} the output has none such:\n${actual}`).toBeGreaterThanOrEqual(0);
    at = found + 1;
  }
}

/** Runs `script` in bash, `npx actionrunner` being this checkout's CLI; resolves with its output (stdout and stderr as one stream). */
function bash(script: string, cwd: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const prelude = `npx() { if [ "$1" = actionrunner ]; then shift; "${process.execPath}" "${BIN}" "$@"; else command npx "$@"; fi; }\nexec 2>&1\n`;
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', prelude + script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`still running after 120 s:\n${script}\n${output}`));
    }, 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

const MARK = '@@tutorial-step@@';

describe('docs/tutorial.md', () => {
  const page = blocks(readFileSync(new URL('../../docs/tutorial.md', import.meta.url), 'utf8'));
  let scratch: string;
  let home: string;
  let project: string;
  let local: LocalProcess | undefined;
  const expand = (text: string) => text.replace(/~(?=\/)/g, home);

  beforeAll(() => {
    scratch = mkdtempSync(path.join(tmpdir(), 'ar-tutorial-'));
    home = path.join(scratch, 'home');
    project = path.join(scratch, 'project');
    mkdirSync(home);
    mkdirSync(project);
  });

  afterAll(async () => {
    await local?.stop('SIGTERM');
    rmSync(scratch, { recursive: true, force: true });
  });

  it('has files to write and commands to run, the runtime started once', () => {
    expect(page.filter((block) => block.title).length).toBeGreaterThanOrEqual(5);
    const starts = page.flatMap((block) => (block.info.startsWith('console') ? steps(block) : [])).filter((step) => /\bnpm start$/.test(step.command));
    expect(starts).toHaveLength(1);
  });

  it('works as written, block after block', async () => {
    // One shell for the whole page, as a reader keeps one terminal: variables set in a block stay set.
    let shellState = '';
    for (const [index, block] of page.entries()) {
      if (block.title) {
        const file = expand(block.title);
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, `${block.lines.join('\n')}\n`);
        continue;
      }
      if (!block.info.startsWith('console')) continue;
      const [first, ...others] = steps(block);
      const start = /^((?:\w+=\S+ )*)npm start$/.exec(first.command);
      if (start) {
        expect(others, 'the block that starts the runtime runs nothing else').toEqual([]);
        const vars = Object.fromEntries(
          start[1]
            .trim()
            .split(/\s+/)
            .filter(Boolean)
            .map((assignment) => assignment.split('=', 2).map(expand)),
        );
        local = await startLocal(project, [], cleanEnv({ ...vars, ACTIONRUNNER_BATCHING_WINDOW: '0' }));
        const { stdout, stderr } = local.output();
        expectShown(first.expected, `${stderr}\n${stdout}`, `block ${index} (${first.command})`);
        continue;
      }
      const all = [first, ...others];
      const names = all.flatMap((step) => /^(\w+)=/.exec(step.command)?.[1] ?? []);
      const script = [
        shellState,
        ...all.map((step, i) => `${step.command}\ns=$?; echo "${MARK} ${i} $s"; [ $s -eq 0 ] || exit 1`),
        // Variables set by the block, for the blocks after it.
        names.length ? `declare -p ${names.join(' ')} > "${scratch}/state.sh"` : '',
      ].join('\n');
      const { code, output } = await bash(script, project, cleanEnv({ HOME: home }));
      const parts = output.split(new RegExp(`^${MARK} \\d+ \\d+$`, 'm'));
      for (const [i, step] of all.entries()) {
        const status = new RegExp(`^${MARK} ${i} (\\d+)$`, 'm').exec(output)?.[1];
        expect(status, `block ${index}: "${step.command}" exited ${status ?? '(did not run)'}\n${output}`).toBe('0');
        expectShown(step.expected, parts[i], `block ${index}: "${step.command}"`);
      }
      expect(code).toBe(0);
      if (names.length) shellState += readFileSync(path.join(scratch, 'state.sh'), 'utf8');
    }
    expect(local, 'the page starts the runtime').toBeDefined();
  });
});

// CLI benchmarks (issue 11): what a command costs to start, and what an idle `npm start` costs.
// - median wall time of `node -e 0` (the floor any Node CLI pays), then `actionrunner --help`,
//   `run core.noop --async` and `execution get last` against a running local runtime, as ratios to it
//   (targets: --help <= 2x, the other two <= 4x); runs interleaved, so that the machine's noise hits all alike;
// - the local runtime's process tree (node, its reaper, DynamoDB Local's guard and JVM) over 30 s with nothing
//   queued, from /proc/<pid>/stat utime+stime, as a percentage of one core (target < 2%).
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { BIN, withLocal } from './local.ts';
import { line, median } from './harness.ts';

const RUNS = Number(process.env.BENCH_CLI_RUNS ?? 15);
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 30);
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** Wall time of one process, ms; fails the bench when the command fails. */
async function timed(args: string[], cwd: string): Promise<number> {
  const t0 = performance.now();
  const code = await new Promise<number | null>((resolve) => spawn(process.execPath, args, { cwd, stdio: 'ignore' }).on('exit', resolve));
  if (code !== 0) throw new Error(`bench cli: node ${args.join(' ')} exited with ${code}`);
  return performance.now() - t0;
}

// utime + stime (fields 14 and 15, after the parenthesised command name, which may hold spaces) and the parent pid.
function readStat(pid: number): { ppid: number; ticks: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined; // ended meanwhile
  }
}

/** CPU ticks used so far by `root` and every descendant, per pid. */
function treeTicks(root: number): Map<number, number> {
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (stat) stats.set(Number(name), stat);
  }
  const tree = new Map<number, number>();
  const visit = (pid: number) => {
    tree.set(pid, stats.get(pid)?.ticks ?? 0);
    for (const [child, stat] of stats) if (stat.ppid === pid && !tree.has(child)) visit(child);
  };
  visit(root);
  return tree;
}

/** Percent of one core the tree of `pid` used over `seconds`, and how many processes it had. */
async function idleCpu(pid: number, seconds: number): Promise<{ percent: number; processes: number }> {
  const before = treeTicks(pid);
  const t0 = performance.now();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const after = treeTicks(pid);
  const elapsed = (performance.now() - t0) / 1000;
  let ticks = 0;
  for (const [p, t] of after) ticks += t - (before.get(p) ?? 0);
  return { percent: (ticks / CLOCK_TICKS / elapsed) * 100, processes: after.size };
}

export async function cliStartup(): Promise<void> {
  await withLocal(async (dir, pid) => {
    // Idle first: nothing has been queued yet.
    const idle = await idleCpu(pid, IDLE_SECONDS);
    line('cli: idle local runtime CPU', { seconds: IDLE_SECONDS, processes: idle.processes, percentOfOneCore: idle.percent, target: '< 2' });
    // One execution, so that "execution get last" has one to show, and a first run of each command (warm disk cache).
    const commands: Record<string, string[]> = {
      'node -e 0': ['-e', '0'],
      'actionrunner --help': [BIN, '--help'],
      'actionrunner run core.noop --async': [BIN, 'run', 'core.noop', '--async'],
      'actionrunner execution get last': [BIN, 'execution', 'get', 'last'],
    };
    for (const args of Object.values(commands)) await timed(args, dir);
    const times = Object.fromEntries(Object.keys(commands).map((name) => [name, [] as number[]]));
    for (let i = 0; i < RUNS; i++) for (const [name, args] of Object.entries(commands)) times[name].push(await timed(args, dir));
    const baseline = median(times['node -e 0']);
    line('cli: node -e 0 (baseline)', { runs: RUNS, medianMs: Math.round(baseline) });
    const targets: Record<string, number> = { 'actionrunner --help': 2, 'actionrunner run core.noop --async': 4, 'actionrunner execution get last': 4 };
    for (const [name, target] of Object.entries(targets)) {
      const ms = median(times[name]);
      line(`cli: ${name}`, { runs: RUNS, medianMs: Math.round(ms), ratio: ms / baseline, target: `<= ${target}` });
    }
  });
}

import { isEngineCommand, type Edge, type RetrySpec, type TaskSpec, type WorkflowGraph } from './types.ts';

/** Outbound edges of a task, in transition order then `do` order (engine commands included, `retry` excluded). */
export function outboundEdges(task: TaskSpec): Edge[] {
  const edges: Edge[] = [];
  task.next.forEach((t, index) => {
    for (const to of t.do) if (to !== 'retry') edges.push({ from: task.name, to, index });
  });
  return edges;
}

/** Build the workflow graph: start tasks, inbound edges, cycles, split tasks, retry policies. */
export function buildGraph(tasks: Record<string, TaskSpec>): WorkflowGraph {
  const names = Object.keys(tasks);
  const inbound: Record<string, Edge[]> = Object.fromEntries(names.map((n) => [n, []]));
  const successors: Record<string, string[]> = {};
  const retry: Record<string, RetrySpec> = {};

  for (const task of Object.values(tasks)) {
    successors[task.name] = [];
    for (const edge of outboundEdges(task)) {
      if (isEngineCommand(edge.to)) continue;
      inbound[edge.to].push(edge);
      successors[task.name].push(edge.to);
    }
    if (task.retry) retry[task.name] = task.retry;
    for (const t of task.next) {
      // `do: retry` is shorthand for retrying up to 3 times with no delay while the condition holds.
      if (t.do.includes('retry') && !retry[task.name]) retry[task.name] = { when: t.when ?? '<% completed() %>', count: 3 };
    }
  }

  const inCycle: Record<string, boolean> = {};
  for (const name of names) {
    const seen = new Set<string>();
    const queue = [...successors[name]];
    let found = false;
    while (queue.length > 0 && !found) {
      const next = queue.shift() as string;
      if (next === name) found = true;
      else if (!seen.has(next)) {
        seen.add(next);
        queue.push(...successors[next]);
      }
    }
    inCycle[name] = found;
  }

  const splits: Record<string, boolean> = {};
  for (const name of names) {
    splits[name] = tasks[name].join === undefined && inbound[name].length > 1 && !inCycle[name];
  }

  const startTasks = names.filter((n) => inbound[n].length === 0).sort();
  return { startTasks, inbound, inCycle, splits, retry };
}

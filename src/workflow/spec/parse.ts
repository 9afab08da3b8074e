import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { validate as validateExpression } from '../expressions/index.ts';
import { buildGraph } from './graph.ts';
import { parseInlineParams } from './inline.ts';
import {
  isEngineCommand,
  WorkflowSpecError,
  type InputSpec,
  type NamedValue,
  type RetrySpec,
  type TaskSpec,
  type TransitionSpec,
  type WithItemsSpec,
  type WorkflowSpec,
} from './types.ts';

const TOP_KEYS = new Set(['version', 'description', 'input', 'vars', 'output', 'tasks']);
const TASK_KEYS = new Set(['action', 'input', 'next', 'join', 'with', 'retry', 'delay']);
const TRANSITION_KEYS = new Set(['when', 'publish', 'do']);
const TASK_NAME = /^\w+$/;
const EXPR = String.raw`<%.*%>|\{\{.*\}\}`;
const ITEMS_RE = new RegExp(String.raw`^\s*(?:((?:\w+\s*,\s*)*\w+)\s+in\s+)?(${EXPR})\s*$`, 's');

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}

/** Load and validate an orquesta workflow file. */
export async function loadWorkflow(file: string): Promise<WorkflowSpec> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new WorkflowSpecError(file, [`cannot read file: ${(e as Error).message}`]);
  }
  return parseWorkflow(text, file);
}

/**
 * Parse and validate an orquesta v1.0 workflow definition. Throws `WorkflowSpecError`
 * naming the file, the task and every problem found.
 */
export function parseWorkflow(text: string, file: string): WorkflowSpec {
  const errors: string[] = [];
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new WorkflowSpecError(file, [`YAML syntax error: ${(e as Error).message.split('\n')[0]}`]);
  }
  if (!isObject(doc)) throw new WorkflowSpecError(file, ['the workflow definition must be a mapping']);

  for (const key of Object.keys(doc)) {
    if (!TOP_KEYS.has(key)) errors.push(`unknown property "${key}"`);
  }

  let version = '';
  if (doc.version === undefined || doc.version === null) {
    errors.push('missing "version" (expected 1.0)');
  } else if (String(doc.version) !== '1' && String(doc.version) !== '1.0') {
    errors.push(`unsupported version ${JSON.stringify(doc.version)} (expected 1.0)`);
  } else {
    version = '1.0';
  }

  let description: string | undefined;
  if (doc.description !== undefined && doc.description !== null) {
    if (typeof doc.description !== 'string') errors.push('"description" must be a string');
    else description = doc.description;
  }

  const checkExpressions = (where: string, value: unknown): void => {
    if (typeof value === 'string') {
      let problems: string[];
      try {
        problems = validateExpression(value);
      } catch (e) {
        problems = [(e as Error).message];
      }
      for (const p of problems) errors.push(`${where}: malformed expression ${JSON.stringify(value)}: ${p}`);
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => checkExpressions(`${where}[${i}]`, v));
    } else if (isObject(value)) {
      for (const [k, v] of Object.entries(value)) {
        checkExpressions(where, k);
        checkExpressions(`${where}.${k}`, v);
      }
    }
  };

  const namedList = (where: string, raw: unknown, allowBare: boolean): NamedValue[] | InputSpec[] => {
    const out: InputSpec[] = [];
    if (raw === undefined || raw === null) return out;
    if (!Array.isArray(raw)) {
      errors.push(`"${where}" must be a list of ${allowBare ? 'names or ' : ''}{name: value} entries, got ${describe(raw)}`);
      return out;
    }
    const seen = new Set<string>();
    raw.forEach((entry, i) => {
      let name: string;
      if (typeof entry === 'string' && allowBare) {
        name = entry;
        out.push({ name, hasDefault: false });
      } else if (isObject(entry) && Object.keys(entry).length === 1) {
        name = Object.keys(entry)[0];
        out.push({ name, hasDefault: true, default: entry[name] });
        checkExpressions(`${where}[${i}].${name}`, entry[name]);
      } else {
        errors.push(`${where}[${i}] must be ${allowBare ? 'a name or ' : ''}a single-key {name: value} mapping, got ${describe(entry)}`);
        return;
      }
      if (seen.has(name)) errors.push(`${where}[${i}]: duplicate name "${name}"`);
      seen.add(name);
    });
    return out;
  };

  const input = namedList('input', doc.input, true) as InputSpec[];
  const vars = (namedList('vars', doc.vars, false) as InputSpec[]).map((e) => ({ name: e.name, value: e.default }));
  const output = (namedList('output', doc.output, false) as InputSpec[]).map((e) => ({ name: e.name, value: e.default }));

  const tasks: Record<string, TaskSpec> = {};
  if (!isObject(doc.tasks) || Object.keys(doc.tasks).length === 0) {
    errors.push(doc.tasks === undefined ? 'missing "tasks"' : '"tasks" must be a non-empty mapping of task name to task');
  } else {
    for (const [name, raw] of Object.entries(doc.tasks)) {
      const task = parseTask(name, raw, errors, checkExpressions);
      if (task) tasks[name] = task;
    }
  }

  if (errors.length > 0) throw new WorkflowSpecError(file, errors);

  // Semantics: undefined task references, joins, start tasks.
  for (const task of Object.values(tasks)) {
    task.next.forEach((t, i) => {
      for (const target of t.do) {
        if (!isEngineCommand(target) && !(target in tasks)) {
          errors.push(`task "${task.name}": next[${i}].do references undefined task "${target}"`);
        }
      }
    });
  }
  if (errors.length > 0) throw new WorkflowSpecError(file, errors);

  const graph = buildGraph(tasks);
  if (graph.startTasks.length === 0) {
    errors.push(
      'unable to identify any tasks to start the workflow (every task has an inbound transition); if the workflow has a loop, add a task that serves as an entry point into the loop',
    );
  }
  for (const task of Object.values(tasks)) {
    if (task.join === undefined) continue;
    const inboundTasks = new Set(graph.inbound[task.name].map((e) => e.from));
    if (inboundTasks.size < 2) {
      errors.push(
        `task "${task.name}": join is unreachable: it needs at least 2 inbound task transitions, it has ${inboundTasks.size}`,
      );
    } else if (typeof task.join === 'number' && task.join > inboundTasks.size) {
      errors.push(
        `task "${task.name}": join is unreachable: join: ${task.join} but only ${inboundTasks.size} tasks transition into it`,
      );
    }
  }
  if (errors.length > 0) throw new WorkflowSpecError(file, errors);

  return { file, version, description, input, vars, output, tasks, graph };
}

function intOrExpression(value: unknown, where: string, errors: string[], min: number): number | string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value >= min) return value;
  if (typeof value === 'string' && value.trim() !== '') return value;
  errors.push(`${where} must be an integer >= ${min} or an expression, got ${describe(value)}`);
  return undefined;
}

function parseTask(
  name: string,
  raw: unknown,
  errors: string[],
  checkExpressions: (where: string, value: unknown) => void,
): TaskSpec | undefined {
  const where = `task "${name}"`;
  if (!TASK_NAME.test(name)) {
    errors.push(`${where}: invalid task name (letters, digits and underscores only)`);
    return undefined;
  }
  if (isEngineCommand(name)) {
    errors.push(`${where}: the task name "${name}" is reserved with special function`);
    return undefined;
  }
  if (raw === null || raw === undefined) raw = {};
  if (!isObject(raw)) {
    errors.push(`${where}: must be a mapping, got ${describe(raw)}`);
    return undefined;
  }
  const before = errors.length;
  for (const key of Object.keys(raw)) {
    if (!TASK_KEYS.has(key)) errors.push(`${where}: unknown property "${key}"`);
  }

  const task: TaskSpec = { name, next: [] };

  if (raw.action !== undefined && raw.action !== null) {
    if (typeof raw.action !== 'string' || raw.action.trim() === '') {
      errors.push(`${where}: action must be a non-empty string, got ${describe(raw.action)}`);
    } else {
      const text = raw.action.trim();
      const inline = parseInlineParams(text);
      if (inline.length > 0) {
        task.action = text.slice(0, text.indexOf(' '));
        task.input = Object.fromEntries(inline);
      } else {
        task.action = text;
      }
      checkExpressions(`${where}: action`, task.action);
    }
  }

  if (raw.input !== undefined && raw.input !== null && task.input === undefined) {
    if (isObject(raw.input) && Object.keys(raw.input).length > 0) task.input = raw.input;
    else if (typeof raw.input === 'string' && raw.input.trim() !== '') task.input = raw.input;
    else errors.push(`${where}: input must be a non-empty mapping, got ${describe(raw.input)}`);
  }
  if (task.input !== undefined) checkExpressions(`${where}: input`, task.input);

  if (raw.join !== undefined && raw.join !== null) {
    if (raw.join === 'all') task.join = 'all';
    else if (typeof raw.join === 'number' && Number.isInteger(raw.join) && raw.join >= 1) task.join = raw.join;
    else errors.push(`${where}: join must be "all" or a positive integer, got ${describe(raw.join)}`);
  }

  task.delay = intOrExpression(raw.delay, `${where}: delay`, errors, 0);
  if (task.delay !== undefined) checkExpressions(`${where}: delay`, task.delay);

  if (raw.with !== undefined && raw.with !== null) {
    const w = typeof raw.with === 'string' ? { items: raw.with } : raw.with;
    if (!isObject(w)) {
      errors.push(`${where}: with must be an items expression or {items, concurrency}, got ${describe(raw.with)}`);
    } else {
      for (const key of Object.keys(w)) {
        if (key !== 'items' && key !== 'concurrency') errors.push(`${where}: with: unknown property "${key}"`);
      }
      const m = typeof w.items === 'string' ? ITEMS_RE.exec(w.items) : null;
      if (!m) {
        errors.push(
          `${where}: with.items must be an expression like "<% ctx(list) %>" or "x, y in <% ... %>", got ${describe(w.items)}`,
        );
      } else {
        const spec: WithItemsSpec = { items: m[2].trim() };
        if (m[1]) spec.keys = m[1].split(',').map((k) => k.trim());
        spec.concurrency = intOrExpression(w.concurrency, `${where}: with.concurrency`, errors, 1);
        checkExpressions(`${where}: with.items`, spec.items);
        if (spec.concurrency !== undefined) checkExpressions(`${where}: with.concurrency`, spec.concurrency);
        task.with = spec;
      }
      if (!task.action) errors.push(`${where}: the action property is required for a with items task`);
    }
  }

  if (raw.retry !== undefined && raw.retry !== null) {
    if (!isObject(raw.retry)) {
      errors.push(`${where}: retry must be a mapping {when?, count, delay?}, got ${describe(raw.retry)}`);
    } else {
      for (const key of Object.keys(raw.retry)) {
        if (!['when', 'count', 'delay'].includes(key)) errors.push(`${where}: retry: unknown property "${key}"`);
      }
      const count = intOrExpression(raw.retry.count, `${where}: retry.count`, errors, 0);
      if (raw.retry.count === undefined) errors.push(`${where}: retry.count is required`);
      const retry: RetrySpec = { count: count ?? 0 };
      if (raw.retry.when !== undefined) {
        if (typeof raw.retry.when !== 'string' || !raw.retry.when.trim()) errors.push(`${where}: retry.when must be an expression`);
        else retry.when = raw.retry.when;
      }
      const delay = intOrExpression(raw.retry.delay, `${where}: retry.delay`, errors, 0);
      if (delay !== undefined) retry.delay = delay;
      checkExpressions(`${where}: retry`, retry);
      task.retry = retry;
    }
  }

  if (raw.next !== undefined && raw.next !== null) {
    if (!Array.isArray(raw.next)) {
      errors.push(`${where}: next must be a list of transitions, got ${describe(raw.next)}`);
    } else {
      raw.next.forEach((t, i) => {
        const tr = parseTransition(t, `${where}: next[${i}]`, errors);
        if (tr) {
          checkExpressions(`${where}: next[${i}].when`, tr.when);
          for (const p of tr.publish) checkExpressions(`${where}: next[${i}].publish.${p.name}`, p.value);
          task.next.push(tr);
        }
      });
    }
  }

  return errors.length === before ? task : undefined;
}

function parseTransition(raw: unknown, where: string, errors: string[]): TransitionSpec | undefined {
  if (raw === null || raw === undefined) raw = {};
  if (!isObject(raw)) {
    errors.push(`${where} must be a mapping {when?, publish?, do?}, got ${describe(raw)}`);
    return undefined;
  }
  const before = errors.length;
  for (const key of Object.keys(raw)) {
    if (!TRANSITION_KEYS.has(key)) errors.push(`${where}: unknown property "${key}"`);
  }
  const tr: TransitionSpec = { publish: [], do: [] };
  if (raw.when !== undefined && raw.when !== null) {
    if (typeof raw.when !== 'string' || !raw.when.trim()) errors.push(`${where}.when must be a non-empty expression`);
    else tr.when = raw.when;
  }
  if (raw.publish !== undefined && raw.publish !== null) {
    if (typeof raw.publish === 'string') {
      const params = parseInlineParams(raw.publish);
      if (params.length === 0) errors.push(`${where}.publish: cannot parse ${JSON.stringify(raw.publish)} as name=value pairs`);
      tr.publish = params.map(([name, value]) => ({ name, value }));
    } else if (Array.isArray(raw.publish)) {
      const seen = new Set<string>();
      raw.publish.forEach((p, j) => {
        if (!isObject(p) || Object.keys(p).length !== 1) {
          errors.push(`${where}.publish[${j}] must be a single-key {name: value} mapping, got ${describe(p)}`);
          return;
        }
        const name = Object.keys(p)[0];
        if (seen.has(name)) errors.push(`${where}.publish[${j}]: duplicate name "${name}"`);
        seen.add(name);
        tr.publish.push({ name, value: p[name] });
      });
    } else {
      errors.push(`${where}.publish must be a list of {name: value} or a "name=value ..." string, got ${describe(raw.publish)}`);
    }
  }
  if (raw.do !== undefined && raw.do !== null) {
    if (typeof raw.do === 'string') {
      tr.do = raw.do.split(',').map((s) => s.trim()).filter((s) => s !== '');
    } else if (Array.isArray(raw.do) && raw.do.every((s) => typeof s === 'string' && s.trim() !== '')) {
      tr.do = (raw.do as string[]).map((s) => s.trim());
      if (new Set(tr.do).size !== tr.do.length) errors.push(`${where}.do has duplicate entries`);
    } else {
      errors.push(`${where}.do must be a task name, a comma-separated string or a list of names, got ${describe(raw.do)}`);
    }
  }
  if (tr.do.length === 0) tr.do = ['continue'];
  return errors.length === before ? tr : undefined;
}

/**
 * Loading and validation of an orquesta v1.0 workflow: the top-level properties here, tasks in
 * task.ts, transitions in transition.ts. Problems are collected, not thrown one by one, so that
 * an author sees all of them; then the references between tasks and the graph are checked.
 */
import { readFile } from 'node:fs/promises';
import { checkExpressions, checkKnownKeys, describe, isGiven, isObject } from './fields.ts';
import { buildGraph } from './graph.ts';
import { inspectWorkflow, taskActions } from './inspect/index.ts';
import { parseTask } from './task.ts';
import { parsePackYaml } from '../../shared/pack-yaml.ts';
import { isEngineCommand, WorkflowSpecError, type InputSpec, type NamedValue, type TaskSpec, type WorkflowGraph, type WorkflowSpec } from './types.ts';

const TOP_KEYS = new Set(['version', 'description', 'input', 'vars', 'output', 'tasks']);

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
  const doc = parseDocument(text, file);
  const issues = inspectWorkflow(doc);
  if (issues.length > 0) throw new WorkflowSpecError(file, issues, taskActions(doc));
  const errors: string[] = [];
  checkKnownKeys(doc, TOP_KEYS, '', errors);
  const version = parseVersion(doc.version, errors);
  const description = parseDescription(doc.description, errors);
  const input = namedList('input', doc.input, true, errors);
  const vars = namedValues('vars', doc.vars, errors);
  const output = namedValues('output', doc.output, errors);
  const tasks = parseTasks(doc.tasks, errors);
  throwIfAny(file, errors, doc);

  checkTaskReferences(tasks, errors);
  throwIfAny(file, errors, doc);

  const graph = buildGraph(tasks);
  checkStartTasks(graph, errors);
  checkJoins(tasks, graph, errors);
  throwIfAny(file, errors, doc);

  return { file, version, description, input, vars, output, tasks, graph };
}

function throwIfAny(file: string, errors: string[], doc: Record<string, unknown>): void {
  if (errors.length > 0) throw new WorkflowSpecError(file, errors, taskActions(doc));
}

/** The YAML document, which must be a mapping; a syntax error is reported alone. */
function parseDocument(text: string, file: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = parsePackYaml(text);
  } catch (e) {
    throw new WorkflowSpecError(file, [`YAML syntax error: ${(e as Error).message.split('\n')[0]}`]);
  }
  if (!isObject(doc)) throw new WorkflowSpecError(file, ['the workflow definition must be a mapping']);
  return doc;
}

/** `version`: required, 1.0 (YAML may give it as the number 1 or 1.0). */
function parseVersion(raw: unknown, errors: string[]): string {
  if (!isGiven(raw)) {
    errors.push('missing "version" (expected 1.0)');
    return '';
  }
  if (String(raw) !== '1' && String(raw) !== '1.0') {
    errors.push(`unsupported version ${JSON.stringify(raw)} (expected 1.0)`);
    return '';
  }
  return '1.0';
}

function parseDescription(raw: unknown, errors: string[]): string | undefined {
  if (!isGiven(raw)) return undefined;
  if (typeof raw === 'string') return raw;
  errors.push('"description" must be a string');
  return undefined;
}

/**
 * A list of `{name: value}` entries with unique names (`input`, `vars`, `output`); `allowBare`
 * also accepts a bare name (an input without a default).
 */
function namedList(where: string, raw: unknown, allowBare: boolean, errors: string[]): InputSpec[] {
  const out: InputSpec[] = [];
  if (!isGiven(raw)) return out;
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
      checkExpressions(`${where}[${i}].${name}`, entry[name], errors);
    } else {
      errors.push(`${where}[${i}] must be ${allowBare ? 'a name or ' : ''}a single-key {name: value} mapping, got ${describe(entry)}`);
      return;
    }
    if (seen.has(name)) errors.push(`${where}[${i}]: duplicate name "${name}"`);
    seen.add(name);
  });
  return out;
}

/** `vars` and `output`: named values, every entry with a value. */
function namedValues(where: string, raw: unknown, errors: string[]): NamedValue[] {
  return namedList(where, raw, false, errors).map((e) => ({ name: e.name, value: e.default }));
}

/** `tasks`: a non-empty mapping of task name to task; tasks with problems are left out. */
function parseTasks(raw: unknown, errors: string[]): Record<string, TaskSpec> {
  const tasks: Record<string, TaskSpec> = {};
  if (!isObject(raw) || Object.keys(raw).length === 0) {
    errors.push(raw === undefined ? 'missing "tasks"' : '"tasks" must be a non-empty mapping of task name to task');
    return tasks;
  }
  for (const [name, rawTask] of Object.entries(raw)) {
    const task = parseTask(name, rawTask, errors);
    if (task) tasks[name] = task;
  }
  return tasks;
}

/** Every `do` target is a task of this workflow or an engine command. */
function checkTaskReferences(tasks: Record<string, TaskSpec>, errors: string[]): void {
  for (const task of Object.values(tasks)) {
    task.next.forEach((t, i) => {
      for (const target of t.do) {
        if (!isEngineCommand(target) && !(target in tasks)) {
          errors.push(`task "${task.name}": next[${i}].do references undefined task "${target}"`);
        }
      }
    });
  }
}

function checkStartTasks(graph: WorkflowGraph, errors: string[]): void {
  if (graph.startTasks.length > 0) return;
  errors.push(
    'unable to identify any tasks to start the workflow (every task has an inbound transition); if the workflow has a loop, add a task that serves as an entry point into the loop',
  );
}

/** A join needs at least 2 inbound tasks, and no more than there are when it counts them. */
function checkJoins(tasks: Record<string, TaskSpec>, graph: WorkflowGraph, errors: string[]): void {
  for (const task of Object.values(tasks)) {
    if (task.join === undefined) continue;
    const inboundTasks = new Set(graph.inbound[task.name].map((e) => e.from));
    if (inboundTasks.size < 2) {
      errors.push(`task "${task.name}": join is unreachable: it needs at least 2 inbound task transitions, it has ${inboundTasks.size}`);
    } else if (typeof task.join === 'number' && task.join > inboundTasks.size) {
      errors.push(`task "${task.name}": join is unreachable: join: ${task.join} but only ${inboundTasks.size} tasks transition into it`);
    }
  }
}

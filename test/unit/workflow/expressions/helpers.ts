import { expect } from 'vitest';
import { ExpressionError, type ExpressionContext } from '../../../../src/workflow/expressions/index.ts';

type TaskEntry = { task_name: string; status: string; result: unknown };

/** A context shaped like the one the workflow engine builds while evaluating task1's transitions. */
export function makeContext(overrides: Partial<ExpressionContext> = {}, tasks: TaskEntry[] = []): ExpressionContext {
  const all: TaskEntry[] = [
    {
      task_name: 'task1',
      status: 'succeeded',
      result: { stdout: 'hello', stderr: '', return_code: 0, items: [{ result: { stdout: 'a' } }, { result: { stdout: 'b' } }] },
    },
    { task_name: 'task2', status: 'failed', result: { stdout: '', stderr: 'boom', return_code: 1 } },
    { task_name: 'get_approval', status: 'succeeded', result: { response: { approved: true, department_id: 42 } } },
    ...tasks,
  ];
  return {
    ctx: {
      name: 'Stanley',
      greeting: 'Hello',
      count: 3,
      ratio: 2.5,
      flag: true,
      none: null,
      xs: [1, 2, 3],
      words: ['b', 'a', 'c'],
      d: { a: 1, b: 'two' },
      vms: [
        { name: 'vmweb1', region: 'us-east', role: 'web' },
        { name: 'vmdb1', region: 'us-east', role: 'db' },
        { name: 'vmweb2', region: 'us-west', role: 'web' },
      ],
      __state: { internal: true },
    },
    result: { stdout: 'x', stderr: '', return_code: 0 },
    currentTaskName: 'task1',
    currentTaskStatus: 'succeeded',
    task: (name: string) => all.find((t) => t.task_name === name),
    st2: { action_execution_id: 'ex-1', api_url: 'http://127.0.0.1:9101/v1' },
    ...overrides,
  };
}

/** The ExpressionError `fn` throws (and fails the test when it throws nothing, or something else). */
export function errorOf(fn: () => unknown): ExpressionError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ExpressionError);
    return e as ExpressionError;
  }
  throw new Error('expected an ExpressionError');
}

// The web page's pure helpers (web/js/format.js), run in Node: no DOM needed.
import { describe, expect, it } from 'vitest';
import { API_ROUTES, openApiDocument } from '../../../src/api/index.ts';
import { EXECUTION_STATUSES } from '../../../src/model/status.ts';

interface TaskRow {
  id: string;
  name: string;
  action: string;
  status: string;
  runner: string;
  hasTasks: boolean;
}
interface Format {
  formatElapsed(seconds: unknown): string;
  parseFilters(search: string): Record<string, string>;
  filtersHash(filters: Record<string, string | undefined>): string;
  describeError(error: unknown): string;
  taskRows(tasks: unknown[]): TaskRow[];
  hasEnded(execution: unknown): boolean;
  statusesFromOpenApi(document: unknown): string[];
}
// A plain browser module (no types of its own): imported by URL.
const format = (await import(new URL('../../../web/js/format.js', import.meta.url).href)) as Format;

describe('web page helpers', () => {
  it('formats elapsed seconds for people, and nothing for what is not a duration', () => {
    expect(format.formatElapsed(1.234)).toBe('1.2 s');
    expect(format.formatElapsed(42.6)).toBe('43 s');
    expect(format.formatElapsed(184)).toBe('3m 04s');
    expect(format.formatElapsed(7500)).toBe('2h 05m');
    expect(format.formatElapsed(-1)).toBe('');
    expect(format.formatElapsed('5')).toBe('');
  });

  it('reads only known filters with valid values from the hash, and writes them back', () => {
    expect(format.parseFilters('action=core.local&status=running&x=1')).toEqual({ action: 'core.local', status: 'running' });
    expect(format.parseFilters('action=%20&status=')).toEqual({});
    expect(format.parseFilters('status=<img>')).toEqual({ status: '<img>' }); // the API refuses it, with a clear 400
    expect(format.filtersHash({ action: 'core.local', status: '' })).toBe('#/?action=core.local');
    expect(format.filtersHash({})).toBe('#/');
    expect(format.parseFilters(format.filtersHash({ action: 'a.b', status: 'failed' }).split('?')[1])).toEqual({ action: 'a.b', status: 'failed' });
  });

  it("shows the API's faultstring, else its status", () => {
    expect(format.describeError({ status: 401, faultstring: 'unauthorized: no such key' })).toBe('unauthorized: no such key');
    expect(format.describeError({ status: 502 })).toBe('the API answered 502');
    expect(format.describeError(new TypeError('Failed to fetch'))).toBe('Failed to fetch');
  });

  it("lists a workflow's tasks in start order, named by task (with the item), and marks nested workflows", () => {
    const rows = format.taskRows([
      {
        id: 'B',
        action: 'core.local',
        runner: 'local-shell-cmd',
        status: 'running',
        start_timestamp: '2026-01-01T00:00:02Z',
        context: { task: 'second', itemIndex: 1 },
      },
      { id: 'A', action: 'examples.sub', runner: 'orquesta', status: 'succeeded', start_timestamp: '2026-01-01T00:00:01Z', context: { task: 'first' } },
      { id: 'C', action: 'core.noop', runner: 'noop', status: 'requested', start_timestamp: '2026-01-01T00:00:03Z', context: {} },
    ]);
    expect(rows.map((row) => [row.id, row.name, row.hasTasks])).toEqual([
      ['A', 'first', true],
      ['B', 'second [1]', false],
      ['C', 'core.noop', false],
    ]);
  });

  it("offers the statuses the API's OpenAPI document accepts for the status filter (it keeps no list of its own)", () => {
    expect(format.statusesFromOpenApi(openApiDocument(API_ROUTES))).toEqual([...EXECUTION_STATUSES]);
    expect(format.statusesFromOpenApi({ paths: {} })).toEqual([]);
    expect(format.statusesFromOpenApi(null)).toEqual([]);
  });

  it('takes an execution as ended once the API gives it an end_timestamp', () => {
    expect(format.hasEnded({ status: 'succeeded', end_timestamp: '2026-01-01T00:00:00Z' })).toBe(true);
    expect(format.hasEnded({ status: 'canceling', end_timestamp: null })).toBe(false);
    expect(format.hasEnded(undefined)).toBe(false);
  });
});

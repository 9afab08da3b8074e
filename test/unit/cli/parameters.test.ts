import { describe, expect, it } from 'vitest';
import { actionParameters, parseKeyValues } from '../../../src/cli/parameters.ts';
import { UsageError } from '../../../src/cli/errors.ts';
import { executionRows, formatDuration, table } from '../../../src/cli/format.ts';
import { prettyLogLine } from '../../../src/cli/log-format.ts';
import type { Execution } from '../../../src/model/execution.ts';
import pc from 'picocolors';

const plain = pc.createColors(false);

describe('parseKeyValues', () => {
  it('splits on the first = and keeps the rest of the value', () => {
    expect(parseKeyValues(['cmd=echo a=b', 'timeout=5', 'empty='])).toEqual({ cmd: 'echo a=b', timeout: '5', empty: '' });
  });

  it.each(['cmd', '=x', '1a=b'])('rejects %j with a usage error saying what was expected', (word) => {
    expect(() => parseKeyValues([word])).toThrow(UsageError);
    expect(() => parseKeyValues([word])).toThrow(/expected key=value/);
  });

  it('casts by the action parameter types', () => {
    const action = {
      parameters: {
        count: { type: 'integer' as const },
        tags: { type: 'array' as const },
        flag: { type: 'boolean' as const },
        cmd: { type: 'string' as const },
      },
    };
    expect(actionParameters(action, ['count=3', 'tags=["a",1]', 'flag=yes', 'cmd=007'])).toEqual({ count: 3, tags: ['a', 1], flag: true, cmd: '007' });
    expect(() => actionParameters(action, ['count=x'])).toThrow(/invalid parameter: count - expected an integer/);
  });
});

describe('format', () => {
  it('formats durations', () => {
    expect(formatDuration(310)).toBe('0.31s');
    expect(formatDuration(123_000)).toBe('2m 03s');
    expect(formatDuration(3_723_000)).toBe('1h 02m');
  });

  it('aligns table columns', () => {
    expect(
      table(
        ['A', 'LONGER'],
        [
          ['xxx', 'y'],
          ['z', 'w'],
        ],
        plain,
      ),
    ).toBe('A    LONGER\nxxx  y\nz    w');
  });

  it('indents children under their parent when the parent is listed', () => {
    const at = '2026-01-01T00:00:00.000Z';
    const ex = (id: string, parent?: string) =>
      ({ id, action: 'core.local', status: 'succeeded', start_timestamp: at, end_timestamp: at, context: parent ? { parent } : {} }) as Execution;
    const rows = executionRows([ex('3', '1'), ex('2', '1'), ex('1'), ex('0', 'gone')], plain);
    expect(rows.map((row) => row[0])).toEqual(['1', '+ 2', '+ 3', '0']);
  });

  it('renders a JSON log line readably', () => {
    const line = JSON.stringify({ time: '2026-01-01T10:11:12.345Z', level: 'info', message: 'action started', executionId: 'X1', note: 'a b' });
    expect(prettyLogLine(line, plain)).toBe('10:11:12.345 INFO  action started executionId=X1 note="a b"');
    expect(prettyLogLine('not json', plain)).toBe('not json');
  });
});

import { describe, expect, it } from 'vitest';
import { evaluate, NONE_MAGIC_VALUE } from '../../../../src/workflow/expressions/index.ts';
import { errorOf, makeContext } from './helpers.ts';

const c = makeContext();
const y = (expr: string, context = c) => evaluate(`<% ${expr} %>`, context);
const j = (expr: string, context = c) => evaluate(`{{ ${expr} }}`, context);
const messageOf = (fn: () => unknown): string => errorOf(fn).message;

describe('ctx()', () => {
  it('returns the whole context without internal variables (both syntaxes)', () => {
    for (const value of [y('ctx()'), j('ctx()')]) {
      expect(value).toMatchObject({ name: 'Stanley', xs: [1, 2, 3] });
      expect(value).not.toHaveProperty('__state');
      expect(value).toHaveProperty('st2', { action_execution_id: 'ex-1', api_url: 'http://127.0.0.1:9101/v1' });
    }
  });

  it('reads one variable by bare, quoted or computed name', () => {
    expect(y('ctx(name)')).toBe('Stanley');
    expect(y("ctx('name')")).toBe('Stanley');
    expect(y('ctx("name")')).toBe('Stanley');
    expect(y('ctx().name')).toBe('Stanley');
    expect(j("ctx('name')")).toBe('Stanley');
    expect(j('ctx("name")')).toBe('Stanley');
    expect(j('ctx().name')).toBe('Stanley');
    expect(y('ctx(ctx(greeting).toLower().replace(hello, name))')).toBe('Stanley');
  });

  it('reads st2 facts through ctx(st2)', () => {
    expect(y('ctx(st2).action_execution_id')).toBe('ex-1');
    expect(evaluate('<% ctx(st2).api_url %>/executions/<% ctx(st2).action_execution_id %>', c)).toBe('http://127.0.0.1:9101/v1/executions/ex-1');
  });

  it('undefined and internal variables are errors', () => {
    expect(messageOf(() => y('ctx(nope)'))).toBe(`Unable to evaluate expression '<% ctx(nope) %>'. VariableUndefinedError: The variable "nope" is undefined.`);
    expect(messageOf(() => j("ctx('nope')"))).toBe(
      `Unable to evaluate expression '{{ ctx('nope') }}'. VariableUndefinedError: The variable "nope" is undefined.`,
    );
    expect(messageOf(() => y('ctx("__state")'))).toMatch(/VariableInaccessibleError: The variable "__state" is for internal use and inaccessible./);
  });
});

describe('task functions', () => {
  it('result()', () => {
    expect(y('result()')).toEqual({ stdout: 'x', stderr: '', return_code: 0 });
    expect(y('result().stdout')).toBe('x');
    expect(j('result().stdout')).toBe('x');
    expect(y('result()', makeContext({ result: undefined }))).toBeNull();
    const noTask = { ctx: {} };
    expect(messageOf(() => y('result()', noTask))).toMatch(/The current task is not set in the context./);
  });

  it('succeeded(), failed(), completed()', () => {
    expect(y('succeeded()')).toBe(true);
    expect(y('failed()')).toBe(false);
    expect(y('completed()')).toBe(true);
    const failed = makeContext({ currentTaskStatus: 'failed' });
    expect(y('succeeded()', failed)).toBe(false);
    expect(j('failed()', failed)).toBe(true);
    expect(y('completed()', makeContext({ currentTaskStatus: 'running' }))).toBe(false);
    expect(y('completed()', makeContext({ currentTaskStatus: 'canceled' }))).toBe(true);
    expect(messageOf(() => y('succeeded()', { ctx: {} }))).toMatch(/The current task is not set in the context./);
  });

  it('task(name) gives the task entry', () => {
    expect(y('task(task1).result.stdout')).toBe('hello');
    expect(y("task('task1').task_name")).toBe('task1');
    expect(y('task("task1").task_id')).toBe('task1');
    expect(y('task(task1).status')).toBe('succeeded');
    expect(y('task(task1).route')).toBe(0);
    expect(y('task(task1).result.items.select($.result.stdout)')).toEqual(['a', 'b']);
    expect(y('task(get_approval).result.response.department_id')).toBe(42);
    expect(y('task("task9", route => 2).result', makeContext({}, [{ task_name: 'task9', status: 'succeeded', result: 9 }]))).toBe(9);
    expect(j("task('task1').result.stdout")).toBe('hello');
    expect(j('task("task9", route=1).result', makeContext({}, [{ task_name: 'task9', status: 'succeeded', result: 9 }]))).toBe(9);
  });

  it('task(name, route=N) is the run of that route, both syntaxes; a route it did not run on is an error', () => {
    const runs = [
      { task_name: 'task9', route: 1, status: 'succeeded', result: 'from route 1' },
      { task_name: 'task9', route: 2, status: 'succeeded', result: 'from route 2' },
    ];
    const routed = makeContext({
      task: (name: string, route?: number) => runs.filter((r) => r.task_name === name && (route === undefined || r.route === route)).pop(),
    });
    expect(y('task("task9", route => 1).result', routed)).toBe('from route 1');
    expect(y('task(task9).result', routed)).toBe('from route 2');
    expect(j('task("task9", route=1).result', routed)).toBe('from route 1');
    expect(j('task("task9", 2).result', routed)).toBe('from route 2');
    expect(messageOf(() => y('task("task9", route => 3)', routed))).toMatch(/Unable to find task execution for "task9" on route 3./);
    expect(messageOf(() => j('task("task9", route="x")', routed))).toMatch(/task\(\) expects an integer route, got str/);
  });

  it('task() is the current task', () => {
    expect(y('task().task_name')).toBe('task1');
    expect(j('task().result.stdout')).toBe('hello');
    const unregistered = makeContext({ currentTaskName: 'other', currentTaskStatus: 'failed', result: { stdout: 'o' } });
    expect(y('task().result.stdout', unregistered)).toBe('o');
    expect(y('task().status', unregistered)).toBe('failed');
  });

  it('task(name) of a task that has not run is an error', () => {
    expect(messageOf(() => y('task(nope)'))).toMatch(/ExpressionEvaluationException: Unable to find task execution for "nope"./);
    expect(messageOf(() => j("task('nope')"))).toMatch(/Unable to find task execution for "nope"./);
  });

  it('task_status(name)', () => {
    expect(y('task_status(task1)')).toBe('succeeded');
    expect(y("task_status('task2')")).toBe('failed');
    expect(y('task_status(nope)')).toBe('unset');
    expect(j("task_status('task2')")).toBe('failed');
  });
});

describe('item()', () => {
  const withItem = makeContext({ item: { tempfile: '/tmp/a', n: 2 } });
  it('returns the current item or one of its keys', () => {
    expect(y('item()', withItem)).toEqual({ tempfile: '/tmp/a', n: 2 });
    expect(y('item(tempfile)', withItem)).toBe('/tmp/a');
    expect(y("item('n') * 2", withItem)).toBe(4);
    expect(j("item('tempfile')", withItem)).toBe('/tmp/a');
    expect(y('item()', makeContext({ item: 'x' }))).toBe('x');
    expect(y('item()', makeContext())).toBeNull();
  });

  it('errors like orquesta', () => {
    expect(messageOf(() => y('item(zz)', withItem))).toMatch(/Item does not have key "zz"./);
    expect(messageOf(() => y('item(x)', makeContext({ item: 'scalar' })))).toMatch(/Item is not type of collections.abc.Mapping./);
  });
});

describe('json(), zip()', () => {
  it('json() parses strings and passes dicts through', () => {
    expect(y(`json('{"a": [1, 2]}')`)).toEqual({ a: [1, 2] });
    expect(y('json(ctx(d))')).toEqual({ a: 1, b: 'two' });
    expect(j(`json('[1]')`)).toEqual([1]);
    expect(messageOf(() => y('json(1)'))).toMatch(/TypeError: Given object is not typeof string./);
    expect(messageOf(() => y("json('{')"))).toMatch(/JSONDecodeError/);
  });

  it('zip() pairs lists, padding the short ones', () => {
    expect(y('zip([1, 2], [a, b])')).toEqual([
      [1, 'a'],
      [2, 'b'],
    ]);
    expect(y('zip([1, 2, 3], [a], pad => x)')).toEqual([
      [1, 'a'],
      [2, 'x'],
      [3, 'x'],
    ]);
    expect(y('zip([1, 2])')).toEqual([1, 2]);
    expect(y('zip([1], null)')).toEqual([[1, null]]);
  });
});

describe('st2 data functions', () => {
  const data = makeContext({
    ctx: {
      obj: { foo: { bar: 'baz' }, n: [1, 2] },
      json_str: '{"a": 1, "b": [true, null]}',
      yaml_str: 'a: 1\nb:\n- x\n- y\n',
      none: null,
      text: 'He said "hi"\n',
    },
  });

  it('to_json_string / json_dump print like Python json.dumps', () => {
    expect(y('to_json_string(ctx(obj))', data)).toBe('{"foo": {"bar": "baz"},"n": [1,2]}');
    expect(j('ctx("obj") | to_json_string', data)).toBe('{"foo": {"bar": "baz"},"n": [1,2]}');
    expect(j('json_dump(ctx("obj"))', data)).toBe('{"foo": {"bar": "baz"},"n": [1,2]}');
    expect(y('to_json_string(ctx(obj), indent => 2, sort_keys => true)', data)).toBe('{\n  "foo": {\n    "bar": "baz"\n  },\n  "n": [\n    1,\n    2\n  ]\n}');
    expect(y("to_json_string('é')", data)).toBe('"\\u00e9"');
  });

  it('from_json_string / json_parse', () => {
    expect(y('from_json_string(ctx(json_str))', data)).toEqual({ a: 1, b: [true, null] });
    expect(j('ctx("json_str") | from_json_string', data)).toEqual({ a: 1, b: [true, null] });
    expect(j('json_parse(ctx("json_str"))', data)).toEqual({ a: 1, b: [true, null] });
  });

  it('to_yaml_string / from_yaml_string (and yaml_dump / yaml_parse)', () => {
    expect(y('to_yaml_string(ctx(obj))', data)).toBe('foo:\n  bar: baz\nn:\n- 1\n- 2\n');
    expect(j('yaml_dump({"b": 1, "a": [2]})', data)).toBe('a:\n- 2\nb: 1\n');
    expect(y('from_yaml_string(ctx(yaml_str))', data)).toEqual({ a: 1, b: ['x', 'y'] });
    expect(j('yaml_parse(ctx("yaml_str"))', data)).toEqual({ a: 1, b: ['x', 'y'] });
  });

  it('to_yaml_string quotes as PyYAML does what YAML 1.1 would read as another type, so from_yaml_string gives it back', () => {
    const v = { a: 'yes', b: '0777', c: '1:30', d: 'on', e: '1e3', f: '2001-12-14', g: '=', h: '~', i: 'Off', j: [1, 'two', null, true] };
    const text = j('to_yaml_string(ctx("v"))', { ctx: { v } }) as string;
    expect(text).toContain("a: 'yes'\n");
    expect(text).toContain("g: '='\n");
    expect(j('from_yaml_string(to_yaml_string(ctx("v")))', { ctx: { v } })).toEqual(v);
    expect(j('to_yaml_string(ctx("v"))', { ctx: { v: { foo: { bar: 'foobar' } } } })).toBe('foo:\n  bar: foobar\n');
  });

  it('json_escape', () => {
    expect(y('json_escape(ctx(text))', data)).toBe('He said \\"hi\\"\\n');
    expect(j('ctx("text") | json_escape', data)).toBe('He said \\"hi\\"\\n');
  });

  it('jsonpath_query', () => {
    expect(y("jsonpath_query(ctx(obj), '$.foo.bar')", data)).toEqual(['baz']);
    expect(y("jsonpath_query(ctx(obj), '$.n[*]')", data)).toEqual([1, 2]);
    expect(y("jsonpath_query(ctx(obj), '$..bar')", data)).toEqual(['baz']);
    expect(y("jsonpath_query(ctx(obj), '$.nope')", data)).toBeNull();
  });

  it('jsonpath_query as st2 (jsonpath_rw): no leading $ needed, slices, None on no match, no scripts, no JavaScript members', () => {
    expect(y("jsonpath_query(ctx(obj), 'foo.bar')", data)).toEqual(['baz']);
    expect(y("jsonpath_query(ctx(obj), 'n[0:1]')", data)).toEqual([1]);
    expect(y("jsonpath_query(ctx(obj), 'query_returns_no_results')", data)).toBeNull();
    expect(j('ctx("obj") | jsonpath_query("n[*]")', data)).toEqual([1, 2]);
    for (const query of ['$.n.length', '$.constructor', '$..constructor', '$.foo.__proto__', 'foo.toString']) {
      expect(j(`jsonpath_query(ctx("obj"), "${query}")`, data), query).toBeNull();
    }
    expect(() => j('jsonpath_query(ctx("obj"), "$.n[?(@ > 1)]")', data)).toThrow(/Invalid JSONPath query .*prevented/);
  });

  it('use_none marks None', () => {
    expect(y('use_none(ctx(none))', data)).toBe(NONE_MAGIC_VALUE);
    expect(j('use_none("foobar")', data)).toBe('foobar');
  });
});

describe('st2 regex functions', () => {
  it('regex_match anchors at the start, regex_search anywhere', () => {
    expect(y("regex_match('xyz', 'x')")).toBe(true);
    expect(y("regex_match('xyz', 'y')")).toBe(false);
    expect(y("regex_match('XYZ', 'x', true)")).toBe(true);
    expect(j('regex_search("xyz", "y")')).toBe(true);
    expect(j('"xyz" | regex_search("q")')).toBe(false);
  });

  it('regex_replace uses Python replacement syntax', () => {
    expect(y("regex_replace('xyz', 'x', 'wx')")).toBe('wxyz');
    expect(j('"a1b22" | regex_replace("(\\\\d+)", "<\\\\1>")')).toBe('a<1>b<22>');
    expect(y("regex_replace('cost', 'cost', '$5')")).toBe('$5');
  });

  it('regex_substring returns the match or its group', () => {
    expect(y(`regex_substring("I live at 668 Infinite Dr", "([0-9]{3} \\w+ (?:Ave|St|Dr))")`)).toBe('668 Infinite Dr');
    expect(y("regex_substring('a1 b2', '[a-z]\\d', 1)")).toBe('b2');
    expect(y("regex_substring('k=v', '(?P<key>\\w)=(\\w)')")).toEqual(['k', 'v']);
    expect(messageOf(() => y("regex_substring('abc', '\\d')"))).toMatch(/IndexError/);
  });
});

describe('st2 path, time and version functions', () => {
  it('basename, dirname', () => {
    expect(y('basename("/path/to/some/file.txt")')).toBe('file.txt');
    expect(j('dirname("/path/to/some/file.txt")')).toBe('/path/to/some');
    expect(y("dirname('file.txt')")).toBe('');
    expect(y("dirname('/file.txt')")).toBe('/');
    expect(y("basename('/a/b/')")).toBe('');
  });

  it('to_human_time_from_seconds', () => {
    expect(y('to_human_time_from_seconds(12345)')).toBe('3h25m45s');
    expect(y('to_human_time_from_seconds(0)')).toBe('0s');
    expect(y('to_human_time_from_seconds(59)')).toBe('59s');
    expect(y('to_human_time_from_seconds(90061)')).toBe('1d1h1m1s');
  });

  it('to_human_time_from_seconds computes as st2: days of the month, Python rounding, microseconds below 1', () => {
    expect(y('to_human_time_from_seconds(45678997)')).toBe('1y12d16h36m37s');
    expect(y('to_human_time_from_seconds(56.5)')).toBe('56s');
    expect(y('to_human_time_from_seconds(57.5)')).toBe('58s');
    expect(y('to_human_time_from_seconds(0.25)')).toBe('0.25\u03bcs');
  });

  it('version_*', () => {
    expect(y('version_compare("0.10.1", "0.10.0")')).toBe(1);
    expect(y('version_compare("0.10.0", "0.10.1")')).toBe(-1);
    expect(y('version_compare("0.10.0", "0.10.0")')).toBe(0);
    expect(y('version_compare("1.0.0-alpha", "1.0.0")')).toBe(-1);
    expect(y('version_more_than("0.9.0", "0.10.0")')).toBe(false);
    expect(y('version_less_than("0.9.0", "0.10.0")')).toBe(true);
    expect(y('version_equal("0.10.0", "0.10.0")')).toBe(true);
    expect(y('version_match("0.10.1", ">0.10.0")')).toBe(true);
    expect(y('version_match("0.10.1", "<=0.10.0")')).toBe(false);
    expect(j('version_bump_major("0.10.0")')).toBe('1.0.0');
    expect(j('version_bump_minor("0.10.0")')).toBe('0.11.0');
    expect(j('version_bump_patch("0.10.0")')).toBe('0.10.1');
    expect(j('version_strip_patch("0.10.0")')).toBe('0.10');
    expect(messageOf(() => y('version_bump_major("1.0")'))).toMatch(/ValueError: 1.0 is not valid SemVer string/);
  });

  it('version_* as Python semver: strict parsing, prerelease and build precedence, match needs an operator, bumps keep st2 meaning', () => {
    expect(y('version_compare("1.0.0-rc.1", "1.0.0-rc.2")')).toBe(-1);
    expect(y('version_compare("1.0.0-alpha.10", "1.0.0-alpha.9")')).toBe(1);
    expect(y('version_compare("1.0.0+build.1", "1.0.0+build.2")')).toBe(0);
    expect(y('version_match("1.0.0", "!=1.0.1")')).toBe(true);
    expect(y('version_match("1.0.0", "==1.0.0")')).toBe(true);
    expect(y('version_match("1.0.0", ">=1.0.0")')).toBe(true);
    expect(messageOf(() => y('version_match("1.0.0", "1.0.0")'))).toMatch(/ValueError: match_expr parameter should be in format <op><ver>/);
    expect(j('version_bump_patch("1.2.3-rc.1")')).toBe('1.2.4');
    expect(j('version_strip_patch("1.2.3+b")')).toBe('1.2');
    for (const bad of ['v1.0.0', '=1.0.0', ' 1.0.0', '01.0.0', '1.0']) {
      expect(
        messageOf(() => y(`version_compare("${bad}", "1.0.0")`)),
        bad,
      ).toMatch(/is not valid SemVer string/);
    }
  });

  it('st2kv without a datastore says so', () => {
    expect(messageOf(() => y('st2kv(key)'))).toMatch(/st2kv\(\): the datastore is not available here/);
  });
});

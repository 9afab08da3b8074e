/**
 * st2's and orquesta's Jinja unit tests, translated into data: an expression, the workflow
 * context it runs against, and what the original test expects. Run through the project's
 * expression facade by jinja-conformance.test.ts.
 *
 * Translation rules:
 *   - st2 renders `{{ k1 | f }}` with `k1` at the top of the context; the facade reads workflow
 *     variables through `ctx()`, so `k1` becomes `ctx().k1` and the context is `{ ctx: { k1 } }`.
 *   - st2 compares the rendered text (Jinja prints Python's `str()`): `text` is compared with
 *     Python's str() of the value the facade returns. Where st2 `eval()`s, `json.loads` or
 *     `yaml.safe_load`s the text, `value` (with `decode`) is compared instead.
 *   - Python raw strings and escapes are written with String.raw so the template text is the
 *     one Jinja's lexer saw.
 *
 * Sources (StackStorm/st2 and StackStorm/orquesta, master):
 *   st2common/tests/unit/test_jinja_render_{data,json_escape,jsonpath_query,path,regex,time,version}_filters.py
 *   st2common/tests/unit/test_time_jinja_filters.py
 *   st2tests/integration/orquesta/test_wiring_functions.py (jinja workflows' expected outputs)
 *   orquesta/tests/unit/expressions/test_facade_jinja_{evaluate,validate,ctx_by_dot_notation,ctx_by_function_arg}.py
 *
 * EXCLUDED, with the reason:
 *   - test_jinja_render_crypto_filters.py (decrypt_kv) and the KeyValueLookup halves of
 *     test_filter_from_{json,yaml}_string: the st2 datastore is not supported (README, limits).
 *   - test_util_jinja.py: render_values / convert_jinja_to_raw_block are st2 API helpers over a
 *     dict, not expressions; the facade's equivalent (renderValue) is tested in facade.test.ts.
 *   - orquesta test_eval_recursive, test_multi_eval_recursive, test_block_eval_recursive,
 *     test_eval_recursive_undefined: orquesta evaluates a string value again when it holds an
 *     expression; the project never does (only author text is code: DESIGN invariant 9). The
 *     opposite is asserted in jinja-conformance.test.ts instead.
 *   - the wording of orquesta's validate errors (test_parse_error, test_multiple_errors,
 *     test_block_error, test_missing_braces_error look for Jinja2's parser messages such as
 *     "unknown tag"): the parser is nunjucks', which words them its own way ("unknown block tag:
 *     foobar"). The number of errors, and their kind, are compared.
 *   - orquesta extract_vars on lists and dicts: extractVariableReferences takes one string (the
 *     workflow inspector walks the spec itself); the string cases are all kept.
 */

export interface EvalCase {
  /** Where the case comes from: file::test. */
  from: string;
  /** The text given to evaluate(). */
  expr: string;
  /** Workflow variables (ctx()). */
  ctx?: Record<string, unknown>;
  /** Expected typed value. */
  value?: unknown;
  /** Expected rendering: Python's str() of the value. */
  text?: string;
  /** Decode the rendered text before comparing with `value` (the original parsed it). */
  decode?: 'json' | 'yaml';
  /** The evaluation must fail; the message must match when a RegExp is given. */
  error?: true | RegExp;
}

const DATA = 'st2 test_jinja_render_data_filters.py';
const ESC = 'st2 test_jinja_render_json_escape_filters.py';
const JP = 'st2 test_jinja_render_jsonpath_query_filters.py';
const PATH = 'st2 test_jinja_render_path_filters.py';
const RE = 'st2 test_jinja_render_regex_filters.py';
const TIME = 'st2 test_jinja_render_time_filters.py';
const TIME2 = 'st2 test_time_jinja_filters.py';
const VER = 'st2 test_jinja_render_version_filters.py';
const WIRING = 'st2 integration test_wiring_functions.py';
const OQ = 'orquesta test_facade_jinja_evaluate.py';

const people = {
  people: [{ first: 'James', last: 'd' }, { first: 'Jacob', last: 'e' }, { first: 'Jayden', last: 'f' }, { missing: 'different' }],
  foo: { bar: 'baz' },
};
const obj = { a: 'b', c: { d: 'e', f: 1, g: true } };
const addr = String.raw`([0-9]{3} \w+ (?:Ave|St|Dr))`;
const vregex = String.raw`^v(\d+\.)?(\d+\.)?(\*|\d+)$`;

const version = (fn: string, arg: string, cases: [string, string][]): EvalCase[] =>
  cases.map(([v, text]) => ({ from: `${VER}::test_${fn}`, expr: `{{ ctx().version | ${fn}(${arg}) }}`, ctx: { version: v }, text }));

export const EVAL_CASES: EvalCase[] = [
  // ------------------------------------------------------------ data filters
  {
    from: `${DATA}::test_filter_from_json_string`,
    expr: '{{ ctx().k1 | from_json_string }}',
    ctx: { k1: '{"a": "b", "c": {"d": "e", "f": 1, "g": true}}' },
    value: obj,
  },
  {
    from: `${DATA}::test_filter_from_yaml_string`,
    expr: '{{ ctx().k1 | from_yaml_string }}',
    ctx: { k1: '---\na: b\nc:\n  d: e\n  f: 1\n  g: true\n' },
    value: obj,
  },
  { from: `${DATA}::test_filter_to_json_string`, expr: '{{ ctx().k1 | to_json_string }}', ctx: { k1: obj }, value: obj, decode: 'json' },
  { from: `${DATA}::test_filter_to_yaml_string`, expr: '{{ ctx().k1 | to_yaml_string }}', ctx: { k1: obj }, value: obj, decode: 'yaml' },
  // ------------------------------------------------------------ json_escape
  { from: `${ESC}::test_doublequotes`, expr: '{{ ctx().test_str | json_escape }}', ctx: { test_str: 'foo """ bar' }, text: 'foo \\"\\"\\" bar' },
  { from: `${ESC}::test_backslashes`, expr: '{{ ctx().test_str | json_escape }}', ctx: { test_str: 'foo \\ bar' }, text: 'foo \\\\ bar' },
  { from: `${ESC}::test_backspace`, expr: '{{ ctx().test_str | json_escape }}', ctx: { test_str: 'foo \b bar' }, text: 'foo \\b bar' },
  { from: `${ESC}::test_formfeed`, expr: '{{ ctx().test_str | json_escape }}', ctx: { test_str: 'foo \f bar' }, text: 'foo \\f bar' },
  { from: `${ESC}::test_newline`, expr: '{{ ctx().test_str | json_escape }}', ctx: { test_str: 'foo \n bar' }, text: 'foo \\n bar' },
  { from: `${ESC}::test_carriagereturn`, expr: '{{ ctx().test_str | json_escape }}', ctx: { test_str: 'foo \r bar' }, text: 'foo \\r bar' },
  { from: `${ESC}::test_tab`, expr: '{{ ctx().test_str | json_escape }}', ctx: { test_str: 'foo \t bar' }, text: 'foo \\t bar' },
  // ------------------------------------------------------------ jsonpath_query
  {
    from: `${JP}::test_jsonpath_query_static`,
    expr: '{{ ctx().obj | jsonpath_query("people[*].first") }}',
    ctx: { obj: people },
    value: ['James', 'Jacob', 'Jayden'],
  },
  {
    from: `${JP}::test_jsonpath_query_dynamic`,
    expr: '{{ ctx().obj | jsonpath_query(ctx().query) }}',
    ctx: { obj: people, query: 'people[*].last' },
    value: ['d', 'e', 'f'],
  },
  {
    from: `${JP}::test_jsonpath_query_no_results`,
    expr: '{{ ctx().obj | jsonpath_query(ctx().query) }}',
    ctx: { obj: people, query: 'query_returns_no_results' },
    value: null,
  },
  // ------------------------------------------------------------ path
  ...[
    ['/some/path/to/file.txt', 'file.txt', '/some/path/to'],
    ['/some/path/to/dir', 'dir', '/some/path/to'],
    ['/some/path/to/dir/', '', '/some/path/to/dir'],
  ].flatMap(([k1, base, dir]) => [
    { from: `${PATH}::test_basename`, expr: '{{ ctx().k1 | basename }}', ctx: { k1 }, text: base },
    { from: `${PATH}::test_dirname`, expr: '{{ ctx().k1 | dirname }}', ctx: { k1 }, text: dir },
  ]),
  // ------------------------------------------------------------ regex
  { from: `${RE}::test_filters_regex_match`, expr: '{{ ctx().k1 | regex_match("x") }}', ctx: { k1: 'xyz' }, text: 'True' },
  { from: `${RE}::test_filters_regex_match`, expr: '{{ ctx().k1 | regex_match("y") }}', ctx: { k1: 'xyz' }, text: 'False' },
  { from: `${RE}::test_filters_regex_match`, expr: `{{ ctx().k1 | regex_match("${vregex}") }}`, ctx: { k1: 'v0.10.1' }, text: 'True' },
  { from: `${RE}::test_filters_regex_replace`, expr: '{{ ctx().k1 | regex_replace("x", "y") }}', ctx: { k1: 'xyz' }, text: 'yyz' },
  {
    from: `${RE}::test_filters_regex_replace`,
    expr: '{{ ctx().k1 | regex_replace("(blue|white|red)", "color") }}',
    ctx: { k1: 'blue socks and red shoes' },
    text: 'color socks and color shoes',
  },
  { from: `${RE}::test_filters_regex_search`, expr: '{{ ctx().k1 | regex_search("x") }}', ctx: { k1: 'xyz' }, text: 'True' },
  { from: `${RE}::test_filters_regex_search`, expr: '{{ ctx().k1 | regex_search("y") }}', ctx: { k1: 'xyz' }, text: 'True' },
  { from: `${RE}::test_filters_regex_search`, expr: `{{ ctx().k1 | regex_search("${vregex}") }}`, ctx: { k1: 'v0.10.1' }, text: 'True' },
  {
    from: `${RE}::test_filters_regex_substring`,
    expr: `{{ ctx().input_str | regex_substring("${addr}") }}`,
    ctx: { input_str: 'My address is 123 Somewhere Ave. See you soon!' },
    text: '123 Somewhere Ave',
  },
  {
    from: `${RE}::test_filters_regex_substring`,
    expr: `{{ ctx().input_str | regex_substring("${addr}", 1) }}`,
    ctx: { input_str: 'Your address is 567 Elsewhere Dr. My address is 123 Somewhere Ave.' },
    text: '123 Somewhere Ave',
  },
  {
    from: `${RE}::test_filters_regex_substring`,
    expr: `{{ ctx().input_str | regex_substring("${addr}", 1) }}`,
    ctx: { input_str: 'Your address is 567 Elsewhere Dr.' },
    error: /IndexError/,
  },
  {
    from: `${RE}::test_filters_regex_substring`,
    expr: String.raw`{{ ctx().input_str | regex_substring("([0-3]{3} \w+ (?:Ave|St|Dr))") }}`,
    ctx: { input_str: 'My address is 986 Somewhere Ave. See you soon!' },
    error: /IndexError/,
  },
  // ------------------------------------------------------------ time
  { from: `${TIME}::test_to_human_time_filter`, expr: '{{ ctx().k1 | to_human_time_from_seconds }}', ctx: { k1: 12345 }, text: '3h25m45s' },
  { from: `${TIME}::test_to_human_time_filter`, expr: '{{ ctx().k1 | to_human_time_from_seconds }}', ctx: { k1: 0 }, text: '0s' },
  { from: `${TIME}::test_to_human_time_filter`, expr: '{{ ctx().k1 | to_human_time_from_seconds }}', ctx: { k1: 'stuff' }, error: true },
  ...(
    [
      [0, '0s'],
      [0.1, '0.1\u03bcs'],
      [56, '56s'],
      [56.2, '56s'],
      [456, '7m36s'],
      [4560, '1h16m0s'],
      [45678997, '1y12d16h36m37s'],
    ] as const
  ).map(([seconds, text]) => ({
    from: `${TIME2}::test_to_human_time_from_seconds`,
    expr: '{{ to_human_time_from_seconds(ctx().s) }}',
    ctx: { s: seconds },
    text,
  })),
  // ------------------------------------------------------------ version
  ...version('version_compare', '"0.10.0"', [
    ['0.9.0', '-1'],
    ['0.10.1', '1'],
    ['0.10.0', '0'],
  ]),
  ...version('version_more_than', '"0.10.0"', [
    ['0.9.0', 'False'],
    ['0.10.1', 'True'],
    ['0.10.0', 'False'],
  ]),
  ...version('version_less_than', '"0.10.0"', [
    ['0.9.0', 'True'],
    ['0.10.1', 'False'],
    ['0.10.0', 'False'],
  ]),
  ...version('version_equal', '"0.10.0"', [
    ['0.9.0', 'False'],
    ['0.10.1', 'False'],
    ['0.10.0', 'True'],
  ]),
  ...version('version_match', '">0.10.0"', [
    ['0.10.1', 'True'],
    ['0.1.1', 'False'],
  ]),
  ...version('version_match', '"<0.10.0"', [
    ['0.1.0', 'True'],
    ['1.1.0', 'False'],
  ]),
  ...version('version_match', '"==0.10.0"', [
    ['0.10.0', 'True'],
    ['0.10.1', 'False'],
  ]),
  { from: `${VER}::test_version_bump_major`, expr: '{{ ctx().version | version_bump_major }}', ctx: { version: '0.10.1' }, text: '1.0.0' },
  { from: `${VER}::test_version_bump_minor`, expr: '{{ ctx().version | version_bump_minor }}', ctx: { version: '0.10.1' }, text: '0.11.0' },
  { from: `${VER}::test_version_bump_patch`, expr: '{{ ctx().version | version_bump_patch }}', ctx: { version: '0.10.1' }, text: '0.10.2' },
  { from: `${VER}::test_version_strip_patch`, expr: '{{ ctx().version | version_strip_patch }}', ctx: { version: '0.10.1' }, text: '0.10' },
  // ------------------------------------------------------------ st2's jinja example workflows (expected outputs of the wiring tests)
  {
    from: `${WIRING}::test_data_functions_in_jinja`,
    expr: '{{ to_yaml_string(from_json_string(ctx("s"))) }}',
    ctx: { s: '{"foo": {"bar": "foobar"}}' },
    text: 'foo:\n  bar: foobar\n',
  },
  {
    from: `${WIRING}::test_data_functions_in_jinja`,
    expr: '{{ jsonpath_query(ctx("o"), "$.foo.bar") }}',
    ctx: { o: { foo: { bar: 'foobar' } } },
    value: ['foobar'],
  },
  {
    from: `${WIRING}::test_data_functions_in_jinja`,
    expr: '{{ ctx("s") | from_json_string() | to_yaml_string() | from_yaml_string() | to_json_string() }}',
    ctx: { s: '{"foo": {"bar": "foobar"}}' },
    text: '{"foo": {"bar": "foobar"}}',
  },
  { from: `${WIRING}::test_data_functions_in_jinja`, expr: '{{ use_none(ctx("none")) }}', ctx: { none: null }, text: '%*****__%NONE%__*****%' },
  { from: `${WIRING}::test_data_functions_in_jinja`, expr: '{{ use_none("foobar") }}', text: 'foobar' },
  {
    from: `${WIRING}::test_data_functions_in_jinja`,
    expr: '{{ to_yaml_string(ctx("l")) }}',
    ctx: {
      l: [
        { a: 1, b: 2 },
        { x: 3, y: 4 },
      ],
    },
    text: '- a: 1\n  b: 2\n- x: 3\n  y: 4\n',
  },
  { from: `${WIRING}::test_path_functions_in_jinja`, expr: '{{ basename("/path/to/some/file.txt") }}', text: 'file.txt' },
  { from: `${WIRING}::test_path_functions_in_jinja`, expr: '{{ dirname("/path/to/some/file.txt") }}', text: '/path/to/some' },
  { from: `${WIRING}::test_regex_functions_in_jinja`, expr: '{{ regex_match("xyz", "x") }}', value: true },
  { from: `${WIRING}::test_regex_functions_in_jinja`, expr: '{{ regex_replace("xyz", "x", "wx") }}', value: 'wxyz' },
  { from: `${WIRING}::test_regex_functions_in_jinja`, expr: '{{ regex_search("xyz", "y") }}', value: true },
  {
    from: `${WIRING}::test_regex_functions_in_jinja`,
    expr: String.raw`{{ regex_substring("I live at 668 Infinite Dr", "${addr}") }}`,
    value: '668 Infinite Dr',
  },
  { from: `${WIRING}::test_time_functions_in_jinja`, expr: '{{ to_human_time_from_seconds(12345) }}', value: '3h25m45s' },
  { from: `${WIRING}::test_version_functions_in_jinja`, expr: '{{ version_compare("0.10.1", "0.10.0") }}', value: 1 },
  { from: `${WIRING}::test_version_functions_in_jinja`, expr: '{{ version_more_than("0.9.0", "0.10.0") }}', value: false },
  { from: `${WIRING}::test_version_functions_in_jinja`, expr: '{{ version_less_than("0.10.1", "0.10.0") }}', value: false },
  { from: `${WIRING}::test_version_functions_in_jinja`, expr: '{{ version_equal("0.10.0", "0.10.0") }}', value: true },
  { from: `${WIRING}::test_version_functions_in_jinja`, expr: '{{ version_match("0.10.1", ">0.10.0") }}', value: true },
  { from: `${WIRING}::test_version_functions_in_jinja`, expr: '{{ version_bump_major("0.10.1") }}', value: '1.0.0' },
  { from: `${WIRING}::test_version_functions_in_jinja`, expr: '{{ version_bump_minor("0.10.1") }}', value: '0.11.0' },
  { from: `${WIRING}::test_version_functions_in_jinja`, expr: '{{ version_bump_patch("0.10.1") }}', value: '0.10.2' },
  { from: `${WIRING}::test_version_functions_in_jinja`, expr: '{{ version_strip_patch("0.10.1") }}', value: '0.10' },
  // ------------------------------------------------------------ orquesta facade
  { from: `${OQ}::test_basic_eval`, expr: '{{ ctx().foo }}', ctx: { foo: 'bar' }, value: 'bar' },
  { from: `${OQ}::test_basic_eval`, expr: 'foo{{ ctx().foo }}', ctx: { foo: 'bar' }, value: 'foobar' },
  { from: `${OQ}::test_basic_eval_undefined`, expr: '{{ ctx().foo }}', ctx: {}, error: true },
  { from: `${OQ}::test_dict_eval`, expr: '{{ ctx().nested.foo }}', ctx: { nested: { foo: 'bar' } }, value: 'bar' },
  { from: `${OQ}::test_multi_eval`, expr: '{{ ctx().foo }} and {{ ctx().marco }}', ctx: { foo: 'bar', marco: 'polo' }, value: 'bar and polo' },
  ...(
    [
      ['k1', 101],
      ['k2', 1.999],
      ['k3', true],
      ['k4', [1, 2]],
      ['k5', { k: 'v' }],
      ['k6', null],
    ] as const
  ).map(([k, v]) => ({
    from: `${OQ}::test_type_preservation`,
    expr: `{{ ctx().${k} }}`,
    ctx: { k1: 101, k2: 1.999, k3: true, k4: [1, 2], k5: { k: 'v' }, k6: null },
    value: v,
  })),
  { from: `${OQ}::test_type_string_detection`, expr: '{{ ctx().foo }} -> {{ ctx().bar }}', ctx: { foo: 101, bar: 201 }, value: '101 -> 201' },
  { from: `${OQ}::test_custom_function`, expr: `{{ json('{"a": 123}') }}`, value: { a: 123 } },
  { from: `${OQ}::test_custom_function_failure`, expr: '{{ json(int(123)) }}', error: true },
  { from: `${OQ}::test_block_eval`, expr: '{% for i in ctx().x %}{{ i }}{% endfor %}', ctx: { x: ['a', 'b', 'c'] }, value: 'abc' },
  { from: `${OQ}::test_block_eval_undefined`, expr: '{% for i in ctx().x %}{{ ctx().y }}{% endfor %}', ctx: { x: ['a', 'b', 'c'] }, error: true },
  {
    from: `${OQ}::test_multi_block_eval`,
    expr: '{% for i in ctx().x %}{{ i }}{% endfor %}{% for i in ctx().y %}{{ i }}{% endfor %}',
    ctx: { x: ['a', 'b', 'c'], y: ['d', 'e', 'f'] },
    value: 'abcdef',
  },
  {
    from: `${OQ}::test_mix_block_and_expr_eval`,
    expr: '{{ ctx().a }}{% for i in ctx().x %}{{ i }}{% endfor %}{{ ctx().d }}',
    ctx: { x: ['b', 'c'], a: 'a', d: 'd' },
    value: 'abcd',
  },
];

/**
 * orquesta test_facade_jinja_validate.py: how many errors. `jinja2Says` is what orquesta's test
 * finds in each message, Jinja2's parser wording: kept for the reader, not compared (excluded,
 * see the top of this file); each error must be a TemplateSyntaxError.
 */
export interface ValidateCase {
  from: string;
  expr: string;
  errors: number;
  jinja2Says?: string[];
}

const OV = 'orquesta test_facade_jinja_validate.py';
export const VALIDATE_CASES: ValidateCase[] = [
  ...['{{ 1 }}', '{{ abc }}', '{{ 1 + 2 }}', '{{ ctx().foo }}', '{{ ctx("foo") }}', '{{ ctx().a1 + ctx("a2") }}'].map((expr) => ({
    from: `${OV}::test_basic_validate`,
    expr,
    errors: 0,
  })),
  { from: `${OV}::test_parse_error`, expr: '{{ {{ ctx().foo }} }}', errors: 2, jinja2Says: ["expected token ':', got '}'", 'unexpected end of template'] },
  { from: `${OV}::test_multiple_errors`, expr: '{{ 1 +/ 2 }} and {{ * }}', errors: 3, jinja2Says: ['unexpected', 'unexpected', 'unexpected'] },
  { from: `${OV}::test_block_error`, expr: '{% for i in ctx().x %}{{ i }}{% foobar %}', errors: 1, jinja2Says: ['unknown tag'] },
  { from: `${OV}::test_missing_braces_error`, expr: '{% for i in ctx().x %}{{ i }}{{ foobar %}', errors: 1, jinja2Says: ["unexpected '}'"] },
];

/** orquesta test_facade_jinja_ctx_by_{dot_notation,function_arg}.py: variables an expression reads. */
export interface ExtractCase {
  from: string;
  expr: string;
  names: string[];
}

const OD = 'orquesta test_facade_jinja_ctx_by_dot_notation.py';
const OF = 'orquesta test_facade_jinja_ctx_by_function_arg.py';
export const EXTRACT_CASES: ExtractCase[] = [
  {
    from: `${OD}::test_empty_extraction`,
    expr: '{{ just_text and $not_a_var and notctx().bar and ctx(). and ctx().() and ctx().-foobar and ctx().foobar() }}',
    names: [],
  },
  { from: `${OD}::test_single_var_extraction`, expr: '{{ ctx().foobar }}', names: ['foobar'] },
  { from: `${OD}::test_single_dotted_var_extraction`, expr: '{{ ctx().foo.bar }}', names: ['foo'] },
  { from: `${OD}::test_single_indexing_var_extraction`, expr: '{{ ctx().foo[0] }}', names: ['foo'] },
  { from: `${OD}::test_single_functional_var_extraction`, expr: '{{ ctx().foo.get(bar) }}', names: ['foo'] },
  {
    from: `${OD}::test_multiple_vars_extraction`,
    expr: '{{ctx().fubar ctx().foobar ctx().foo.get(bar) ctx().fu.bar ctx().foobaz.bar[0] }}',
    names: ['foo', 'foobar', 'foobaz', 'fu', 'fubar'],
  },
  { from: `${OD}::test_multiple_interleaved_vars_extraction`, expr: '{{ Why the ctx().foobar are you so ctx().fu.bar serious? }}', names: ['foobar', 'fu'] },
  {
    from: `${OF}::test_empty_extraction`,
    expr:
      '{{ just_text and $not_a_var and notctx(foo) and notctx("bar") and notctx(\'fu\') ctx("foo\') and ctx(\'foo") and ctx(foo") and ' +
      'ctx("foo) and ctx(foo\') and ctx(\'foo) and ctx(-foo) and ctx("-bar") and ctx(\'-fu\') and ctx(foo.bar) and ctx("foo.bar") and ' +
      "ctx('foo.bar') and ctx(foo()) and ctx(\"foo()\") and ctx('foo()') }}",
    names: [],
  },
  { from: `${OF}::test_single_var_extraction`, expr: '{{ ctx("foobar") }}', names: ['foobar'] },
  { from: `${OF}::test_single_dotted_var_extraction`, expr: '{{ ctx("foo").bar }}', names: ['foo'] },
  { from: `${OF}::test_single_indexing_var_extraction`, expr: '{{ ctx("foo")[0] }}', names: ['foo'] },
  { from: `${OF}::test_single_functional_var_extraction`, expr: '{{ ctx("foo").get(bar) }}', names: ['foo'] },
  {
    from: `${OF}::test_multiple_vars_extraction`,
    expr: '{{ctx("fubar") ctx("foobar") ctx("foo").get(bar) ctx("fu").bar ctx("foobaz").bar[0] }}',
    names: ['foo', 'foobar', 'foobaz', 'fu', 'fubar'],
  },
  { from: `${OF}::test_multiple_interleaved_vars_extraction`, expr: '{{ Why the ctx("foobar") are you so ctx("fu").bar serious? }}', names: ['foobar', 'fu'] },
  { from: `${OF}::test_ignore_ctx_dict_funcs`, expr: '{{ctx().keys() and ctx().values() and ctx().set("b", 3) }}', names: [] },
  {
    from: `${OF}::test_ignore_ctx_get_func_calls`,
    expr:
      '{{ctx().get(foo) and ctx().get(bar) and ctx().get("fu") and ctx().get(\'baz\') and ctx().get(foo, "bar") and ctx().get("fu", "bar") and ' +
      "ctx().get('bar', 'foo') and ctx().get(\"foo') and ctx().get('foo\") and ctx().get(\"foo) and ctx().get(foo\") }}",
    names: [],
  },
];

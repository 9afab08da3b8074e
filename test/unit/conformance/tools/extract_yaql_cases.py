"""Turns openstack/yaql's unit tests (yaql/tests/test_*.py) into data cases for our conformance suite.

Usage: python3 extract_yaql_cases.py <yaql checkout>/yaql/tests > ../yaql-cases.json

Each assertion that evaluates one expression becomes a case {id, expr, data, expect}. The test's
Python is read with `ast` only (never executed); a case whose pieces are not plain literals, or
whose test changes the Python context (registers functions, sets variables), is written with
`skip` and a reason so that every assertion is accounted for.
"""
import ast
import json
import math
import sys
from pathlib import Path

FILES = {
    'test_boolean': None, 'test_branching': None, 'test_collections': None, 'test_common': None,
    'test_math': None, 'test_miscellaneous': None, 'test_queries': None, 'test_regex': None,
    'test_strings': None, 'test_system': None, 'test_type_aggregation': None, 'test_engine': None,
    'test_resolution': None,
    'test_datetime': 'datetime/timespan are Python objects; orquesta data is JSON',
    'test_legacy': 'legacy mode (yaql 0.2 compatibility engine); orquesta uses the standard engine',
    'test_contexts': 'tests the Python context API, not expressions',
    'test_yaqlization': 'yaqlization exposes Python objects; we evaluate JSON data only',
    'test_yaql_interface': 'tests the Python embedding API',
}

class Unsupported(Exception):
    pass

def lit(node, env):
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if node.id in env:
            return env[node.id]
        raise Unsupported('name ' + node.id)
    if isinstance(node, (ast.List, ast.Tuple)):
        return [lit(e, env) for e in node.elts]
    if isinstance(node, ast.Set):
        return {'$set': [lit(e, env) for e in node.elts]}
    if isinstance(node, ast.Dict):
        out = {}
        for k, v in zip(node.keys, node.values):
            if k is None:
                raise Unsupported('dict unpack')
            key = lit(k, env)
            if not isinstance(key, str):
                raise Unsupported('non-string dict key')
            out[key] = lit(v, env)
        return out
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        v = lit(node.operand, env)
        if isinstance(v, (int, float)):
            return -v
    if isinstance(node, ast.BinOp):
        a, b = lit(node.left, env), lit(node.right, env)
        if isinstance(node.op, ast.Add) and type(a) == type(b) and isinstance(a, (str, list, int, float)):
            return a + b
        if isinstance(node.op, ast.Mult) and isinstance(a, (str, list)) and isinstance(b, int):
            return a * b
        if isinstance(node.op, ast.Mod) and isinstance(a, str):
            raise Unsupported('% formatting')
        if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
            ops = {ast.Add: lambda: a + b, ast.Sub: lambda: a - b, ast.Mult: lambda: a * b,
                   ast.Div: lambda: a / b, ast.FloorDiv: lambda: a // b, ast.Pow: lambda: a ** b,
                   ast.Mod: lambda: a % b, ast.BitOr: lambda: a | b, ast.BitAnd: lambda: a & b,
                   ast.BitXor: lambda: a ^ b, ast.LShift: lambda: a << b, ast.RShift: lambda: a >> b}
            f = ops.get(type(node.op))
            if f:
                return f()
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        args = [lit(a, env) for a in node.args]
        if node.func.id in ('set', 'frozenset') and len(args) <= 1 and not node.keywords:
            return {'$set': list(args[0]) if args else []}
        if node.func.id in ('list', 'tuple') and len(args) == 1 and isinstance(args[0], (list, str)):
            return list(args[0])
        if node.func.id == 'range' and all(isinstance(a, int) for a in args):
            return list(range(*args))
        if node.func.id == 'dict' and not args:
            return {k.arg: lit(k.value, env) for k in node.keywords}
        if node.func.id == 'str' and len(args) == 1:
            return str(args[0])
    if isinstance(node, ast.Subscript):
        base, key = lit(node.value, env), lit(node.slice, env)
        if isinstance(base, (list, dict)):
            return base[key]
    if isinstance(node, ast.ListComp) and len(node.generators) == 1 and isinstance(node.generators[0].target, ast.Name) \
            and not node.generators[0].ifs:
        g = node.generators[0]
        return [lit(node.elt, {**env, g.target.id: x}) for x in lit(g.iter, env)]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == 'deepcopy':
        return lit(node.args[0], env)
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == 'math':
        return getattr(math, node.attr)
    raise Unsupported(ast.dump(node)[:60])

def jsonable(v):
    if isinstance(v, float) and (math.isinf(v) or math.isnan(v)):
        raise Unsupported('non-finite float')
    if isinstance(v, list):
        return [jsonable(x) for x in v]
    if isinstance(v, dict):
        return {k: jsonable(x) for k, x in v.items()}
    if v is None or isinstance(v, (str, int, float, bool)):
        return v
    raise Unsupported(type(v).__name__)

def in_source_order(fn):
    """Assignments and calls of a test in the order they are written (ast.walk is breadth first)."""
    nodes = [n for n in ast.walk(fn) if isinstance(n, (ast.Assign, ast.Call))]
    return sorted(nodes, key=lambda n: (n.lineno, n.col_offset))

def eval_call(node):
    """(kind, call) when node is self.eval(...) / self.legacy_eval(...)."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name) \
            and node.func.value.id == 'self' and node.func.attr in ('eval', 'legacy_eval', 'legacy_eval_new_engine'):
        return node.func.attr, node
    return None

def exc_name(node):
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Tuple):
        return '|'.join(exc_name(e) for e in node.elts)
    return '?'

def cases_of(stem, fn, context_reason):
    env = {}
    out = []
    n = 0

    def emit(case, line, reason=None):
        nonlocal n
        n += 1
        case['id'] = f'{stem}::{fn.name}#{n}'
        case['line'] = line
        if reason:
            case['skip'] = reason
        out.append(case)

    def take_eval(call, line):
        kind, c = call
        if kind != 'eval':
            raise Unsupported('legacy engine')
        expr = lit(c.args[0], env)
        data = None
        if len(c.args) > 1:
            data = lit(c.args[1], env)
        for k in c.keywords:
            if k.arg == 'data':
                data = lit(k.value, env)
            elif k.arg == 'context':
                raise Unsupported('custom context')
        return {'expr': expr, 'data': jsonable(data)}

    for stmt in in_source_order(fn):
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            try:
                env[stmt.targets[0].id] = lit(stmt.value, env)
            except Unsupported:
                env.pop(stmt.targets[0].id, None)
        if not (isinstance(stmt, ast.Call) and isinstance(stmt.func, ast.Attribute) and stmt.func.attr.startswith('assert')):
            continue
        a = stmt.func.attr
        line = stmt.lineno
        src = ast.unparse(stmt)
        try:
            if a == 'assertRaises':
                if len(stmt.args) < 2:
                    continue  # context-manager form: the eval inside is its own statement
                f = stmt.args[1]
                if not (isinstance(f, ast.Attribute) and f.attr in ('eval', 'legacy_eval')):
                    continue
                if f.attr == 'legacy_eval':
                    raise Unsupported('legacy engine')
                fake = ast.Call(func=f, args=stmt.args[2:], keywords=stmt.keywords)
                case = take_eval(('eval', fake), line)
                case['error'] = exc_name(stmt.args[0])
            else:
                calls = [(i, eval_call(x)) for i, x in enumerate(stmt.args)]
                calls = [(i, c) for i, c in calls if c]
                if not calls:
                    continue
                i, call = calls[0]
                case = take_eval(call, line)
                others = [x for j, x in enumerate(stmt.args) if j != i]
                if a in ('assertEqual', 'assertCountEqual', 'assertAlmostEqual'):
                    expect = jsonable_expect(lit(others[0], env))
                    case['expect'] = expect
                    if a == 'assertCountEqual':
                        case['unordered'] = True
                    if a == 'assertAlmostEqual':
                        case['almost'] = True
                elif a == 'assertTrue':
                    case['truthy'] = True
                elif a == 'assertFalse':
                    case['truthy'] = False
                elif a == 'assertIsNone':
                    case['expect'] = None
                else:
                    raise Unsupported(a)
        except Unsupported as e:
            emit({'source': src}, line, context_reason or f'not a plain data case ({e})')
            continue
        emit(case, line, context_reason)
    return out

def jsonable_expect(v):
    if isinstance(v, dict) and '$set' in v and len(v) == 1:
        return {'$set': jsonable(v['$set'])}
    return jsonable(v)

def main(root):
    result = []
    for stem, file_reason in FILES.items():
        tree = ast.parse((Path(root) / f'{stem}.py').read_text())
        for cls in [n for n in tree.body if isinstance(n, ast.ClassDef)]:
            for fn in [n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name.startswith('test')]:
                text = ast.unparse(fn)
                reason = file_reason
                if not reason and ('self.context' in text or 'context=' in text or 'specs.' in text):
                    reason = 'the test registers Python functions or variables in the context'
                result.extend(cases_of(stem, fn, reason))
    json.dump(result, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write('\n')

if __name__ == '__main__':
    main(sys.argv[1])

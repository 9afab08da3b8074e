"""Turns orquesta's YAQL expression tests (orquesta/tests/unit/expressions/*yaql*.py) into data cases.

Usage: python3 extract_orquesta_cases.py <orquesta checkout>/orquesta/tests/unit/expressions > ../orquesta-yaql-cases.json

Recognised: `evaluate(expr, data)` through the evaluator or the facade (a case {expr, data, expect}
or {error}), and `validate(expr)` (a case {validate: true} when no errors are expected, false when
the test inspects the errors). Module-level constants are read as literals; nothing is executed.
"""
import ast
import json
import sys
from pathlib import Path

from extract_yaql_cases import Unsupported, in_source_order, jsonable, lit

FILES = ['test_facade_yaql_ctx_by_dot_notation', 'test_facade_yaql_ctx_by_function_arg', 'test_facade_yaql_evaluate',
         'test_facade_yaql_validate', 'test_yaql_ctx_by_dot_notation', 'test_yaql_ctx_by_function_arg',
         'test_yaql_ctx_query', 'test_yaql_eval_by_dot_notation', 'test_yaql_eval_by_function_arg',
         'test_yaql_eval_custom_function', 'test_yaql_validate']

def target(node, name):
    """True for self.evaluator.<name>(...) and expr_base.<name>(...)."""
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == name \
        and ast.unparse(node.func.value) in ('self.evaluator', 'expr_base')

def module_env(tree):
    env = {}
    for n in tree.body:
        if isinstance(n, ast.Assign) and len(n.targets) == 1 and isinstance(n.targets[0], ast.Name):
            try:
                env[n.targets[0].id] = lit(n.value, env)
            except Unsupported:
                pass
    return env

def main(root):
    out = []
    for stem in FILES:
        tree = ast.parse((Path(root) / f'{stem}.py').read_text())
        genv = module_env(tree)
        for cls in [n for n in tree.body if isinstance(n, ast.ClassDef)]:
            for fn in [n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name.startswith('test')]:
                env = dict(genv)
                n = 0
                validated = {}
                for stmt in in_source_order(fn):
                    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                        if target(stmt.value, 'validate'):
                            try:
                                validated[stmt.targets[0].id] = lit(stmt.value.args[0], env)
                            except Unsupported:
                                pass
                        try:
                            env[stmt.targets[0].id] = lit(stmt.value, env)
                        except Unsupported:
                            env.pop(stmt.targets[0].id, None)
                    if not (isinstance(stmt, ast.Call) and isinstance(stmt.func, ast.Attribute) and stmt.func.attr.startswith('assert')):
                        continue
                    n += 1
                    case = {'id': f'{stem}::{fn.name}#{n}', 'line': stmt.lineno}
                    a = stmt.func.attr
                    try:
                        if a == 'assertRaises' and len(stmt.args) >= 3 and ast.unparse(stmt.args[1]).endswith('.evaluate'):
                            case['expr'] = lit(stmt.args[2], env)
                            case['data'] = jsonable(lit(stmt.args[3], env)) if len(stmt.args) > 3 else None
                            case['error'] = ast.unparse(stmt.args[0]).split('.')[-1]
                        else:
                            calls = [(i, x) for i, x in enumerate(stmt.args) if target(x, 'evaluate') or target(x, 'validate')]
                            names = [(i, x) for i, x in enumerate(stmt.args) if isinstance(x, ast.Name) and x.id in validated]
                            if calls:
                                i, call = calls[0]
                                other = [x for j, x in enumerate(stmt.args) if j != i]
                                if call.func.attr == 'validate':
                                    case['expr'] = lit(call.args[0], env)
                                    if a == 'assertListEqual' and lit(other[0], env) == []:
                                        case['valid'] = True
                                    else:
                                        raise Unsupported(a + ' on validate')
                                else:
                                    case['expr'] = lit(call.args[0], env)
                                    case['data'] = jsonable(lit(call.args[1], env)) if len(call.args) > 1 else None
                                    if a in ('assertEqual', 'assertListEqual', 'assertDictEqual'):
                                        case['expect'] = jsonable(lit(other[0], env))
                                    elif a in ('assertTrue', 'assertFalse'):
                                        case['truthy'] = a == 'assertTrue'
                                    elif a == 'assertIsNone':
                                        case['expect'] = None
                                    else:
                                        raise Unsupported(a)
                            elif names and a == 'assertEqual':
                                # errors = validate(expr); assertEqual(expected_errors, errors)
                                case['expr'] = validated[names[0][1].id]
                                case['valid'] = lit([x for j, x in enumerate(stmt.args) if j != names[0][0]][0], env) == []
                            else:
                                n -= 1
                                continue
                    except Unsupported as e:
                        case = {'id': case['id'], 'line': stmt.lineno, 'source': ast.unparse(stmt), 'skip': f'not a plain data case ({e})'}
                        if "case['expr']" in case['source']:
                            case['skip'] = 'a loop over test cases: its three cases are in orquesta-yaql-manual.json'
                    out.append(case)
    json.dump(out, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write('\n')

if __name__ == '__main__':
    main(sys.argv[1])

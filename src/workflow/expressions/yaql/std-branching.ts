/** yaql's branching functions (yaql/standard_library/branching.py); each evaluates only what it needs. */
import { fault } from '../faults.ts';
import { truthy } from '../pystr.ts';
import { integer, need, type LazyArg, type StdFunction } from './core.ts';

const present = (args: Array<LazyArg | undefined>): LazyArg[] => args.filter((a): a is LazyArg => a !== undefined);

export const BRANCHING: Record<string, StdFunction> = {
  switch: (c) => {
    if (c.args.length > 0) throw fault('NoMatchingFunctionException', 'switch() takes only condition => value rules');
    for (const [cond, value] of c.rules ?? []) if (truthy(cond.value())) return value.value();
    return null;
  },
  selectCase: (c) => {
    const conditions = present(c.args);
    const i = conditions.findIndex((a) => truthy(a.value()));
    return i < 0 ? conditions.length : i;
  },
  selectAllCases: (c) => present(c.args).flatMap((a, i) => (truthy(a.value()) ? [i] : [])),
  examine: (c) => present(c.args).map((a) => truthy(a.value())),
  switchCase: (c) => {
    const cases = present(c.args.slice(1));
    if (cases.length === 0) return null;
    const i = integer(need(c, 0).value(), 'switchCase');
    return (i < 0 || i >= cases.length ? cases[cases.length - 1] : cases[i])?.value();
  },
};

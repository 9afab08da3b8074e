/**
 * st2's semantic-version functions (`version_compare`, `version_match`, `version_bump_*`...), as
 * Python's semver 2 computes them: parsing and precedence are npm's semver (strict); bumping
 * keeps st2's meaning (`1.2.3-rc.1` bumps its patch to 1.2.4, where npm's inc would give 1.2.3).
 */
import semver, { type SemVer } from 'semver';
import { required, one, str, type CatalogFunction } from './call-args.ts';
import { valueFault } from './faults.ts';

/** A strict SemVer 2.0 string, as Python's semver.parse accepts (npm's semver, strict mode). */
function parseSemver(value: unknown): SemVer {
  const text = str(value);
  const parsed = semver.parse(text, { loose: false });
  // npm's parser also takes a leading "v" or "=" and surrounding spaces, which Python's semver refuses.
  if (parsed === null || /^[v=]/i.test(text) || text !== text.trim()) throw valueFault(`${text} is not valid SemVer string`);
  return parsed;
}

/** SemVer precedence (prerelease lower than release, build ignored): -1, 0 or 1. */
function versionCompare(value: unknown, other: unknown): number {
  return semver.compare(parseSemver(value), parseSemver(other));
}

/** Python semver's match: `<op><version>`, op one of <, >, ==, <=, >=, != (required). */
function versionMatch(value: unknown, expr: unknown): boolean {
  const text = str(expr);
  const m = /^(<=|>=|==|!=|<|>)(.+)$/.exec(text);
  if (!m) {
    throw valueFault(`match_expr parameter should be in format <op><ver>, where <op> is one of ['<', '>', '==', '<=', '>=', '!=']. You provided: '${text}'`);
  }
  const c = versionCompare(value, m[2]);
  switch (m[1]) {
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    case '>=':
      return c >= 0;
    case '!=':
      return c !== 0;
    default:
      return c === 0;
  }
}

function bump(value: unknown, part: 'major' | 'minor' | 'patch'): string {
  const v = parseSemver(value);
  if (part === 'major') return `${v.major + 1}.0.0`;
  if (part === 'minor') return `${v.major}.${v.minor + 1}.0`;
  return `${v.major}.${v.minor}.${v.patch + 1}`;
}

/** The version functions, by name. */
export const VERSION_FUNCTIONS: Record<string, CatalogFunction> = {
  version_compare: (_c, a, k) => versionCompare(required('version_compare', a, k, 0, 'value'), required('version_compare', a, k, 1, 'pattern')),
  version_more_than: (_c, a, k) => versionCompare(required('version_more_than', a, k, 0, 'value'), required('version_more_than', a, k, 1, 'pattern')) === 1,
  version_less_than: (_c, a, k) => versionCompare(required('version_less_than', a, k, 0, 'value'), required('version_less_than', a, k, 1, 'pattern')) === -1,
  version_equal: (_c, a, k) => versionCompare(required('version_equal', a, k, 0, 'value'), required('version_equal', a, k, 1, 'pattern')) === 0,
  version_match: (_c, a, k) => versionMatch(required('version_match', a, k, 0, 'value'), required('version_match', a, k, 1, 'pattern')),
  version_bump_major: one('version_bump_major', (v) => bump(v, 'major')),
  version_bump_minor: one('version_bump_minor', (v) => bump(v, 'minor')),
  version_bump_patch: one('version_bump_patch', (v) => bump(v, 'patch')),
  version_strip_patch: one('version_strip_patch', (v) => {
    const s = parseSemver(v);
    return `${s.major}.${s.minor}`;
  }),
};

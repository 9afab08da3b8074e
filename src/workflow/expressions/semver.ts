/** st2's semantic-version functions (`version_compare`, `version_match`, `version_bump_*`...). */
import { required, one, str, type CatalogFunction } from './call-args.ts';
import { valueFault } from './faults.ts';

interface SemVer {
  major: number;
  minor: number;
  patch: number;
  prerelease: string | null;
  build: string | null;
}

function parseSemver(value: unknown): SemVer {
  const text = str(value);
  const m = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.-]+))?$/.exec(text);
  if (!m) throw valueFault(`${text} is not valid SemVer string`);
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), prerelease: m[4] ?? null, build: m[5] ?? null };
}

function compareIdentifiers(a: string, b: string): number {
  const an = /^\d+$/.test(a);
  const bn = /^\d+$/.test(b);
  if (an && bn) return Math.sign(Number(a) - Number(b));
  if (an) return -1;
  if (bn) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareSemver(a: SemVer, b: SemVer): number {
  for (const k of ['major', 'minor', 'patch'] as const) if (a[k] !== b[k]) return Math.sign(a[k] - b[k]);
  if (a.prerelease === b.prerelease) return 0;
  if (a.prerelease === null) return 1;
  if (b.prerelease === null) return -1;
  const pa = a.prerelease.split('.');
  const pb = b.prerelease.split('.');
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const c = compareIdentifiers(pa[i] as string, pb[i] as string);
    if (c !== 0) return c;
  }
  return Math.sign(pa.length - pb.length);
}

function versionCompare(value: unknown, other: unknown): number {
  return compareSemver(parseSemver(value), parseSemver(other));
}

function versionMatch(value: unknown, expr: unknown): boolean {
  const m = /^(<=|>=|==|!=|<|>)?\s*(.+)$/.exec(str(expr).trim());
  if (!m) throw valueFault(`Invalid match expression "${str(expr)}"`);
  const c = versionCompare(value, m[2]);
  switch (m[1] ?? '==') {
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

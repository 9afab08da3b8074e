import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadActions } from '../../../src/actions/loader.ts';
import { LazyCatalog } from '../../../src/actions/lazy-catalog.ts';
import { PacksFixture } from './pack-fixture.ts';

describe('loadActions({ packs })', () => {
  let packs: PacksFixture;
  beforeEach(() => (packs = new PacksFixture()));
  afterEach(() => packs.remove());

  it('scans only the packs named, and still finds a duplicate of one of them', () => {
    packs.pack('mine', { 'actions/a.yaml': 'name: a\nrunner_type: noop\n', 'actions/bad.yaml': 'name: bad\nrunner_type: nope\n' });
    packs.pack('core', { 'actions/z.yaml': 'name: z\nrunner_type: noop\n' });
    const mine = loadActions({ packsPaths: [packs.dir], packs: ['mine'] });
    expect(mine.list().map((a) => a.ref)).toEqual(['mine.a']);
    expect(mine.listUnavailable().map((u) => u.ref)).toEqual(['mine.bad']);
    const core = loadActions({ packsPaths: [packs.dir], packs: ['core'] });
    expect(core.list().every((a) => a.pack === 'core')).toBe(true);
    expect(core.get('core.echo')).toBeDefined();
    expect(core.unavailable('core')?.reason).toMatch(/^duplicate pack: core - found in .* and .* \(the second is ignored\)$/);
  });
});

describe('LazyCatalog', () => {
  it('reads nothing until asked, then only the pack of the action asked for', () => {
    const loads: (readonly string[] | undefined)[] = [];
    const catalog = new LazyCatalog((only) => {
      loads.push(only);
      return loadActions({ packs: only });
    });
    expect(loads).toEqual([]);
    expect(catalog.get('core.echo')?.ref).toBe('core.echo');
    expect(catalog.get('core.noop')?.ref).toBe('core.noop');
    expect(catalog.unavailable('core.local_sudo')?.field).toBe('parameters.sudo');
    expect(catalog.get('examples.noop')?.ref).toBe('examples.noop');
    expect(loads).toEqual([['core'], ['examples']]);
    expect(catalog.scanned).toEqual(['core', 'examples']);
  });

  it('finds an action whose name has dots (st2 allows them: ansible.galaxy.list) in the pack before the first dot', () => {
    const packs = new PacksFixture();
    try {
      packs.pack('tools', { 'actions/galaxy.list.yaml': 'name: galaxy.list\nrunner_type: noop\n' });
      const loads: (readonly string[] | undefined)[] = [];
      const catalog = new LazyCatalog((only) => {
        loads.push(only);
        return loadActions({ packsDir: null, packsPaths: [packs.dir], packs: only });
      });
      expect(catalog.get('tools.galaxy.list')?.ref).toBe('tools.galaxy.list');
      expect(loads).toEqual([['tools']]);
    } finally {
      packs.remove();
    }
  });

  it('lists every pack, once, and answers from that afterwards', () => {
    const loads: (readonly string[] | undefined)[] = [];
    const catalog = new LazyCatalog((only) => {
      loads.push(only);
      return loadActions({ packs: only });
    });
    const refs = catalog.list().map((a) => a.ref);
    expect(refs).toEqual(expect.arrayContaining(['core.echo', 'examples.noop']));
    expect(catalog.listUnavailable().map((u) => u.ref)).toContain('core.local_sudo');
    expect(catalog.get('examples.noop')).toBeDefined();
    expect(loads).toEqual([undefined]);
    expect(catalog.scanned).toEqual(['*']);
  });
});

import { PacksFixture } from '../actions/pack-fixture.ts';

/** A packs folder with `p.policed`: a shell action under a concurrency policy (threshold 1). */
export function policedPack(): string {
  const fixture = new PacksFixture();
  fixture.pack('p', {
    'actions/policed.yaml': 'name: policed\nrunner_type: local-shell-cmd\nparameters:\n  cmd: { default: "true" }\n',
    'policies/one.yaml': 'name: one\nresource_ref: p.policed\npolicy_type: action.concurrency\nparameters: { threshold: 1 }\n',
  });
  return fixture.dir;
}

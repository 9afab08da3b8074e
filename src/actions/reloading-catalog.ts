import { statSync } from 'node:fs';
import { PolicyCatalog } from '../policies/catalog.ts';
import type { ActionCatalog, ActionDefinition, UnavailableAction } from './types.ts';

// A folder's modification time: changes when a pack folder is added, removed or swapped in (`pack install`).
function stamp(dirs: readonly string[]): string {
  return dirs
    .map((dir) => {
      try {
        return String(statSync(dir).mtimeMs);
      } catch {
        return 'missing';
      }
    })
    .join(':');
}

/**
 * A catalog that loads again when one of the packs folders `dirs` changed: a pack that `actionrunner pack
 * install` adds, updates or removes while the runtime runs is seen by the next request, as st2 registers a
 * pack at install. One `stat` per folder a lookup; the bundle's own packs never change and are not watched.
 * @example const catalog = new ReloadingCatalog(() => loadActions({ packsPaths }), packsPaths);
 */
export class ReloadingCatalog implements ActionCatalog {
  readonly #load: () => ActionCatalog;
  readonly #dirs: readonly string[];
  #stamp: string;
  #catalog: ActionCatalog;

  constructor(load: () => ActionCatalog, dirs: readonly string[]) {
    this.#load = load;
    this.#dirs = dirs;
    this.#stamp = stamp(dirs);
    this.#catalog = load();
  }

  #current(): ActionCatalog {
    const now = stamp(this.#dirs);
    if (now !== this.#stamp) {
      this.#stamp = now;
      this.#catalog = this.#load();
    }
    return this.#catalog;
  }

  get(ref: string): ActionDefinition | undefined {
    return this.#current().get(ref);
  }

  list(): ActionDefinition[] {
    return this.#current().list();
  }

  unavailable(ref: string): UnavailableAction | undefined {
    return this.#current().unavailable?.(ref);
  }

  listUnavailable(): UnavailableAction[] {
    return this.#current().listUnavailable?.() ?? [];
  }

  policies(): PolicyCatalog {
    return this.#current().policies?.() ?? new PolicyCatalog();
  }
}

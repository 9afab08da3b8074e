import { PolicyCatalog } from '../policies/catalog.ts';
import type { ActionCatalog, ActionDefinition, UnavailableAction } from './types.ts';

/** Loads the catalog of the named packs, or of every pack when `packs` is undefined (`loadActions`). */
export type CatalogLoader = (packs?: readonly string[]) => ActionCatalog;

/**
 * A catalog that reads the packs on first use, and for one action only the pack it is in: `execution get`
 * parses no pack at all and `run core.echo` only `core`, rather than every pack's YAML (the largest part
 * of the CLI's start). `list()` and `listUnavailable()` load every pack.
 * @example const catalog = new LazyCatalog((packs) => loadActions({ packsPaths, packs })); catalog.get('core.echo') // scans core
 */
export class LazyCatalog implements ActionCatalog {
  readonly #load: CatalogLoader;
  #all: ActionCatalog | undefined;
  readonly #byPack = new Map<string, ActionCatalog>();

  constructor(load: CatalogLoader) {
    this.#load = load;
  }

  /** The packs scanned so far (`*` once every pack was), for tests and diagnostics. */
  get scanned(): string[] {
    return this.#all ? ['*'] : [...this.#byPack.keys()];
  }

  #every(): ActionCatalog {
    this.#all ??= this.#load();
    return this.#all;
  }

  // The pack of `pack.name` is everything before the first dot: pack names have none, action names may
  // (st2's ansible pack has `ansible.galaxy.list`).
  #packOf(ref: string): ActionCatalog {
    if (this.#all) return this.#all;
    const pack = ref.includes('.') ? ref.slice(0, ref.indexOf('.')) : ref;
    let catalog = this.#byPack.get(pack);
    if (!catalog) this.#byPack.set(pack, (catalog = this.#load([pack])));
    return catalog;
  }

  get(ref: string): ActionDefinition | undefined {
    return this.#packOf(ref).get(ref);
  }

  list(): ActionDefinition[] {
    return this.#every().list();
  }

  unavailable(ref: string): UnavailableAction | undefined {
    return this.#packOf(ref).unavailable?.(ref);
  }

  listUnavailable(): UnavailableAction[] {
    return this.#every().listUnavailable?.() ?? [];
  }

  /** Every pack's policies: a policy may name an action of another pack, so every pack is read. */
  policies(): PolicyCatalog {
    return this.#every().policies?.() ?? new PolicyCatalog();
  }
}

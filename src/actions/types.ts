import type { PolicyCatalog } from '../policies/catalog.ts';

/** A parameter's schema, st2's JSON-schema subset plus its own keywords. */
export interface ParameterSpec {
  type?: 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object' | 'null';
  description?: string;
  required?: boolean;
  default?: unknown;
  secret?: boolean;
  immutable?: boolean;
  position?: number;
  enum?: unknown[];
  items?: Record<string, unknown>;
  properties?: Record<string, unknown>;
  [keyword: string]: unknown;
}

/** A loaded, validated action: metadata merged with its runner's parameters. */
export interface ActionDefinition {
  /** `pack.name` */
  ref: string;
  name: string;
  pack: string;
  description: string;
  runner_type: string;
  enabled: boolean;
  /** As written in the metadata, relative to the pack's actions/ folder. */
  entry_point?: string;
  /** Absolute path of the entry point, when it has one. */
  entryPointPath?: string;
  /** Absolute path of the pack folder. */
  packPath: string;
  /** Absolute path of the metadata file it was loaded from. */
  metadataFile: string;
  /** Runner parameters merged with the action's (st2's override rules). */
  parameters: Record<string, ParameterSpec>;
  /** Extra metadata a runner may use (st2 keeps unknown keys too). */
  tags?: unknown[];
  /**
   * When the lease of a running execution expired (its runner died), re-run it instead of
   * marking it abandoned. Only for actions that are safe to run twice. @default false
   */
  retry_on_abandon?: boolean;
  /** Hand the function's own AWS credentials to the action's process (never done otherwise). @default false */
  aws_credentials?: boolean;
  /** st2's `output_schema`, kept as written (not enforced here). */
  output_schema?: Record<string, unknown>;
}

/**
 * An action (or a whole pack) the loader could not offer: its metadata is invalid, or it cannot run on
 * this platform. Everything else keeps working; this says why this one does not.
 */
export interface UnavailableAction {
  /** `pack.name` when known; the pack name alone for a problem of the whole pack. */
  ref: string;
  /** The file at fault (metadata file, pack.yaml, or pack folder). */
  file: string;
  /** The metadata field at fault, when one is. */
  field?: string;
  /** Why it cannot run ("invalid action metadata: <file> - field ...: ..."). */
  reason: string;
}

/** Looks actions up by ref. */
export interface ActionCatalog {
  /** A runnable (loaded) action; `undefined` when unknown or unavailable. */
  get(ref: string): ActionDefinition | undefined;
  list(): ActionDefinition[];
  /** Why `ref` is not offered, when the loader found it but could not load it. */
  unavailable?(ref: string): UnavailableAction | undefined;
  /** Every action and pack the loader could not offer, by ref. */
  listUnavailable?(): UnavailableAction[];
  /** The policies of every pack (`policies/*.yaml`); none when the catalog has no packs behind it. */
  policies?(): PolicyCatalog;
}

// Hand-written types for every entry of the `permslip` package ("permslip", "permslip/init").
// The generated wasm-bindgen glue is internal and not typed for users.

/** A handle that always denies; unknown names resolve to it. */
export declare const HANDLE_DENY: 4294967295;

/** What `init` accepts: where to fetch the .wasm, a response, the bytes or a compiled module. */
export type InitInput =
  | string
  | URL
  | Request
  | Response
  | Promise<Response>
  | ArrayBuffer
  | ArrayBufferView
  | WebAssembly.Module;

/**
 * Initialises asynchronously (browsers). Default: fetch `permslip_bg.wasm` next to the package's
 * glue (resolved from `import.meta.url`). A second call is a no-op. Rejects with
 * `PermslipError` code `init_failed`.
 */
export declare function init(input?: InitInput): Promise<void>;

/**
 * Initialises synchronously from a `WebAssembly.Module` (workers) or from the .wasm bytes
 * (Node; browsers refuse synchronous compilation of modules over 4 KB on the main thread).
 * A second call is a no-op. The Node and workerd entries call it at import.
 */
export declare function initSync(
  input:
    | { module: WebAssembly.Module | ArrayBuffer | ArrayBufferView }
    | WebAssembly.Module
    | ArrayBuffer
    | ArrayBufferView,
): void;

/** Whether the wasm module is initialised. */
export declare function isInitialized(): boolean;

// The codes and reasons are generated from Rust (facts.d.ts, tests/facts.rs).
import type { ErrorCode, LoadErrorCode, Reason } from "./facts.js";
export type { ErrorCode, LoadErrorCode, Reason };

/** A load, init or argument error, with a stable `code`. Messages may change; codes do not. */
export declare class PermslipError extends Error {
  constructor(code: ErrorCode, message: string, options?: ErrorOptions);
  readonly name: "PermslipError";
  readonly code: ErrorCode;
}

/** A JWKS document. */
export interface Jwks {
  keys: ReadonlyArray<Record<string, unknown>>;
}

/** A parsed, checked key set. Parse once and reuse: decoding Ed25519 keys costs. */
export declare class KeySet {
  private constructor();
  /** Throws `PermslipError` code `invalid_key_set`. */
  static parse(jwks: string | Jwks): KeySet;
  /** The ids of the Ed25519 keys, in document order. */
  readonly kids: string[];
}

/**
 * A verified catalogue bundle: a model's shared catalogue signed as its own token and named by
 * that model's slips (`catalogue_hash`). Load it once; pass it to every `Permslip.load`.
 */
export declare class Catalogue {
  private constructor();
  /** Verifies and compiles a bundle (`subject` and `minSerial` do not apply). */
  static load(token: string, options: LoadOptions): Catalogue;
  /** `load`, verifying with WebCrypto's Ed25519 where that is the platform's (see `Permslip.loadAsync`). */
  static loadAsync(token: string, options: LoadOptions): Promise<Catalogue>;
  /** The binding hash slips name in `catalogue_hash`. */
  readonly hash: string;
}

/** A clock for tests: milliseconds since the epoch, a Date, or a function returning either. */
export type Clock = number | Date | (() => number | Date);

export interface LoadOptions {
  /** The verifying keys: a `KeySet`, a JWKS object or its JSON text. */
  jwks: KeySet | Jwks | string;
  /** This application's audience; the token's `aud` must contain it. */
  audience: string;
  /** The expected `iss`. Default: any issuer the key set trusts. */
  issuer?: string;
  /** The expected `sub` (the signed-in user). Default: any subject. */
  subject?: string;
  /** Clock-skew allowance for `exp` and `nbf`, in seconds. Default: 60. */
  leeway?: number;
  /** The lowest `serial` accepted (the highest seen, to refuse replays). Default: 0. */
  minSerial?: number;
  /** The largest token accepted, in bytes. Default: 16384. */
  maxTokenBytes?: number;
  /** The clock, for tests. Default: `Date.now` (read coarsely, see the README). */
  now?: Clock;
  /**
   * The catalogue bundle, for snapshots whose slip names one (ignored by slips that carry
   * their catalogue inline). Without it such a snapshot fails with `missing_catalogue`.
   */
  catalogue?: Catalogue | null;
  /**
   * Which Ed25519 checks the signature's equation (the strict checks around it always run in
   * wasm, so every choice accepts exactly the same signatures). `"auto"` (default): WebCrypto's
   * in `loadAsync` in browsers, Deno and workers; on Node `node:crypto` for a key's first 128
   * verifications, then the module's own with the key's fixed-base table; otherwise the
   * module's own. `"wasm"`: always the module's own. `"platform"`: WebCrypto in `loadAsync`,
   * `node:crypto` on Node, or fail with `platform_unavailable`.
   */
  verifier?: "auto" | "wasm" | "platform";
}

/** Where a grant or level comes from. */
export type Source =
  | { kind: "role"; role: string; via: string }
  | { kind: "user" }
  | { kind: "team"; team: string }
  | { kind: "implied"; by: string }
  | { kind: "assignment"; resource: string; via: string }
  | { kind: "feature"; feature: string };

/** A structured answer to "why (not)?". */
export interface Explanation {
  allowed: boolean;
  reason: Reason;
  /** What was asked, e.g. `permission fax.send` or `edit on feature documents`. */
  query: string;
  /** Where the grant or level came from. */
  via: Source[];
  /** The level held, for level checks. */
  level?: string;
  /** The level needed, for level checks. */
  needed?: string;
  /** The product that is off, for `product_off`. */
  product?: string;
  /** Roles that would grant what is missing. */
  granted_by?: string[];
  /** One human sentence. */
  message: string;
}

export type ExplainQuery =
  | { permission: string; scope?: string | null }
  | { feature: string; action: string }
  | { resource: string; action: string };

export interface RoleAssignment {
  role: string;
  name: string;
  /** `direct`, `base` or `team:ID`. */
  via: string;
  admin: boolean;
}

export interface EffectivePermission {
  permission: string;
  /** The values it is limited to; `null` means every value. */
  scopes: string[] | null;
  via: Source[];
}

export interface FeatureLevel {
  feature: string;
  level: string;
  via: Source[];
}

export interface Profile {
  subject: string;
  name: string;
  roles: RoleAssignment[];
  teams: { id: string; name: string }[];
  manages: string[];
  permissions: EffectivePermission[];
  levels: FeatureLevel[];
}

/** What a navigation item needs to show. */
export type Requirement =
  | { permission: string; scope?: string | null }
  | { feature: string; level?: string | null };

/** A navigation item; any other fields (label, href, icon...) are kept. */
export interface NavItem {
  id?: string;
  requires?: Requirement | null;
  children?: readonly NavItem[] | null;
}

/** One user's verified permissions. */
export declare class Permslip {
  private constructor();

  /**
   * Verifies a snapshot token and compiles it, synchronously. Throws `PermslipError` with a
   * `LoadErrorCode` when the token cannot be trusted, `invalid_argument` for bad options,
   * `not_initialized` before init.
   */
  static load(token: string, options: LoadOptions): Permslip;

  /**
   * `load`, verifying the signature with the platform's Ed25519 where it is asynchronous
   * (WebCrypto in browsers, Deno and workers): faster than the module's own there. On Node it
   * verifies as `load` does (node:crypto is synchronous). Same checks, same answers, same
   * errors.
   */
  static loadAsync(token: string, options: LoadOptions): Promise<Permslip>;

  /** A checker that denies everything with `reason`: for when no snapshot could be loaded. */
  static denyAll(reason?: "invalid" | "expired"): Permslip;

  /** The user (`sub`). */
  readonly subject: string;
  /** The issuer (`iss`). */
  readonly issuer: string;
  /** When the snapshot expires (`exp`, without the leeway). */
  readonly expiresAt: Date;
  /** The issue counter. */
  readonly serial: number;
  /** Which Ed25519 verified the signature (`null` for a deny-all checker). */
  readonly verifiedBy: "node:crypto" | "webcrypto" | "wasm" | null;
  /** Whether the snapshot has expired (then every check denies with reason `expired`). */
  readonly expired: boolean;
  /** The level scale, lowest first. */
  readonly levels: string[];

  /** May the user do `permission` (for `scope` if given, for some value otherwise)? */
  can(permission: string, scope?: string | null): boolean;
  /** Resolves a permission to a numeric handle for `check`/`checkMany`. */
  handle(permission: string, scope?: string | null): number;
  /** Resolves "at least `level` (default: the lowest) on a feature" to a handle. */
  featureHandle(feature: string, level?: string | null): number;
  /** Resolves "at least `level` (default: the lowest) on a resource" to a handle. */
  resourceHandle(id: string, level?: string | null): number;
  /** Answers a handle. */
  check(handle: number): boolean;
  /** Answers many handles in one call: 1 allow, 0 deny. */
  checkMany(handles: Uint32Array): Uint8Array;

  /** The level held on a feature, or `null`. */
  featureLevel(feature: string): string | null;
  /** The level held on a resource, or `null` (none, or not visible). */
  resourceLevel(id: string): string | null;
  /** Whether the user sees a feature (holds at least its lowest level). */
  visible(feature: string): boolean;
  /** May the user do `action` on a feature? */
  canFeature(feature: string, action: string): boolean;
  /** May the user do `action` on a resource? */
  canResource(id: string, action: string): boolean;
  /** The feature's resources the user may do `action` on, in snapshot order. */
  list(feature: string, action: string): string[];

  /** Why (not)? */
  explain(query: ExplainQuery): Explanation;
  /** Roles, teams, effective permissions and levels, with provenance. */
  profile(): Profile;
  /** Effective permissions with provenance (`profile().permissions`). */
  permissions(): EffectivePermission[];

  /** The visible part of a navigation tree, in one call into wasm. */
  filterMenu<T extends NavItem>(tree: readonly T[]): T[];

  /** Releases the wasm memory now; the checker then throws `freed`. */
  free(): void;
}

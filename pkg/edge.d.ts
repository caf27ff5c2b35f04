// Hand-written types for `permslip/edge`: a request gate for edge workers. See docs/EDGE.md.

import type { Catalogue, Clock, Explanation, Jwks, KeySet } from "./index.js";
import type * as FullEntry from "./index.js";
import type * as LiteEntry from "./lite.js";

/** The full engine: the module namespace of `permslip` (the default engine). */
export type FullEngine = typeof FullEntry;
/** The lite engine: the module namespace of `permslip/lite` (`import * as lite from "permslip/lite"`). */
export type LiteEngine = typeof LiteEntry;

/** What a route needs. A value starting with `:` in `scope` or `resource` names a path parameter. */
export type RouteRequirement =
  /** No snapshot needed; the request is forwarded without a subject. */
  | { public: true }
  /** Any valid snapshot. */
  | { authenticated: true }
  /** `can(permission, scope?)`. */
  | { permission: string; scope?: string | null }
  /** At least `level` on a feature. Default: the lowest level of the snapshot's scale. */
  | { feature: string; level?: string | null }
  /** `canFeature(feature, action)`. */
  | { feature: string; action: string }
  /** `canResource(resource, action)`; `resource` is usually a parameter such as `":id"`. */
  | { resource: string; action: string };

/** One route: a method (or several, or `*`) and a path pattern. */
export interface Route {
  /** `GET`, `["GET", "POST"]` or `*` (any). No implicit `HEAD` for `GET`. */
  method: string | readonly string[];
  /**
   * Segments separated by `/`: literals, `:name` parameters (one whole segment each) and an
   * optional last `*` (zero or more segments). The most specific route wins, whatever the order.
   */
  path: string;
  requires: RouteRequirement;
  /** Ignored; for people. */
  description?: string;
}

/** A route table as data (JSON). */
export interface RouteTable {
  routes: readonly Route[];
  /** What a request that matches no route needs. Default: `"deny"` (403, reason `no_route`). */
  fallback?: "deny" | RouteRequirement;
  /** Ignored; for people. */
  description?: string;
}

declare const compiled: unique symbol;

/** A validated, compiled route table (`compileRoutes`); opaque. */
export interface CompiledRoutes {
  readonly [compiled]: true;
}

/** The route table is invalid; `errors` lists every problem. */
export declare class RouteTableError extends Error {
  readonly name: "RouteTableError";
  readonly code: "invalid_route_table";
  readonly errors: string[];
}

/**
 * Validates and compiles a route table given as JSON text, an object or an array of routes.
 * Throws `RouteTableError`. Call it at module top level so a bad table stops the worker loading.
 */
export declare function compileRoutes(table: RouteTable | readonly Route[] | string | CompiledRoutes): CompiledRoutes;

export interface GateOptions {
  /** The route table (validated at once). */
  routes: RouteTable | readonly Route[] | string | CompiledRoutes;
  /** The verifying keys: a `KeySet`, a JWKS object or its JSON text (parsed once). */
  jwks: KeySet | Jwks | string;
  /** This application's audience; a snapshot's `aud` must contain it. */
  audience: string;
  /** The expected `iss`. Default: any issuer the key set trusts. */
  issuer?: string;
  /**
   * The catalogue bundle for snapshots that name one (`catalogue_hash`): a verified
   * `Catalogue`, or the bundle token, verified once when the gate is created. Default: none
   * (only snapshots with an inline catalogue load).
   */
  catalogue?: Catalogue | string;
  /** Clock-skew allowance for `exp` and `nbf`, in seconds. Default: 60. */
  leeway?: number;
  /** The largest token accepted, in bytes. Default: 16384. */
  maxTokenBytes?: number;
  /** The cookie to read when there is no `Authorization: Bearer` header; `null`: none. Default: `"permslip"`. */
  cookie?: string | null;
  /** Verified snapshots kept per gate (least recently used evicted); 0 disables. Default: 256. */
  cacheSize?: number;
  /** Put permslip's explanation in 403 bodies. Default: true. */
  explain?: boolean;
  /** The clock, for tests. Default: `Date.now`, read once per request. */
  now?: Clock;
  /**
   * The engine that verifies and checks snapshots. Default: the full one (`permslip`). For
   * issuer-compiled lite snapshots use {@link LiteGateOptions} (`engine: lite`).
   */
  engine?: FullEngine;
}

/**
 * Options of a gate on the lite engine (`permslip/lite`), for issuer-compiled lite snapshots:
 * as {@link GateOptions}, with lite's key sets and no `catalogue` (lite snapshots carry none).
 * lite's module must be initialised: on Node it compiles itself; on workerd call lite's
 * `init(module)` first.
 */
export interface LiteGateOptions extends Omit<GateOptions, "jwks" | "catalogue" | "engine"> {
  /** The module namespace of `permslip/lite`. */
  engine: LiteEngine;
  /** The verifying keys: a `KeySet` of `permslip/lite`, a JWKS object or its JSON text (parsed once). */
  jwks: LiteEntry.KeySet | LiteEntry.Jwks | string;
  /** Refused (`TypeError`): lite snapshots carry no catalogue. */
  catalogue?: undefined;
}

/** A decision as JSON: what the route required, after path parameters were substituted. */
export type ResolvedRequirement =
  | { authenticated: true }
  | { permission: string; scope?: string }
  | { feature: string; level?: string }
  | { feature: string; action: string }
  | { resource: string; action: string };

/** An explanation of a `{ feature, level }` denial (permslip explains actions, not levels). */
export interface LevelExplanation {
  allowed: false;
  reason: "level_too_low" | "unknown_level" | "unknown_feature";
  query: string;
  via: [];
  level?: string;
  needed: string;
  message: string;
}

/** An allowed request: forward `request` (it carries the gate's `X-Permslip-*` headers). */
export interface GateAllowed {
  allowed: true;
  status: 200;
  request: Request;
  /** The verified `sub`; `null` on a public route. */
  subject: string | null;
  decision: "allow" | "public";
  /** The matched route (`"GET /api/fax/:id"`), or `null` when the fallback decided. */
  route: string | null;
  /** Whether the snapshot came from the cache of verified tokens. */
  cached: boolean;
}

/** A refused request: send `response` instead (never forward). */
export interface GateRefused {
  allowed: false;
  status: 400 | 401 | 403 | 500;
  response: Response;
  subject: string | null;
  decision: "deny" | "unauthenticated" | "bad_request" | "gate_error";
  /** 401: `missing`, `invalid` or `expired`; 403: the explanation's reason (`no_route` when nothing matched). */
  reason: string;
  /** 401: the `PermslipError` code (`bad_signature`, `expired`, ...), `ambiguous` or `null` (missing). */
  code?: string | null;
  route: string | null;
  cached: boolean;
}

export type GateResult = GateAllowed | GateRefused;

/**
 * 403 body. On the lite engine the explanation is lite's (no `via`, `granted_by`):
 * `ForbiddenBody<LiteExplanation>`.
 */
export interface ForbiddenBody<E = Explanation> {
  error: "forbidden";
  subject: string;
  route: string | null;
  requirement: ResolvedRequirement | null;
  explanation?: E | LevelExplanation;
}

/** An explanation from the lite engine: the full one's without provenance (`via`, `granted_by`). */
export type LiteExplanation = LiteEntry.Explanation;

/** 401 body. */
export interface UnauthenticatedBody {
  error: "unauthenticated";
  reason: "missing" | "invalid" | "expired";
  code: string | null;
  message: string;
}

export interface GateStats {
  hits: number;
  misses: number;
  evictions: number;
  /** Cached snapshots found expired (and dropped) on a hit. */
  expired: number;
  size: number;
  capacity: number;
}

export interface Gate {
  /** Decides synchronously; verifies the snapshot unless this exact token is cached. */
  authorize(request: Request): GateResult;
  /**
   * `authorize`, verifying an uncached snapshot with `Permslip.loadAsync` (the platform's
   * Ed25519: WebCrypto in workers). Same decisions.
   */
  authorizeAsync(request: Request): Promise<GateResult>;
  /** `authorize`, then `forward(request)` when allowed, else the gate's response. */
  handle(request: Request, forward: (request: Request) => Response | Promise<Response>): Promise<Response>;
  /** Frees every cached snapshot (for example after the key set changed). */
  clear(): void;
  readonly stats: GateStats;
  readonly routes: CompiledRoutes;
}

/**
 * Creates a gate. Throws `RouteTableError`, `PermslipError` (key set, catalogue bundle, wasm not
 * initialised: import `permslip` first) or `TypeError` (options). With `engine: lite`
 * (`permslip/lite`), lite's `PermslipError` for a key set, and `TypeError` for a `catalogue`.
 */
export declare function createGate(options: GateOptions | LiteGateOptions): Gate;

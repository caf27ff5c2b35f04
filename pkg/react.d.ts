// Hand-written types for `permslip/react`. `react` is an optional peer dependency.

import type { ReactNode } from "react";
import type { Explanation, NavItem, Permslip } from "./index.js";
import type { PermslipSession, SessionState } from "./session.js";

/** A question for the current user. */
export type Query =
  | { permission: string; scope?: string | null }
  | { feature: string; action: string }
  | { feature: string; level?: string | null }
  | { resource: string; action: string }
  | { resource: string; level?: string | null };

/** What the provider holds: the session's state, or a fixed checker's. */
export interface PermslipState extends SessionState {
  /** The session, when the provider was given one. */
  readonly session: PermslipSession | null;
}

export type PermslipProviderProps =
  | { session: PermslipSession; checker?: undefined; children?: ReactNode }
  | { checker: Permslip; session?: undefined; children?: ReactNode };

/**
 * Provides the current checker to its subtree: a session (re-renders when it swaps checkers)
 * or a fixed checker. Throws `PermslipError` `invalid_argument` unless exactly one is given.
 */
export declare function PermslipProvider(props: PermslipProviderProps): ReactNode;

/** The current checker; a deny-all one (reason `invalid`) outside a provider. */
export declare function usePermslip(): Permslip;

/** The provider's state: status, checker, last error, expiry. */
export declare function usePermslipState(): PermslipState;

/** May the current user do this? `useCan("fax.send")`, `useCan("fax.send_from", "+15550100")`. */
export declare function useCan(permission: string, scope?: string | null): boolean;
export declare function useCan(query: Query): boolean;

/** Why (not)? Level queries get a short explanation built by the bindings. */
export declare function useExplain(permission: string, scope?: string | null): Explanation;
export declare function useExplain(query: Query): Explanation;

/** The visible part of a navigation tree; recomputed when the checker changes. */
export declare function useMenu<T extends NavItem>(tree: readonly T[]): T[];

export type CanProps = {
  /** Rendered when the query holds. */
  children?: ReactNode | (() => ReactNode);
  /** Rendered otherwise; a function receives the explanation. Default: nothing. */
  fallback?: ReactNode | ((why: Explanation) => ReactNode);
} & (
  | { permission: string; scope?: string | null; feature?: undefined; resource?: undefined; action?: undefined; level?: undefined }
  | { feature: string; action?: string; level?: string | null; permission?: undefined; scope?: undefined; resource?: undefined }
  | { resource: string; action?: string; level?: string | null; permission?: undefined; scope?: undefined; feature?: undefined }
);

/** `children` when the query holds, `fallback` (or its result for the explanation) otherwise. */
export declare function Can(props: CanProps): ReactNode;

/** Answers a query against any checker, outside React. */
export declare function decide(checker: Permslip, query: string | Query, scope?: string | null): boolean;

/** Explains a query against any checker, outside React. */
export declare function explainQuery(checker: Permslip, query: string | Query, scope?: string | null): Explanation;

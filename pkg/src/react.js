// `permslip/react`: React bindings. A provider holds the current checker (a fixed `Permslip`
// or a `permslip/session` that refreshes it); hooks and `<Can>` read it. Written without JSX so
// the package needs no build step; `react` is an optional peer dependency.
//
// Everything fails closed: outside a provider, while loading, after expiry or on a refused
// snapshot, the checker is a deny-all one and every query answers false.

import {
  createContext,
  createElement,
  Fragment,
  useContext,
  useMemo,
  useSyncExternalStore,
} from "react";
import { Permslip, PermslipError } from "./core.js";

let denyInvalid = null;
function fallbackState() {
  if (denyInvalid === null) {
    denyInvalid = Object.freeze({
      status: "loading",
      checker: Permslip.denyAll("invalid"),
      error: null,
      expiresAt: null,
      refreshAt: null,
      session: null,
    });
  }
  return denyInvalid;
}

const PermslipContext = createContext(null);
PermslipContext.displayName = "Permslip";

const noSubscribe = () => () => {};

/**
 * Provides the current checker to its subtree. Give either `session` (from
 * `permslip/session`: re-renders the subtree when it swaps checkers) or `checker` (a fixed
 * `Permslip`).
 */
export function PermslipProvider({ session, checker, children }) {
  const hasSession = session !== undefined && session !== null;
  const hasChecker = checker !== undefined && checker !== null;
  if (hasSession === hasChecker) {
    throw new PermslipError("invalid_argument", "PermslipProvider needs exactly one of `session` or `checker`");
  }
  // Always call the hook (rules of hooks); a fixed checker never changes between renders.
  const state = useSyncExternalStore(
    hasSession ? session.subscribe : noSubscribe,
    hasSession ? session.getState : () => checker,
    hasSession ? session.getState : () => checker,
  );
  const value = useMemo(() => {
    if (hasSession) return Object.freeze({ ...state, session });
    return Object.freeze({
      status: checker.expired ? "expired" : "ready",
      checker,
      error: null,
      expiresAt: checker.expiresAt,
      refreshAt: null,
      session: null,
    });
  }, [hasSession, state, session, checker]);
  return createElement(PermslipContext.Provider, { value }, children);
}

/** The current checker (a deny-all one outside a provider). */
export function usePermslip() {
  return (useContext(PermslipContext) ?? fallbackState()).checker;
}

/** `{ status, checker, error, expiresAt, refreshAt, session }` of the nearest provider. */
export function usePermslipState() {
  return useContext(PermslipContext) ?? fallbackState();
}

// A query is a permission name (with an optional scope as second argument) or an object:
// { permission, scope? } | { feature, action } | { feature, level? } | { resource, action } |
// { resource, level? }.
function normalize(query, scope) {
  if (typeof query === "string") return { permission: query, scope: scope ?? undefined };
  if (query === null || typeof query !== "object") {
    throw new PermslipError(
      "invalid_argument",
      "a permslip query is a permission name or { permission, scope? }, { feature, action | level? } or { resource, action | level? }",
    );
  }
  return query;
}

/** Answers a query against a checker (exported for code outside React). */
export function decide(checker, query, scope) {
  const q = normalize(query, scope);
  if (q.permission !== undefined) return checker.can(q.permission, q.scope ?? null);
  if (q.feature !== undefined) {
    if (q.action !== undefined) return checker.canFeature(q.feature, q.action);
    return checker.check(checker.featureHandle(q.feature, q.level ?? null));
  }
  if (q.resource !== undefined) {
    if (q.action !== undefined) return checker.canResource(q.resource, q.action);
    return checker.check(checker.resourceHandle(q.resource, q.level ?? null));
  }
  throw new PermslipError("invalid_argument", "a permslip query needs `permission`, `feature` or `resource`");
}

/**
 * Explains a query. Level queries (`{ feature, level }`, `{ resource, level }`) have no
 * engine explanation (the engine explains actions): they get a short one built here.
 */
export function explainQuery(checker, query, scope) {
  const q = normalize(query, scope);
  if (q.permission !== undefined) return checker.explain({ permission: q.permission, scope: q.scope ?? null });
  if (q.action !== undefined) {
    return q.feature !== undefined
      ? checker.explain({ feature: q.feature, action: q.action })
      : checker.explain({ resource: q.resource, action: q.action });
  }
  const target = q.feature ?? q.resource;
  const allowed = decide(checker, q);
  if (!allowed && checker.expired) {
    // A snapshot that expired, or none: the checker words it (reason `expired` or `invalid`)
    // whatever the query, so ask it any.
    return { ...checker.explain({ permission: "" }), query: `level on ${target}` };
  }
  const needed = q.level ?? checker.levels[0] ?? null;
  const level = q.feature !== undefined ? checker.featureLevel(target) : checker.resourceLevel(target);
  return {
    allowed,
    reason: allowed ? "granted" : "level_too_low",
    query: `${needed ?? "any level"} on ${target}`,
    via: [],
    level: level ?? undefined,
    needed: needed ?? undefined,
    message: allowed ? `${needed} or higher on ${target}` : `${needed} needed on ${target}`,
  };
}

// Queries are usually literals written inline, so memoise on their content, not identity.
function queryKey(query, scope) {
  if (typeof query === "string") return `p\u0000${query}\u0000${scope ?? ""}`;
  if (query === null || typeof query !== "object") return "\u0001";
  const { permission, scope: s, feature, resource, action, level } = query;
  return [permission, s, feature, resource, action, level].map((v) => v ?? "\u0002").join("\u0000");
}

/**
 * May the current user do this? `useCan("fax.send")`, `useCan("fax.send_from", "+15550100")`,
 * `useCan({ feature: "competencies", action: "edit" })`, `useCan({ resource: id, level: "reader" })`.
 */
export function useCan(query, scope) {
  const checker = usePermslip();
  const key = queryKey(query, scope);
  // eslint-disable-next-line react-hooks/exhaustive-deps -- `key` stands for the query
  return useMemo(() => decide(checker, query, scope), [checker, key]);
}

/** Why (not)? The explanation of a query for the current user. */
export function useExplain(query, scope) {
  const checker = usePermslip();
  const key = queryKey(query, scope);
  // eslint-disable-next-line react-hooks/exhaustive-deps -- `key` stands for the query
  return useMemo(() => explainQuery(checker, query, scope), [checker, key]);
}

/** The visible part of a navigation tree (`checker.filterMenu`), recomputed on a new checker. */
export function useMenu(tree) {
  const checker = usePermslip();
  return useMemo(() => checker.filterMenu(tree), [checker, tree]);
}

/**
 * Renders `children` when the query holds, `fallback` otherwise. `fallback` may be a function
 * of the explanation, so a hidden or disabled item can say why:
 *
 *   <Can permission="fax.send" fallback={(why) => <Disabled title={why.message} />}>...</Can>
 *
 * Props: `permission` + `scope`, or `feature` / `resource` + `action` or `level`.
 */
export function Can({ permission, scope, feature, resource, action, level, fallback = null, children = null }) {
  const checker = usePermslip();
  const query = { permission, scope, feature, resource, action, level };
  const key = queryKey(query);
  // eslint-disable-next-line react-hooks/exhaustive-deps -- `key` stands for the query
  const allowed = useMemo(() => decide(checker, query), [checker, key]);
  if (allowed) return createElement(Fragment, null, typeof children === "function" ? children() : children);
  if (typeof fallback === "function") return createElement(Fragment, null, fallback(explainQuery(checker, query)));
  return createElement(Fragment, null, fallback);
}

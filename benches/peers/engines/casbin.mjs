// casbin: RBAC with two role hierarchies and resource roles, one enforcer per user.
// - `g`: user → role, user → team, team → role (roles held through teams).
// - `g2`: permission hierarchy. `g2, numbers.access, numbers.manage` reads "holding
//   numbers.manage grants numbers.access" (implication); every non-explicit permission is a
//   member of its wildcards (`fax.*`) and of `*` (Administrator). Explicit-only permissions
//   belong to no group, so only a policy naming them grants them.
// - `g3`: what a deny policy covers: a permission itself (revocation removes only that
//   permission) and its product (`product:connect`) for a product toggled off.
// - Scope values are the policy's third field, `*` for an unscoped grant; a request with an
//   empty scope asks "for some value" and matches any grant.

import {
  newEnforcer,
  newModelFromString,
  StringAdapter,
} from "casbin";
import { model, roles, teams, userView, grant, expandWildcard, wildcards, filterTree } from "../lib/amplify.mjs";
import { versionOf } from "../lib/work.mjs";

export const name = "casbin";
export const pkgName = "casbin";
export const version = versionOf(pkgName);
/** Whether `build` verifies a signature on the payload. */
export const signsPayload = false;

export const MODEL = `
[request_definition]
r = sub, perm, scope

[policy_definition]
p = sub, perm, scope, eft

[role_definition]
g = _, _
g2 = _, _
g3 = _, _

[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))

[matchers]
m = g(r.sub, p.sub) && (p.eft == "allow" && g2(r.perm, p.perm) || p.eft == "deny" && g3(r.perm, p.perm)) && (p.scope == "*" || r.scope == "" || r.scope == p.scope)
`;

/**
 * The application's static configuration: the policy lines every user's enforcer gets (role
 * grants, team roles, the permission hierarchy).
 */
export function prepare() {
  const lines = [];
  for (const p of model.permissions) {
    for (const q of p.implies ?? []) lines.push(`g2, ${q}, ${p.id}`);
    if (p.product) lines.push(`g3, ${p.id}, product:${p.product}`);
  }
  for (const w of [...wildcards, "*"]) for (const q of expandWildcard(w)) lines.push(`g2, ${q}, ${w}`);
  for (const role of roles.values()) {
    if (role.admin) lines.push(`p, role:${role.id}, *, *, allow`);
    for (const g of (role.grants ?? []).map(grant)) lines.push(...policy(`role:${role.id}`, g));
  }
  for (const t of teams.values()) for (const r of t.roles ?? []) lines.push(`g, team:${t.id}, role:${r}`);
  return { shared: lines.join("\n") };
}

let shared = null;

export async function init(config) {
  shared = config.shared;
}

function policy(sub, g) {
  return g.scope === null
    ? [`p, ${sub}, ${g.permission}, *, allow`]
    : g.scope.map((s) => `p, ${sub}, ${g.permission}, ${s}, allow`);
}

/** What a server sends for one user: their id and own policy lines (`g` and `p`). */
export function payload(user) {
  const u = userView(user);
  const lines = [];
  for (const r of u.directRoles) lines.push(`g, ${user}, role:${r}`);
  for (const t of u.teams) lines.push(`g, ${user}, team:${t}`);
  for (const g of u.grants) lines.push(...policy(user, g));
  for (const p of u.revokes) lines.push(`p, ${user}, ${p}, *, deny`);
  for (const p of u.productsOff) lines.push(`p, ${user}, product:${p}, *, deny`);
  return JSON.stringify({ user, policies: lines.join("\n") });
}

// casbin loads policies asynchronously (`newEnforcer` returns a promise).
export async function build(payload) {
  const { user, policies } = JSON.parse(payload);
  const e = await newEnforcer(newModelFromString(MODEL), new StringAdapter(`${shared}\n${policies}`));
  return { e, user };
}

export function can(ctx, permission, scope) {
  return ctx.e.enforceSync(ctx.user, permission, scope ?? "");
}

export function menu(ctx, tree) {
  return filterTree(tree, (req) => ctx.e.enforceSync(ctx.user, req.permission, req.scope ?? ""));
}

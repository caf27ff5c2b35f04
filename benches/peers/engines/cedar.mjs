// Cedar (@cedar-policy/cedar-wasm, web build): a schema, a policy set per user, and the user's
// entities.
// - Roles and teams are entity parents: User ∈ Role, User ∈ Team, Team ∈ Role, so
//   `principal in Role::"member"` covers a role held through a team.
// - Permissions are actions. Action groups carry implication (`numbers.access` ∈
//   `numbers.manage`), wildcards (`fax.send` ∈ `fax.*`), Administrator (every non-explicit
//   permission ∈ `*`) and products (`fax.send` ∈ `product:fax`). Explicit-only permissions are
//   in no group, so only a policy naming them grants them.
// - Scope values are resources (`FaxNumber::"+15550100"`); a check with no value asks about
//   `App::"amplify"`, which every grant of the permission covers ("for some value").
// - Revocations and products toggled off are `forbid` policies (forbid overrides permit).
// The schema and policy set are parsed once (`preparseSchema`, `preparsePolicySet`); each check
// is one `statefulIsAuthorized` call with the user's entities, as Cedar takes them per request.

import { readFileSync } from "node:fs";
import { initSync, preparseSchema, preparsePolicySet, statefulIsAuthorized } from "@cedar-policy/cedar-wasm/web";
import { model, permissions, roles, teams, userView, grant, wildcards, expandWildcard, filterTree } from "../lib/amplify.mjs";
import { versionOf, modulePath } from "../lib/work.mjs";

export const name = "Cedar";
export const pkgName = "@cedar-policy/cedar-wasm";
export const version = versionOf(pkgName);
/** Whether `build` verifies a signature on the payload. */
export const signsPayload = false;
export const wasmPath = modulePath("@cedar-policy/cedar-wasm/web/cedar_wasm_bg.wasm");

const SCHEMA = "amplify";
const APP = { type: "App", id: "amplify" };
const scopeType = (kind) => kind.replace(/(^|_)([a-z])/g, (_, __, c) => c.toUpperCase());
const str = (s) => JSON.stringify(s);

export function schema() {
  const scopeKinds = [...new Set(model.permissions.map((p) => p.scope).filter(Boolean))];
  const entityTypes = {
    User: { memberOfTypes: ["Role", "Team"] },
    Team: { memberOfTypes: ["Role"] },
    Role: {},
    App: {},
  };
  for (const k of scopeKinds) entityTypes[scopeType(k)] = {};
  const actions = {};
  const memberOf = new Map(model.permissions.map((p) => [p.id, []]));
  for (const p of model.permissions) {
    for (const q of p.implies ?? []) memberOf.get(q).push({ id: p.id });
    if (p.product) memberOf.get(p.id).push({ id: `product:${p.product}` });
  }
  for (const w of [...wildcards, "*"]) {
    actions[w] = {};
    for (const q of expandWildcard(w)) memberOf.get(q).push({ id: w });
  }
  for (const prod of model.products) actions[`product:${prod.id}`] = {};
  for (const p of model.permissions) {
    actions[p.id] = {
      appliesTo: { principalTypes: ["User"], resourceTypes: p.scope ? ["App", scopeType(p.scope)] : ["App"] },
      memberOf: memberOf.get(p.id),
    };
  }
  return { "": { entityTypes, actions } };
}

/** The application's static configuration: the schema and the role policies. */
export function prepare() {
  const out = [];
  for (const role of roles.values()) {
    const who = `principal in Role::${str(role.id)}`;
    if (role.admin) out.push(`permit (${who}, action in Action::"*", resource);`);
    for (const g of (role.grants ?? []).map(grant)) out.push(permit(who, g));
  }
  return { schema: schema(), policies: out.join("\n") };
}

let shared = null; // role policies, the same for every user

/** Module init (compile + instantiate the .wasm), then parse the schema once. */
export async function init(config, bytes = readFileSync(wasmPath)) {
  initSync({ module: await WebAssembly.compile(bytes) });
  const answer = preparseSchema(SCHEMA, config.schema);
  if (answer.type !== "success") throw new Error(`cedar schema: ${JSON.stringify(answer.errors)}`);
  shared = config.policies;
}

function permit(who, g) {
  const head = `permit (${who}, action in Action::${str(g.permission)}, resource)`;
  if (g.scope === null) return `${head};`;
  const type = scopeType(permissions.get(g.permission).scope);
  const values = g.scope.map((v) => `${type}::${str(v)}`).join(", ");
  return `${head} when { resource is App || resource in [${values}] };`;
}

/** What a server sends for one user: their own policies and their entities. */
export function payload(user) {
  const u = userView(user);
  const who = `principal == User::${str(user)}`;
  const policies = [];
  for (const g of u.grants) policies.push(permit(who, g));
  for (const p of u.revokes) policies.push(`forbid (${who}, action == Action::${str(p)}, resource);`);
  for (const p of u.productsOff) policies.push(`forbid (${who}, action in Action::"product:${p}", resource);`);
  const entities = [
    {
      uid: { type: "User", id: user },
      attrs: {},
      parents: [...u.directRoles.map((id) => ({ type: "Role", id })), ...u.teams.map((id) => ({ type: "Team", id }))],
    },
    ...u.teams.map((t) => ({
      uid: { type: "Team", id: t },
      attrs: {},
      parents: (teams.get(t).roles ?? []).map((id) => ({ type: "Role", id })),
    })),
  ];
  return JSON.stringify({ user, policies: policies.join("\n"), entities });
}

/**
 * Parse the user's policy set (role policies and their own) once into Cedar's cache, under the
 * user's id (a reload replaces it); keep their entities.
 */
export function build(payload) {
  const { user, policies, entities } = JSON.parse(payload);
  const id = `user:${user}`;
  const answer = preparsePolicySet(id, { staticPolicies: `${shared}\n${policies}` });
  if (answer.type !== "success") throw new Error(`cedar policies: ${JSON.stringify(answer.errors)}`);
  return { id, principal: { type: "User", id: user }, entities, prepared: new Map() };
}

function decide(ctx, permission, resource) {
  const answer = statefulIsAuthorized({
    principal: ctx.principal,
    action: { type: "Action", id: permission },
    resource,
    context: {},
    preparsedSchemaName: SCHEMA,
    preparsedPolicySetId: ctx.id,
    entities: ctx.entities,
  });
  // A request the schema rejects (an unknown permission) is a failure: no decision, so deny.
  return answer.type === "success" && answer.response.decision === "allow";
}

// Permission → the entity type of its scope values, looked up per check. (Computing it with a
// regex replace per check also tripped a V8 deoptimizer crash in Node 20 under mitata.)
const scopeTypes = new Map(model.permissions.filter((p) => p.scope).map((p) => [p.id, scopeType(p.scope)]));

function resourceOf(permission, scope) {
  if (scope == null) return APP;
  const type = scopeTypes.get(permission);
  return type === undefined ? APP : { type, id: scope };
}

export function can(ctx, permission, scope) {
  return decide(ctx, permission, resourceOf(permission, scope));
}

export function menu(ctx, tree) {
  return filterTree(tree, (req) => {
    let r = ctx.prepared.get(req);
    if (r === undefined) ctx.prepared.set(req, (r = resourceOf(req.permission, req.scope)));
    return decide(ctx, req.permission, r);
  });
}

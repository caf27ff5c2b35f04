// CASL (@casl/ability): one Ability per user, built with AbilityBuilder from the user's roles
// (direct and through teams) and own grants. Idioms used:
// - action aliases (createAliasResolver) for implication (`numbers.manage` includes
//   `numbers.access`) and for wildcards (`fax.*`, and `*` for Administrator): explicit-only
//   permissions are in no alias, so neither Administrator nor a wildcard grants them;
// - scope values as conditions on the subject (`{ value: { $in: [...] } }`); a check on the
//   subject *type* ("may do this for some value") is true when any rule exists, which is
//   exactly permslip's unscoped check;
// - products toggled off and revocations as `cannot` rules (inverted rules win over earlier ones).

import { AbilityBuilder, createMongoAbility, createAliasResolver, subject } from "@casl/ability";
import { model, roles, userView, grant, expandWildcard, wildcards, productPermissions, filterTree } from "../lib/amplify.mjs";
import { versionOf } from "../lib/work.mjs";

export const name = "CASL";
export const pkgName = "@casl/ability";
export const version = versionOf(pkgName);
/** Whether `build` verifies a signature on the payload. */
export const signsPayload = false;

const SUBJECT = "Scope";
let resolveAction = null;

/** The application's static configuration: action aliases from the catalogue. */
export function prepare() {
  const aliases = {};
  for (const p of model.permissions) if (p.implies?.length) aliases[p.id] = p.implies;
  for (const w of [...wildcards, "*"]) aliases[w] = expandWildcard(w);
  return { aliases };
}

export async function init({ aliases }) {
  // CASL's cycle check rejects diamonds (`fax.*` reaches `fax.defaults.use` directly and through
  // `fax.defaults.edit`), which are no cycle; the catalogue is acyclic (permslip checks it), so
  // the check is skipped. (`skipValidate: false` is how CASL's code spells "skip".)
  resolveAction = createAliasResolver(aliases, { anyAction: "manage", skipValidate: false });
}

/** What a server sends the browser: the user's rules (`ability.rules` is plain JSON). */
export function payload(user) {
  const u = userView(user);
  const { can, cannot, rules } = new AbilityBuilder(createMongoAbility);
  const give = (g) => {
    if (g.scope === null) can(g.permission, SUBJECT);
    else can(g.permission, SUBJECT, { value: { $in: g.scope } });
  };
  for (const r of u.roles) {
    const role = roles.get(r);
    if (role.admin) can("*", SUBJECT);
    for (const g of role.grants ?? []) give(grant(g));
  }
  for (const g of u.grants) give(g);
  for (const p of u.productsOff) cannot(productPermissions.get(p), SUBJECT);
  for (const p of u.revokes) cannot(p, SUBJECT);
  return JSON.stringify(rules);
}

export function build(payload) {
  return { ability: createMongoAbility(JSON.parse(payload), { resolveAction }), prepared: new Map() };
}

export function can(ctx, permission, scope) {
  return scope == null
    ? ctx.ability.can(permission, SUBJECT)
    : ctx.ability.can(permission, subject(SUBJECT, { value: scope }));
}

// A menu item's subject is made once and reused, as an app would keep it with the item.
function prepared(ctx, req) {
  let s = ctx.prepared.get(req);
  if (s === undefined) {
    s = req.scope == null ? SUBJECT : subject(SUBJECT, { value: req.scope });
    ctx.prepared.set(req, s);
  }
  return s;
}

export function menu(ctx, tree) {
  return filterTree(tree, (req) => ctx.ability.can(req.permission, prepared(ctx, req)));
}

// The Amplify example (examples/amplify) as plain data every engine's encoding starts from, the
// 40-item menu, and the expected answers (tests/vectors/decisions.json, worked out by hand).
//
// The peers get what an application would hand them: the role table, the permission catalogue,
// and one user's directory entry. Each engine then encodes it its own idiomatic way.

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const json = (p) => JSON.parse(readFileSync(ROOT + p, "utf8"));

export const model = json("examples/amplify/model.json");
export const directory = json("examples/amplify/directory.json");
const decisions = json("tests/vectors/decisions.json").cases.filter((c) => c.example === "amplify");

export const MENU_LEAVES = 40;

/** Catalogue entries by id. */
export const permissions = new Map(model.permissions.map((p) => [p.id, p]));
/** Products switched on for the account. */
export const accountProducts = new Map(model.products.map((p) => [p.id, p.enabled !== false]));
export const roles = new Map(model.roles.map((r) => [r.id, r]));
export const teams = new Map(directory.teams.map((t) => [t.id, t]));
export const users = directory.users.map((u) => u.id);

/** A grant as `{ permission, scope: string[] | null }` (null: unscoped). */
export function grant(g) {
  return typeof g === "string" ? { permission: g, scope: null } : { permission: g.permission, scope: g.scope ?? null };
}

/** Permissions a wildcard grant (`*`, `fax.*`) covers: never the explicit-only ones. */
export function expandWildcard(pattern) {
  const prefix = pattern === "*" ? "" : pattern.slice(0, -1);
  return model.permissions.filter((p) => !p.explicit && p.id.startsWith(prefix)).map((p) => p.id);
}

export const isWildcard = (id) => id === "*" || id.endsWith(".*");

/** Every wildcard pattern used by a role or user grant. */
export const wildcards = [
  ...new Set(
    [...model.roles.flatMap((r) => r.grants ?? []), ...directory.users.flatMap((u) => u.grants ?? [])]
      .map((g) => grant(g).permission)
      .filter(isWildcard),
  ),
];

/** Product id → permissions of that product. */
export const productPermissions = new Map(model.products.map((p) => [p.id, []]));
for (const p of model.permissions) if (p.product) productPermissions.get(p.product).push(p.id);

/**
 * One user's directory entry, with team roles looked up (as the application's user service would
 * return it): roles through every channel, own grants and revokes, products that are off.
 */
export function userView(id) {
  const u = directory.users.find((x) => x.id === id);
  if (!u) throw new Error(`no user ${id}`);
  const viaTeams = (u.teams ?? []).flatMap((t) => teams.get(t).roles ?? []);
  const productsOff = model.products
    .map((p) => p.id)
    .filter((p) => accountProducts.get(p) === false || (u.products ?? {})[p] === false);
  return {
    id,
    directRoles: u.roles ?? [],
    teams: u.teams ?? [],
    roles: [...new Set([...(u.roles ?? []), ...viaTeams])],
    grants: (u.grants ?? []).map(grant),
    revokes: u.revokes ?? [],
    productsOff,
  };
}

// ---- the menu ----------------------------------------------------------------------------------

/**
 * The first 40 leaves of the navigation, as a tree (groups kept above their kept leaves), and
 * flat: each leaf with the requirements on its path (a group's own requirement applies to all
 * of its children).
 */
function buildMenu() {
  let left = MENU_LEAVES;
  const leaves = [];
  const prune = (items, path) => {
    const out = [];
    for (const item of items) {
      if (left === 0) break;
      const reqs = item.requires ? [...path, item.requires] : path;
      if (!item.children || item.children.length === 0) {
        left--;
        leaves.push({ id: item.id, requires: reqs });
        out.push(item.requires ? { id: item.id, requires: item.requires } : { id: item.id });
      } else {
        const children = prune(item.children, reqs);
        if (children.length > 0) {
          out.push(item.requires ? { id: item.id, requires: item.requires, children } : { id: item.id, children });
        }
      }
    }
    return out;
  };
  const tree = prune(model.nav, []);
  if (leaves.length !== MENU_LEAVES) throw new Error(`the nav has ${leaves.length} leaves, need ${MENU_LEAVES}`);
  return { tree, leaves };
}

export const menu = buildMenu();

/** Distinct requirements of the menu (leaves and groups), as `{ permission, scope? }`. */
export const menuRequirements = (() => {
  const seen = new Map();
  const walk = (items) => {
    for (const i of items) {
      if (i.requires) seen.set(JSON.stringify(i.requires), i.requires);
      if (i.children) walk(i.children);
    }
  };
  walk(menu.tree);
  return [...seen.values()];
})();

/**
 * Filters the menu tree with a check function: what every peer does with its own checks
 * (`permslip` does the same inside `filterMenu`). `check(requirement)` answers one item.
 */
export function filterTree(items, check) {
  const out = [];
  for (const item of items) {
    if (item.requires && !check(item.requires)) continue;
    if (item.children) {
      const children = filterTree(item.children, check);
      if (children.length > 0) out.push(children.length === item.children.length ? item : { ...item, children });
    } else {
      out.push(item);
    }
  }
  return out;
}

/** Leaf ids of a (filtered) tree, in order. */
export function leafIds(items, out = []) {
  for (const i of items) {
    if (i.children) leafIds(i.children, out);
    else out.push(i.id);
  }
  return out;
}

// ---- expected answers ----------------------------------------------------------------------------

const menuLeafIds = new Set(menu.leaves.map((l) => l.id));

/** User → visible leaf ids of the 40-item menu, from the hand-verified decision table. */
export const expectedMenu = new Map(
  decisions
    .filter((c) => c.check.menu)
    .map((c) => [c.user, menu.leaves.map((l) => l.id).filter((id) => c.expect.visible.includes(id) && menuLeafIds.has(id))]),
);

/** The table's permission checks: `{ user, permission, scope, allow }`. */
export const expectedChecks = decisions
  .filter((c) => typeof c.check.can === "string")
  .map((c) => ({ user: c.user, permission: c.check.can, scope: c.check.scope ?? null, allow: c.expect.allow }));

for (const u of users) {
  if (!expectedMenu.has(u)) throw new Error(`decisions.json has no menu case for ${u}`);
}

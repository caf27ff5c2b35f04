// A generated model and directory in permslip's format, with the 1× counts of the seed
// examples (Amplify's 67 permissions, 5 roles, 3 teams, 4 products; AmpliFlow's levels, 12
// features and ~20 resources) multiplied by a factor, and a 40-leaf navigation.
// Deterministic: the same counts give the same files.

/** The 1× counts. */
export const BASE = { permissions: 67, roles: 5, teams: 3, features: 12, resources: 20 };

function rng(seed) {
  // mulberry32
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const GROUP = 8; // permissions per group: `g12.*` is a wildcard over one group
const LEVELS = ["user", "reader", "editor", "owner"];

/** Counts for a factor (`BASE` × factor, rounded). */
export function countsFor(factor) {
  return Object.fromEntries(Object.entries(BASE).map(([k, v]) => [k, Math.max(1, Math.round(v * factor))]));
}

export function generate(counts) {
  const r = rng(0x5eed);
  const pick = (xs) => xs[Math.floor(r() * xs.length)];
  const products = ["p0", "p1", "p2", "p3"].map((id) => ({ id, name: id, enabled: true }));

  // Permissions in groups of 8: 1 ⇒ 0, 3 ⇒ 2 (scoped), 5 ⇒ 4; 7 is explicit-only in every
  // fourth group. Groups rotate through the four products and "no product".
  const permissions = [];
  for (let i = 0; i < counts.permissions; i++) {
    const g = Math.floor(i / GROUP);
    const k = i % GROUP;
    const p = { id: `g${g}.p${k}`, label: `Permission ${i}` };
    if (g % 5 < 4) p.product = `p${g % 5}`;
    if (k === 2 || k === 3) p.scope = `kind${g % 3}`;
    if ((k === 1 || k === 3 || k === 5) && i > 0) p.implies = [`g${g}.p${k - 1}`];
    if (k === 7 && g % 4 === 0) p.explicit = true;
    permissions.push(p);
  }
  const plain = permissions.filter((p) => !p.explicit);
  const groups = Math.ceil(counts.permissions / GROUP);
  const values = (n) => Array.from({ length: n }, () => `v${Math.floor(r() * 10)}`).filter((v, i, a) => a.indexOf(v) === i);
  const grantOf = (p) => (p.scope ? { permission: p.id, scope: values(2) } : p.id);

  const features = [];
  for (let i = 0; i < counts.features; i++) {
    const f = { id: `f${i}`, label: `Feature ${i}`, rows: ["all", "own_and_managed", "assigned"][i % 3] };
    if (i % 5 < 4) f.product = `p${i % 5}`;
    features.push(f);
  }

  // Role 0 is the Administrator; the others grant 12 permissions (two scoped, one a wildcard
  // over a group) and levels on 3 features.
  const roles = [{ id: "r0", name: "Administrator", admin: true }];
  for (let i = 1; i < counts.roles; i++) {
    const grants = new Map();
    while (grants.size < Math.min(11, plain.length)) {
      const p = pick(plain);
      grants.set(p.id, grantOf(p));
    }
    const wildcard = `g${Math.floor(r() * groups)}.*`;
    const levels = {};
    for (let j = 0; j < 3; j++) levels[pick(features).id] = pick(LEVELS);
    roles.push({ id: `r${i}`, name: `Role ${i}`, grants: [...grants.values(), wildcard], levels });
  }

  const teams = [];
  for (let i = 0; i < counts.teams; i++) {
    teams.push({ id: `t${i}`, name: `Team ${i}`, roles: [pick(roles.slice(1).length ? roles.slice(1) : roles).id], levels: { [pick(features).id]: pick(LEVELS) } });
  }

  // Five users; u0 is the one measured: two roles, two teams, an own scoped grant, a
  // revocation, a product toggled off, a manager.
  const someRole = () => pick(roles.length > 1 ? roles.slice(1) : roles).id;
  const users = [
    {
      id: "u0",
      name: "Measured user",
      roles: [...new Set([someRole(), someRole()])],
      teams: [...new Set([teams[0].id, pick(teams).id])],
      manager: "u1",
      products: { p3: false },
      grants: [grantOf(permissions.find((p) => p.scope) ?? permissions[0])],
      revokes: [pick(plain).id],
      levels: { [features[0].id]: "editor" },
    },
    { id: "u1", name: "Manager", roles: [someRole()], teams: [pick(teams).id] },
    { id: "u2", name: "Report", roles: [someRole()], manager: "u0" },
    { id: "u3", name: "Admin", roles: ["r0"] },
    { id: "u4", name: "Nobody" },
  ];

  // Resources: owned round-robin; a third assigned to a team, one in ten restricted.
  const resources = [];
  for (let i = 0; i < counts.resources; i++) {
    const res = { id: `res${i}`, feature: features[i % features.length].id, name: `Resource ${i}`, owner: users[i % users.length].id };
    if (i % 3 === 0) res.grants = [{ to: `team:${pick(teams).id}`, level: pick(LEVELS) }];
    if (i % 10 === 9) {
      res.restricted = true;
      res.grants = [...(res.grants ?? []), { to: "user:u2", level: "reader" }];
    }
    resources.push(res);
  }

  // The navigation: 5 groups of 8 leaves; most need a permission (some scoped), the last two
  // of each group a feature level.
  const nav = [];
  for (let g = 0; g < 5; g++) {
    const children = [];
    for (let k = 0; k < 8; k++) {
      let requires;
      if (k >= 6) requires = { feature: pick(features).id, level: "reader" };
      else {
        const p = pick(permissions);
        requires = p.scope && k % 2 === 0 ? { permission: p.id, scope: "v1" } : { permission: p.id };
      }
      children.push({ id: `n${g}/${k}`, label: `Item ${g}.${k}`, requires });
    }
    nav.push({ id: `n${g}`, label: `Group ${g}`, children });
  }

  const model = {
    version: 1,
    name: "Generated",
    products,
    permissions,
    roles,
    levels: LEVELS,
    actions: { view: "reader", edit: "editor", delete: "owner" },
    features,
    nav,
  };
  return { model, directory: { users, teams, resources } };
}

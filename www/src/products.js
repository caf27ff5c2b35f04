// What the console knows about each product as an application: its navigation tree and the
// words it shows (permission labels and groups, role, product, feature and level names). This is
// the product's own vocabulary, shipped with the app; who may do what comes only from the
// signed snapshot.
import amplify from "../../examples/amplify/model.json";
import ampliflow from "../../examples/ampliflow/model.json";

const capitalise = (s) => (s ? s[0].toUpperCase() + s.slice(1) : s);

function build(model) {
  const index = new Map(); // nav id -> { item, parent }
  const walk = (items, parent) => {
    for (const item of items) {
      index.set(item.id, { item, parent });
      if (item.children) walk(item.children, item);
    }
  };
  walk(model.nav, null);
  const permissions = new Map(model.permissions.map((p) => [p.id, p]));
  const groups = new Map();
  for (const p of model.permissions) {
    if (!groups.has(p.group)) groups.set(p.group, []);
    groups.get(p.group).push(p);
  }
  const features = new Map((model.features ?? []).map((f) => [f.id, f]));
  const levels = model.levels ?? [];
  const levelIndex = (name) => levels.indexOf(name);

  return {
    name: model.name,
    // One array object for the lifetime of the app: filterMenu caches its plan per array.
    nav: model.nav,
    navItem: (id) => index.get(id)?.item ?? null,
    navParent: (id) => index.get(id)?.parent ?? null,
    permission: (id) => permissions.get(id) ?? null,
    permissionLabel: (id) => permissions.get(id)?.label ?? id,
    group: (name) => groups.get(name) ?? [],
    roleName: (id) => model.roles.find((r) => r.id === id)?.name ?? id,
    productName: (id) => model.products.find((p) => p.id === id)?.name ?? id,
    feature: (id) => features.get(id) ?? null,
    featureLabel: (id) => features.get(id)?.label ?? id,
    levels,
    levelLabel: (name) => capitalise(name),
    /** The levels at or above `name`, lowest first. */
    levelsFrom: (name) => (levelIndex(name) < 0 ? [] : levels.slice(levelIndex(name))),
    /** The feature's actions and the level each needs, lowest first (feature overrides win). */
    actions(feature) {
      const merged = { ...(model.actions ?? {}), ...(features.get(feature)?.actions ?? {}) };
      return Object.entries(merged).sort((a, b) => levelIndex(a[1]) - levelIndex(b[1]));
    },
    /** An action whose minimum is exactly `level` on the feature (prefer `view`), or null. */
    actionFor(feature, level) {
      const matching = this.actions(feature).filter(([, min]) => min === level);
      return (matching.find(([a]) => a === "view") ?? matching[0])?.[0] ?? null;
    },
  };
}

export const PRODUCTS = { amplify: build(amplify), ampliflow: build(ampliflow) };

// The navigation: the model's `nav` tree filtered for the current user (`useMenu`, one call into
// wasm). Visible items carry `data-nav-id`; with "Show what's hidden", hidden ones appear greyed
// with `data-hidden-id` and explain themselves.
import { explainQuery, usePermslip } from "permslip/react";
import { sentence } from "./explain.js";
import { href } from "./route.js";

/** The explanation of why a nav item shows or not: `{ allowed, reason, text }`. */
export function navExplanation(checker, ctx, id) {
  const { product, visible } = ctx;
  const item = product.navItem(id);
  const own = requirementExplanation(checker, ctx, item);
  if (own !== null && !own.allowed) return own;
  // The item's own requirement holds (or it has none): a hidden section above it hides it.
  for (let p = product.navParent(id); p !== null; p = product.navParent(p.id)) {
    if (!visible.has(p.id) && p.requires) {
      const parent = requirementExplanation(checker, ctx, p);
      if (parent !== null && !parent.allowed) {
        return { ...parent, text: `Its section ${p.label} is hidden: ${parent.text}` };
      }
    }
  }
  if (visible.has(id)) return own ?? { allowed: true, reason: "granted", text: "Shown: some of its items are available to you" };
  if (item.children) {
    return { allowed: false, reason: "empty", text: "None of its items is available to you" };
  }
  return own ?? { allowed: false, reason: "hidden", text: "Hidden" };
}

/** The explanation of an item's own requirement, or null when it has none. */
export function requirementExplanation(checker, ctx, item) {
  const r = item.requires;
  if (!r) return null;
  const { product } = ctx;
  let e;
  let subject;
  if (r.permission !== undefined) {
    e = checker.explain({ permission: r.permission, scope: r.scope ?? null });
    subject = `${product.permissionLabel(r.permission)}${r.scope ? ` for ${r.scope}` : ""}`;
  } else {
    // The engine explains actions; a level requirement maps to the action needing that level.
    const level = r.level ?? product.levels[0];
    const action = product.actionFor(r.feature, level);
    e = action
      ? checker.explain({ feature: r.feature, action })
      : levelExplanation(checker, ctx, r.feature, level);
    subject = product.featureLabel(r.feature);
  }
  return { ...e, text: sentence(e, ctx, subject) };
}

// No action needs exactly this level (Checklists' lowest, User): the bindings build the
// explanation; the provenance of the level comes from the profile.
function levelExplanation(checker, ctx, feature, level) {
  const e = explainQuery(checker, { feature, level });
  const held = ctx.profile?.levels.find((l) => l.feature === feature);
  return e.allowed && held ? { ...e, via: held.via } : e;
}

/** What an item requires, in words. */
export function requirementText(ctx, item) {
  const r = item.requires;
  if (!r) return null;
  const { product } = ctx;
  if (r.permission !== undefined) return `${product.permissionLabel(r.permission)} (${r.permission}${r.scope ? ` for ${r.scope}` : ""})`;
  return `${product.levelLabel(r.level ?? product.levels[0])} or higher on ${product.featureLabel(r.feature)}`;
}

export function Sidebar({ ctx, page, showHidden, setShowHidden }) {
  const { entry, example, menu, product, profile } = ctx;
  const tree = showHidden ? product.nav : menu;
  return (
    <aside className="sidebar">
      <div className="who">
        <div className="avatar" aria-hidden="true">
          {profile || ctx.status === "loading" ? initials(profile?.name ?? entry.name) : "?"}
        </div>
        <div>
          <div className="who-name" data-testid="who-name">{profile?.name ?? (ctx.status === "loading" ? entry.name : "No valid snapshot")}</div>
          <div className="who-sub">{profile ? entry.summary : entry.name}</div>
        </div>
      </div>
      <a
        href={href(example.id, entry.id)}
        className={page === "" ? "nav-home active" : "nav-home"}
        data-testid="home-link"
      >
        Home
      </a>
      <nav className="nav" data-testid="nav" aria-label="Navigation">
        {tree.length === 0 ? (
          <p className="nav-empty" data-testid="nav-empty">
            {ctx.status === "ready"
              ? "Nothing in the navigation for you yet."
              : ctx.status === "loading"
                ? "Loading…"
                : "No navigation without a valid snapshot."}
          </p>
        ) : (
          <NavList items={tree} ctx={ctx} page={page} depth={0} />
        )}
      </nav>
      <div className="sidebar-foot">
        <label className="toggle">
          <input
            type="checkbox"
            checked={showHidden}
            onChange={(e) => setShowHidden(e.target.checked)}
            data-testid="show-hidden"
          />
          Show what's hidden
        </label>
        <a
          href={href(example.id, entry.id, "profile")}
          className={page === "profile" ? "nav-home active" : "nav-home"}
          data-testid="profile-link"
        >
          My access
        </a>
      </div>
    </aside>
  );
}

function NavList({ items, ctx, page, depth }) {
  return (
    <ul className={depth === 0 ? "nav-list" : "nav-list nested"}>
      {items.map((item) => (
        <NavNode key={item.id} item={item} ctx={ctx} page={page} depth={depth} />
      ))}
    </ul>
  );
}

function NavNode({ item, ctx, page, depth }) {
  const checker = usePermslip();
  const { example, entry, visible } = ctx;
  const shown = visible.has(item.id);
  const ids = shown ? { "data-nav-id": item.id } : { "data-hidden-id": item.id };
  const why = shown ? null : navExplanation(checker, ctx, item.id);
  const title = why?.text;
  if (item.children) {
    return (
      <li className={shown ? "nav-group" : "nav-group hidden"}>
        <div className="nav-group-label" {...ids} title={title}>
          {item.label}
          {!shown && <Lock />}
        </div>
        <NavList items={item.children} ctx={ctx} page={page} depth={depth + 1} />
      </li>
    );
  }
  return (
    <li>
      <a
        href={href(example.id, entry.id, item.id)}
        className={`nav-item${page === item.id ? " active" : ""}${shown ? "" : " hidden"}`}
        title={title}
        {...ids}
      >
        {item.label}
        {!shown && <Lock />}
      </a>
    </li>
  );
}

function Lock() {
  return (
    <svg className="lock" viewBox="0 0 16 16" width="12" height="12" aria-label="hidden">
      <path
        fill="currentColor"
        d="M5 7V5a3 3 0 1 1 6 0v2h.5A1.5 1.5 0 0 1 13 8.5v5a1.5 1.5 0 0 1-1.5 1.5h-7A1.5 1.5 0 0 1 3 13.5v-5A1.5 1.5 0 0 1 4.5 7H5Zm1.5 0h3V5a1.5 1.5 0 0 0-3 0v2Z"
      />
    </svg>
  );
}

const initials = (name) =>
  name
    .split(/[\s-]+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0].toUpperCase())
    .join("");

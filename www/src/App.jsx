// The console: a product switch, a user switcher, the navigation, pages and a profile, all
// driven by the current user's verified snapshot through permslip's React bindings.
import { useEffect, useMemo, useState, useSyncExternalStore } from "react";
import { PermslipProvider, usePermslipState, useMenu } from "permslip/react";
import { createSession } from "permslip/session";
import { fetchSnapshot } from "./backend.js";
import { PRODUCTS } from "./products.js";
import { href } from "./route.js";
import { Sidebar } from "./Nav.jsx";
import { Home, NavPage, NoAccess, Loading, ProfilePage } from "./Pages.jsx";

// ---- routing: #/<example>/<user>/<page...> ----------------------------------------------------

function subscribeHash(callback) {
  window.addEventListener("hashchange", callback);
  return () => window.removeEventListener("hashchange", callback);
}

function useRoute(manifest) {
  const hash = useSyncExternalStore(subscribeHash, () => window.location.hash);
  const [exampleId, userId, ...rest] = hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  const example = manifest.examples.find((e) => e.id === exampleId) ?? manifest.examples[0];
  const entry = example.users.find((u) => u.id === userId) ?? example.users[0];
  return { example, entry, page: rest.join("/") };
}

// ---- the session per switcher entry -------------------------------------------------------------

export function App({ manifest, keys }) {
  const { example, entry, page } = useRoute(manifest);
  const key = `${example.id}/${entry.id}`;
  const [current, setCurrent] = useState(null);

  useEffect(() => {
    // One session per user: it fetches the snapshot, verifies it, refreshes it before expiry.
    const session = createSession({
      fetchSnapshot: (signal) => fetchSnapshot(example, entry, signal),
      jwks: keys,
      audience: manifest.audience,
      issuer: manifest.issuer,
      subject: entry.subject,
    });
    setCurrent({ key, session });
    session.start();
    return () => session.stop();
    // `key` identifies example and entry.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, keys, manifest]);

  const view = <Console manifest={manifest} example={example} entry={entry} page={page} />;
  // Until the new user's session exists, render with no provider: everything denies, so the
  // previous user's menu can never show for the new one.
  if (current === null || current.key !== key) return view;
  return <PermslipProvider session={current.session}>{view}</PermslipProvider>;
}

// ---- layout ---------------------------------------------------------------------------------

function useNow(intervalMs) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(t);
  }, [intervalMs]);
  return now;
}

function Console({ manifest, example, entry, page }) {
  const state = usePermslipState();
  const { checker, status } = state;
  const product = PRODUCTS[example.id];
  const menu = useMenu(product.nav);
  const [showHidden, setShowHidden] = useState(false);

  const profile = useMemo(() => (status === "ready" ? checker.profile() : null), [checker, status]);
  const ctx = useMemo(
    () => ({
      product,
      profile,
      teams: new Map((profile?.teams ?? []).map((t) => [t.id, t.name])),
      people: example.people,
      resources: example.resources,
      example,
      entry,
      visible: new Set(visibleIds(menu)),
      menu,
      status,
    }),
    [product, profile, example, entry, menu, status],
  );

  let content;
  if (status === "loading") content = <Loading />;
  else if (status !== "ready") content = <NoAccess state={state} entry={entry} ctx={ctx} />;
  else if (page === "profile") content = <ProfilePage ctx={ctx} />;
  else if (page && product.navItem(page)) content = <NavPage id={page} ctx={ctx} />;
  else content = <Home ctx={ctx} />;

  return (
    <div className="app" data-example={example.id} data-user={entry.id} data-status={status}>
      <Topbar manifest={manifest} example={example} entry={entry} page={page} state={state} />
      <div className="layout">
        <Sidebar ctx={ctx} page={page} showHidden={showHidden} setShowHidden={setShowHidden} />
        <main className="content" data-testid="content">
          {content}
        </main>
      </div>
    </div>
  );
}

function visibleIds(items, out = []) {
  for (const item of items) {
    out.push(item.id);
    if (item.children) visibleIds(item.children, out);
  }
  return out;
}

function Topbar({ manifest, example, entry, page, state }) {
  const switchUser = (e) => {
    window.location.hash = href(example.id, e.target.value, page);
  };
  const users = example.users.filter((u) => u.kind === "user");
  const failures = example.users.filter((u) => u.kind !== "user");
  return (
    <header className="topbar">
      <div className="brand">
        <span className="logo" aria-hidden="true">◆</span> permslip <span className="muted">console</span>
      </div>
      <nav className="products" aria-label="Product">
        {manifest.examples.map((ex) => {
          const same = ex.users.find((u) => u.id === entry.id && u.kind === "user") ?? ex.users[0];
          return (
            <a
              key={ex.id}
              href={href(ex.id, same.id)}
              className={ex.id === example.id ? "product active" : "product"}
              data-testid={`product-${ex.id}`}
              title={ex.tagline}
            >
              {ex.name}
            </a>
          );
        })}
      </nav>
      <label className="switcher">
        <span className="muted">Signed in as</span>
        <select value={entry.id} onChange={switchUser} data-testid="user-switcher">
          <optgroup label="Example users">
            {users.map((u) => (
              <option key={u.id} value={u.id}>
                {u.name} — {u.summary}
              </option>
            ))}
          </optgroup>
          <optgroup label="Failure paths">
            {failures.map((u) => (
              <option key={u.id} value={u.id}>
                {u.name}
              </option>
            ))}
          </optgroup>
        </select>
      </label>
      <SessionBadge state={state} />
    </header>
  );
}

function duration(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return `${s} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  if (s < 172800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} days`;
}

function SessionBadge({ state }) {
  const now = useNow(15000);
  const { status, checker, error, expiresAt, refreshAt } = state;
  let text;
  let title;
  if (status === "ready") {
    text = `Verified · expires in ${duration(expiresAt - now)}`;
    title = `Snapshot serial ${checker.serial} from ${checker.issuer}, expires ${expiresAt.toLocaleString()}${
      refreshAt ? `; next refresh ${refreshAt.toLocaleTimeString()}` : ""
    }${error ? `; last refresh failed: ${error.message}` : ""}`;
  } else if (status === "loading") {
    text = "Verifying…";
  } else if (status === "expired") {
    text = "Expired · denying everything";
    title = error?.message;
  } else {
    text = "Invalid · denying everything";
    title = error?.message;
  }
  return (
    <div className={`session-badge ${status}${error && status === "ready" ? " warn" : ""}`} data-testid="session-status" data-status={status} title={title}>
      <span className="dot" aria-hidden="true" />
      {text}
    </div>
  );
}

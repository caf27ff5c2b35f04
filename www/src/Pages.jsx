// The pages: home, a page per navigation item (with its action buttons and, for AmpliFlow
// features, its resources), the profile ("My access"), and "No access".
import { useState } from "react";
import { Can, useCan, useExplain, usePermslip } from "permslip/react";
import { channelText, resourceName, sentence, viaText } from "./explain.js";
import { navExplanation, requirementExplanation, requirementText } from "./Nav.jsx";
import { href } from "./route.js";

export function Loading() {
  return (
    <div className="loading" data-testid="loading">
      Verifying the signed snapshot…
    </div>
  );
}

// ---- No access ------------------------------------------------------------------------------

const WHY = {
  bad_signature: "Its signature does not match its contents: it was changed after it was signed.",
  expired: "It has expired: snapshots are short-lived so that a change of role takes effect quickly.",
  wrong_audience: "It was issued for another application.",
  wrong_subject: "It was issued for another user.",
  unknown_key: "It was signed with a key this application does not trust.",
  malformed: "It is not a well-formed snapshot.",
};

export function NoAccess({ state, entry }) {
  const { status, error } = state;
  const code = status === "expired" ? "expired" : (error?.code ?? "invalid");
  const checkerReason = state.checker.explain({ permission: "app.access" }).reason;
  return (
    <section className="no-access" data-testid="no-access" data-reason={code}>
      <svg className="no-access-mark" viewBox="0 0 24 24" width="40" height="40" aria-hidden="true">
        <circle cx="12" cy="12" r="10" fill="currentColor" />
        <rect x="6" y="10.5" width="12" height="3" rx="1" fill="#fff" />
      </svg>
      <h1>No access</h1>
      <p className="lead">
        The permission snapshot for <strong>{entry.name}</strong> could not be used, so nothing is
        shown and every check is denied. {WHY[code] ?? ""}
      </p>
      <dl className="facts">
        <dt>Reason</dt>
        <dd>
          <code data-testid="no-access-reason">{code}</code>
          {error ? <> — {error.message}</> : null}
        </dd>
        <dt>Checks answer</dt>
        <dd>
          deny, reason <code>{checkerReason}</code>
        </dd>
        <dt>Snapshot</dt>
        <dd>
          <code>{entry.file}</code> ({entry.summary})
        </dd>
      </dl>
    </section>
  );
}

// ---- Home -----------------------------------------------------------------------------------

export function Home({ ctx }) {
  const { menu, profile, example, entry, product } = ctx;
  return (
    <div className="page" data-testid="home">
      <header className="page-head">
        <div className="crumbs">{example.name}</div>
        <h1>Welcome, {profile?.name.split(" ")[0] ?? entry.name}</h1>
        <p className="muted">
          {example.tagline}. The navigation, pages and buttons below come from your signed
          snapshot, checked in this browser.
        </p>
      </header>
      {menu.length === 0 ? (
        <div className="empty" data-testid="home-empty">
          <h2>Nothing here for you yet</h2>
          <p>
            No role, team or grant gives you anything in {product.name}. Ask an Administrator to
            add you to a team or give you a role; <a href={href(example.id, entry.id, "profile")}>My access</a>{" "}
            shows what you have.
          </p>
        </div>
      ) : (
        <div className="cards">
          {menu.map((section) => (
            <section className="card" key={section.id}>
              <h2>{section.label}</h2>
              <ul>
                {(section.children ?? [section]).map((item) => (
                  <li key={item.id}>
                    <a href={href(example.id, entry.id, item.id)}>{item.label}</a>
                  </li>
                ))}
              </ul>
            </section>
          ))}
        </div>
      )}
    </div>
  );
}

// ---- A navigation item's page -----------------------------------------------------------------

export function NavPage({ id, ctx }) {
  const checker = usePermslip();
  const { product, visible } = ctx;
  const item = product.navItem(id);
  const parent = product.navParent(id);
  const shown = visible.has(id);
  const req = item.requires;
  const own = requirementExplanation(checker, ctx, item);
  return (
    <div className="page" data-testid="page" data-page={id}>
      <header className="page-head">
        <div className="crumbs">
          {ctx.example.name}
          {parent ? ` › ${parent.label}` : ""}
        </div>
        <h1>{item.label}</h1>
        {req && (
          <p className={`requirement ${own.allowed ? "ok" : "no"}`} data-testid="requirement">
            <span className="req-label">Requires</span> {requirementText(ctx, item)}
            {own.allowed ? <span className="req-why"> — {own.text}</span> : null}
          </p>
        )}
      </header>
      {!shown ? (
        <HiddenExplanation id={id} ctx={ctx} />
      ) : req?.feature !== undefined ? (
        <FeatureWorkspace feature={req.feature} ctx={ctx} />
      ) : req?.permission !== undefined ? (
        <PermissionActions permission={req.permission} ctx={ctx} />
      ) : null}
    </div>
  );
}

function HiddenExplanation({ id, ctx }) {
  const checker = usePermslip();
  const why = navExplanation(checker, ctx, id);
  return (
    <div className="explanation" data-testid="explanation" data-reason={why.reason}>
      <h2>You can't open this page</h2>
      <p data-testid="explanation-text">{why.text}</p>
      <p className="muted small">
        It is not in your navigation. Reason code <code>{why.reason}</code>.
      </p>
    </div>
  );
}

/** One action button: enabled when allowed, disabled with its reason otherwise (`<Can>`). */
function ActionRow({ query, label, ctx, subject }) {
  const allowed = useCan(query);
  const why = useExplain(query);
  const [done, setDone] = useState(false);
  const text = sentence(why, ctx, subject ?? label);
  const disabled = (
    <button type="button" className="btn" disabled title={text}>
      {label}
    </button>
  );
  return (
    <li className={`action ${allowed ? "ok" : "no"}`} data-testid="action" data-allowed={String(allowed)} data-reason={why.reason} data-label={label}>
      <Can {...query} fallback={disabled}>
        <button type="button" className="btn primary" onClick={() => setDone(true)}>
          {label}
        </button>
      </Can>
      <span className="why">
        {done ? "Done (demo). A real backend checks again before acting." : text}
      </span>
    </li>
  );
}

function PermissionActions({ permission, ctx }) {
  const { product, example } = ctx;
  const group = product.permission(permission)?.group;
  const rows = [];
  for (const p of product.group(group)) {
    const values = p.scope ? (example.scopes[p.id] ?? []) : [];
    if (values.length === 0) {
      rows.push({ key: p.id, query: { permission: p.id }, label: p.label });
      continue;
    }
    for (const v of values) {
      rows.push({ key: `${p.id}:${v}`, query: { permission: p.id, scope: v }, label: `${p.label}: ${v}`, subject: `${p.label} for ${v}` });
    }
  }
  return (
    <section className="panel">
      <h2>{group}</h2>
      <p className="muted small">Every permission of this group, as a button: enabled when you have it.</p>
      <ul className="actions">
        {rows.map((r) => (
          <ActionRow key={r.key} query={r.query} label={r.label} subject={r.subject} ctx={ctx} />
        ))}
      </ul>
    </section>
  );
}

const actionLabel = (a) => a.replaceAll("_", " ").replace(/^./, (c) => c.toUpperCase());

function FeatureWorkspace({ feature, ctx }) {
  const checker = usePermslip();
  const { product, example } = ctx;
  const actions = product.actions(feature);
  const level = checker.featureLevel(feature);
  const levelVia = ctx.profile?.levels.find((l) => l.feature === feature)?.via ?? [];
  const label = product.featureLabel(feature);
  const resources = Object.entries(example.resources)
    .filter(([, r]) => r.feature === feature && example.resources[r.parent]?.feature !== feature)
    .map(([id]) => id)
    // The "API" lists every row; show only what the snapshot lets this user see.
    .filter((id) => checker.resourceLevel(id) !== null);
  return (
    <>
      <section className="panel">
        <h2>Your level on {label}</h2>
        <p className="level-line" data-testid="feature-level">
          <span className={`level-pill ${level ?? "none"}`}>{level ? product.levelLabel(level) : "None"}</span>
          {levelVia.length ? <span className="muted"> via {viaText(levelVia, ctx)}</span> : null}
        </p>
        <ul className="actions">
          {actions.map(([action, min]) => (
            <ActionRow
              key={action}
              query={{ feature, action }}
              label={`${actionLabel(action)} (${product.levelLabel(min)}+)`}
              subject={label}
              ctx={ctx}
            />
          ))}
        </ul>
      </section>
      {Object.values(example.resources).some((r) => r.feature === feature) && (
        <section className="panel">
          <h2>{label}</h2>
          {resources.length === 0 ? (
            <p className="muted" data-testid="no-resources">
              None you can see.
            </p>
          ) : (
            <table className="table" data-testid="resources">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Your level</th>
                  <th>Actions</th>
                  <th>Via</th>
                </tr>
              </thead>
              <tbody>
                {resources.flatMap((id) => resourceRows(id, 0, ctx, checker, actions))}
              </tbody>
            </table>
          )}
        </section>
      )}
    </>
  );
}

// A resource and, indented below it, its children the user can see (checklist steps).
function resourceRows(id, depth, ctx, checker, actions) {
  const { product, example } = ctx;
  const level = checker.resourceLevel(id);
  const lowest = actions[0]?.[0];
  const why = lowest ? checker.explain({ resource: id, action: lowest }) : null;
  const children = Object.entries(example.resources)
    .filter(([, r]) => r.parent === id && r.feature !== example.resources[id].feature)
    .map(([child]) => child)
    .filter((child) => checker.resourceLevel(child) !== null);
  const childActions = children.length ? product.actions(example.resources[children[0]].feature) : [];
  return [
    <tr key={id} data-resource={id} data-level={level}>
      <td style={{ paddingLeft: `${0.75 + depth * 1.5}rem` }}>
        {depth > 0 ? "↳ " : ""}
        {resourceName(id, ctx)}
      </td>
      <td>
        <span className={`level-pill ${level}`}>{product.levelLabel(level)}</span>
      </td>
      <td className="row-actions">
        {actions
          // Creating and managing permissions are feature-wide, not per row.
          .filter(([a]) => a !== "create" && a !== "manage_permissions")
          .map(([action]) => (
            <Can
              key={action}
              resource={id}
              action={action}
              fallback={(e) => (
                <button type="button" className="btn small" disabled title={sentence(e, ctx, resourceName(id, ctx))}>
                  {actionLabel(action)}
                </button>
              )}
            >
              <button type="button" className="btn small primary">
                {actionLabel(action)}
              </button>
            </Can>
          ))}
      </td>
      <td className="muted small">
        {why?.allowed
          ? viaText(why.via, ctx)
          : `${product.levelLabel(level)} only: ${product.levelLabel(why?.needed)} is needed to ${lowest} it`}
      </td>
    </tr>,
    ...children.flatMap((child) => resourceRows(child, depth + 1, ctx, checker, childActions)),
  ];
}

// ---- Profile --------------------------------------------------------------------------------

export function ProfilePage({ ctx }) {
  const checker = usePermslip();
  const { profile, product, example } = ctx;
  if (profile === null) return null;
  const groups = new Map();
  for (const p of profile.permissions) {
    const group = product.permission(p.permission)?.group ?? "Other";
    if (!groups.has(group)) groups.set(group, []);
    groups.get(group).push(p);
  }
  return (
    <div className="page" data-testid="profile">
      <header className="page-head">
        <div className="crumbs">{example.name} › My access</div>
        <h1>{profile.name}</h1>
        <p className="muted">
          <code>{profile.subject}</code> · snapshot serial {checker.serial} from <code>{checker.issuer}</code>, expires{" "}
          {checker.expiresAt.toLocaleString()}
        </p>
      </header>

      <div className="grid-2">
        <section className="panel">
          <h2>Roles</h2>
          {profile.roles.length === 0 ? (
            <p className="muted" data-testid="no-roles">No roles.</p>
          ) : (
            <table className="table" data-testid="roles">
              <tbody>
                {profile.roles.map((r) => (
                  <tr key={`${r.role}:${r.via}`} data-role={r.role} data-via={r.via}>
                    <td>
                      <strong>{r.name}</strong>
                      {r.admin ? <span className="tag">Administrator</span> : null}
                    </td>
                    <td className="muted">{channelText(r.via, ctx)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        <section className="panel">
          <h2>Teams</h2>
          {profile.teams.length === 0 ? (
            <p className="muted">No teams.</p>
          ) : (
            <ul className="chips" data-testid="teams">
              {profile.teams.map((t) => (
                <li key={t.id} className="chip" data-team={t.id}>
                  {t.name}
                </li>
              ))}
            </ul>
          )}
          {profile.manages.length > 0 && (
            <>
              <h3>Manages</h3>
              <ul className="chips">
                {profile.manages.map((u) => (
                  <li key={u} className="chip">
                    {example.people[u] ?? u}
                  </li>
                ))}
              </ul>
            </>
          )}
        </section>
      </div>

      {profile.levels.length > 0 && (
        <section className="panel">
          <h2>Feature levels</h2>
          <table className="table" data-testid="levels">
            <thead>
              <tr>
                <th>Feature</th>
                <th>Level</th>
                <th>Via</th>
              </tr>
            </thead>
            <tbody>
              {profile.levels.map((l) => (
                <tr key={l.feature} data-feature={l.feature}>
                  <td>{product.featureLabel(l.feature)}</td>
                  <td>
                    <span className={`level-pill ${l.level}`}>{product.levelLabel(l.level)}</span>
                  </td>
                  <td className="muted small">{viaText(l.via, ctx)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}

      <section className="panel">
        <h2>Effective permissions ({profile.permissions.length})</h2>
        {profile.permissions.length === 0 ? (
          <p className="muted" data-testid="no-permissions">None.</p>
        ) : (
          <table className="table" data-testid="permissions">
            <thead>
              <tr>
                <th>Permission</th>
                <th>For</th>
                <th>Via</th>
              </tr>
            </thead>
            <tbody>
              {[...groups].flatMap(([group, perms]) => [
                <tr key={`g:${group}`} className="group-row">
                  <th colSpan={3}>{group}</th>
                </tr>,
                ...perms.map((p) => (
                  <tr key={p.permission} data-permission={p.permission}>
                    <td>
                      {product.permissionLabel(p.permission)} <code className="id">{p.permission}</code>
                    </td>
                    <td>{p.scopes === null ? <span className="muted">all</span> : p.scopes.join(", ")}</td>
                    <td className="muted small">{viaText(p.via, ctx)}</td>
                  </tr>
                )),
              ])}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}

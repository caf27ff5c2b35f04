// Turns the engine's structured explanations (`checker.explain(...)`) into sentences people can
// act on, in the product's own words.

const list = (xs, last = "or") =>
  xs.length <= 1 ? xs.join("") : `${xs.slice(0, -1).join(", ")} ${last} ${xs[xs.length - 1]}`;

/** "via" text of one provenance entry. */
export function sourceText(source, ctx) {
  const { product } = ctx;
  switch (source.kind) {
    case "role":
      return `role ${product.roleName(source.role)} (${channelText(source.via, ctx)})`;
    case "user":
      return "a direct grant to you";
    case "team":
      return `team ${teamName(source.team, ctx)}`;
    case "implied":
      return `implied by ${product.permissionLabel(source.by)}`;
    case "assignment":
      return `the assignment on ${resourceName(source.resource, ctx)} ${assignmentVia(source.via, ctx)}`;
    case "feature":
      return `your level on ${product.featureLabel(source.feature)}`;
    default:
      return JSON.stringify(source);
  }
}

/** How a role reaches the user: `direct`, `base` or `team:ID`. */
export function channelText(via, ctx) {
  if (via === "direct") return "assigned to you";
  if (via === "base") return "everyone's base role";
  if (via.startsWith("team:")) return `through team ${teamName(via.slice(5), ctx)}`;
  return via;
}

function assignmentVia(via, ctx) {
  if (via === "user") return "to you";
  if (via.startsWith("team:")) return `to team ${teamName(via.slice(5), ctx)}`;
  if (via.startsWith("managed:")) {
    const id = via.slice(8);
    return `to ${ctx.people?.[id] ?? id}, whom you manage`;
  }
  return via;
}

export const teamName = (id, ctx) => ctx.teams?.get(id) ?? id;
export const resourceName = (id, ctx) => ctx.resources?.[id]?.name ?? id;

export const viaText = (via, ctx) => list(via.map((s) => sourceText(s, ctx)), "and");

/**
 * One sentence for an explanation. `subject` names what was asked about in the product's
 * words (a permission label, a feature or resource name).
 */
export function sentence(e, ctx, subject) {
  const { product } = ctx;
  const roles = (e.granted_by ?? []).map((r) => product.roleName(r));
  const ask = "ask an Administrator";
  switch (e.reason) {
    case "granted":
      return e.needed
        ? `${product.levelLabel(e.level)} on ${subject}, via ${viaText(e.via, ctx) || "your roles"}`
        : `Allowed via ${viaText(e.via, ctx) || "your roles"}`;
    case "admin":
      return `Allowed as Administrator, via ${viaText(e.via, ctx)}`;
    case "product_off":
      return `${product.productName(e.product)} is turned off for you or your account — no role, not even Administrator, overrides that; ${ask}`;
    case "revoked":
      return `${subject} was revoked for you — a revocation beats every role; ${ask}`;
    case "explicit_only":
      return `${subject} must be granted explicitly — Administrator and wildcards do not include it${
        roles.length ? `; granted by ${list(roles)}` : ""
      }; ${ask}`;
    case "scope_not_granted": {
      const held = ctx.profile?.permissions.find((p) => e.query.startsWith(`permission ${p.permission} `));
      const values = held?.scopes ?? [];
      return `${subject}: not granted for this value${values.length ? ` — you have it only for ${list(values, "and")}` : ""}; ${ask}`;
    }
    case "not_granted":
      return `${subject} needed — ${roles.length ? `granted by ${list(roles)}` : "no role grants it"}; ${ask}`;
    case "level_too_low": {
      const needed = product.levelLabel(e.needed);
      const levels = product.levelsFrom(e.needed).map(product.levelLabel);
      const have = e.level ? `you have ${product.levelLabel(e.level)}` : "you have no level";
      return `${needed} needed on ${subject} (${have}) — granted by ${list(levels)}${
        roles.length ? `, e.g. through the role ${list(roles)}` : ""
      }; ${ask}`;
    }
    case "restricted":
      return `${subject} is restricted to the people assigned to it; ask its owner or an Administrator`;
    case "expired":
      return `Your permission snapshot has expired (${e.message}): nothing is allowed until a fresh one arrives`;
    case "invalid":
      return "No valid permission snapshot: nothing is allowed";
    default:
      return e.message;
  }
}

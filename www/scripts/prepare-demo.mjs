// Completes www/public/demo/ after scripts/demo.sh has issued the snapshots with the CLI:
//   - <example>/_tampered.jwt: the Member's snapshot edited to hold the Administrator role,
//     signature kept (what a user trying to grant themselves admin would send);
//   - manifest.json: what the demo's "backend" tells the console: the users to switch between
//     (names and a one-line summary from the directory), the failure-path entries, the scope
//     values and resource names to show. Permissions never come from here: only from snapshots.
//
//   node www/scripts/prepare-demo.mjs OUT_DIR ISSUER AUDIENCE
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const [out, issuer, audience] = process.argv.slice(2);
if (!out || !issuer || !audience) {
  console.error("usage: prepare-demo.mjs OUT_DIR ISSUER AUDIENCE");
  process.exit(2);
}
const root = fileURLToPath(new URL("../../", import.meta.url));
const readJson = (...p) => JSON.parse(readFileSync(join(...p), "utf8"));

// Which user's snapshot the failure paths start from, per example.
const EXAMPLES = [
  { id: "amplify", name: "Amplify", tagline: "Connect · iFax · Forms · eSign", victim: "member" },
  { id: "ampliflow", name: "AmpliFlow", tagline: "Quality · People · Customers & Providers", victim: "member" },
];

function grantList(grants = []) {
  return grants.map((g) => (typeof g === "string" ? { permission: g } : g));
}

function summary(user, model, directory) {
  const roleName = (id) => model.roles.find((r) => r.id === id)?.name ?? id;
  const teams = (user.teams ?? []).map((id) => directory.teams.find((t) => t.id === id)).filter(Boolean);
  const parts = (user.roles ?? []).map(roleName);
  for (const team of teams) {
    for (const role of team.roles ?? []) parts.push(`${roleName(role)} via team ${team.name}`);
  }
  if (parts.length === 0 && teams.length > 0) {
    parts.push(`${teams.length === 1 ? "team" : "teams"} ${teams.map((t) => t.name).join(", ")}`);
  }
  const extras = [];
  if (user.levels) extras.push("own levels");
  if (user.grants) extras.push("extra grants");
  if (user.revokes) extras.push("revocations");
  const off = Object.entries(user.products ?? {}).filter(([, on]) => !on).map(([p]) => p);
  if (off.length) extras.push(`${off.map((p) => model.products.find((x) => x.id === p)?.name ?? p).join(", ")} off`);
  if (parts.length === 0 && extras.length === 0) return "nothing assigned (brand-new)";
  return [...parts, ...extras].join(" · ");
}

function tamper(token, adminRole) {
  const [header, payload, signature] = token.trim().split(".");
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  claims.slip.user.roles = [...new Set([...(claims.slip.user.roles ?? []), adminRole])];
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${signature}`;
}

const manifest = { issuer, audience, issuedAt: new Date().toISOString(), examples: [] };
for (const ex of EXAMPLES) {
  const model = readJson(root, "examples", ex.id, "model.json");
  const directory = readJson(root, "examples", ex.id, "directory.json");
  const dir = join(out, ex.id);
  const users = directory.users.map((u) => ({
    id: u.id,
    name: u.name,
    summary: summary(u, model, directory),
    file: `${ex.id}/${u.id}.jwt`,
    subject: u.id,
    kind: "user",
  }));
  const victim = directory.users.find((u) => u.id === ex.victim);
  const adminRole = model.roles.find((r) => r.admin)?.id;
  writeFileSync(join(dir, "_tampered.jwt"), `${tamper(readFileSync(join(dir, `${victim.id}.jwt`), "utf8"), adminRole)}\n`);
  if (!existsSync(join(dir, "_expired.jwt"))) throw new Error(`${dir}/_expired.jwt is missing: demo.sh issues it`);
  users.push(
    {
      id: "_expired",
      name: `${victim.name} — expired snapshot`,
      summary: "issued two hours ago with a 10-minute lifetime",
      file: `${ex.id}/_expired.jwt`,
      subject: victim.id,
      kind: "expired",
    },
    {
      id: "_tampered",
      name: `${victim.name} — tampered snapshot`,
      summary: `edited to add the ${model.roles.find((r) => r.id === adminRole)?.name} role; signature unchanged`,
      file: `${ex.id}/_tampered.jwt`,
      subject: victim.id,
      kind: "tampered",
    },
  );
  // Scope values worth offering as buttons: every value some role or user is granted.
  const scopes = {};
  for (const g of [
    ...model.roles.flatMap((r) => grantList(r.grants)),
    ...directory.users.flatMap((u) => grantList(u.grants)),
  ]) {
    if (!g.scope) continue;
    scopes[g.permission] = [...new Set([...(scopes[g.permission] ?? []), ...g.scope])].sort();
  }
  const resources = {};
  for (const r of directory.resources ?? []) resources[r.id] = { name: r.name ?? r.id, feature: r.feature, parent: r.parent ?? null };
  manifest.examples.push({
    id: ex.id,
    name: ex.name,
    tagline: ex.tagline,
    catalogue: existsSync(join(dir, "catalogue.jwt")) ? `${ex.id}/catalogue.jwt` : null,
    users,
    people: Object.fromEntries(directory.users.map((u) => [u.id, u.name])),
    scopes,
    resources,
  });
}
writeFileSync(join(out, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);

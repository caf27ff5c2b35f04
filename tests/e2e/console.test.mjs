// End-to-end tests of the demo console (www/) in Debian's Chromium, headless, driven by
// playwright-core. scripts/e2e.sh builds the console, serves it and sets E2E_URL.
//
// Asserts: for every example user of the decision table, the navigation shows exactly the
// expected items (in order); hidden items and disabled buttons explain themselves; the profile
// shows roles (direct and through teams) and permissions with provenance; a tampered and an
// expired snapshot show "No access" with the reason and no menu, also right after a user who
// had one. Screenshots go to tests/e2e/artifacts/.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, "..", "..");
const ARTIFACTS = join(HERE, "artifacts");
const BASE = process.env.E2E_URL;
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

const table = JSON.parse(readFileSync(join(ROOT, "tests", "vectors", "decisions.json"), "utf8"));
const menuCases = table.cases.filter((c) => c.check.menu === true);
const directory = (example) => JSON.parse(readFileSync(join(ROOT, "examples", example, "directory.json"), "utf8"));
const navIds = (example) => {
  const out = [];
  const walk = (items) => {
    for (const item of items) {
      out.push(item.id);
      if (item.children) walk(item.children);
    }
  };
  walk(JSON.parse(readFileSync(join(ROOT, "examples", example, "model.json"), "utf8")).nav);
  return out;
};

let context;
let profileDir;
const pageErrors = [];

const skip = BASE ? false : "E2E_URL is not set: run scripts/e2e.sh";

before(async () => {
  if (skip) return;
  mkdirSync(ARTIFACTS, { recursive: true });
  profileDir = mkdtempSync(join(tmpdir(), "permslip-e2e-chromium-"));
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
    viewport: { width: 1360, height: 900 },
  });
});

after(async () => {
  await context?.close();
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  if (!skip) assert.deepEqual(pageErrors, [], "no uncaught errors in the page");
});

async function open(hash) {
  const page = await context.newPage();
  page.on("pageerror", (e) => pageErrors.push(`${hash}: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") pageErrors.push(`${hash}: console: ${m.text()}`);
  });
  await page.goto(`${BASE}#/${hash}`);
  return page;
}

/** Waits until the console shows `user` with a settled session; returns the status. */
async function settled(page, user) {
  const app = page.locator(`.app[data-user="${user}"]:not([data-status="loading"])`);
  await app.waitFor({ timeout: 15_000 });
  return app.getAttribute("data-status");
}

const visibleNav = (page) => page.$$eval("[data-nav-id]", (els) => els.map((e) => e.dataset.navId));
const hiddenNav = (page) => page.$$eval("[data-hidden-id]", (els) => els.map((e) => e.dataset.hiddenId));
const shot = (page, name) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

describe("navigation equals the decision table", { skip }, () => {
  for (const c of menuCases) {
    test(`${c.example}/${c.user}`, async () => {
      const page = await open(`${c.example}/${c.user}`);
      try {
        assert.equal(await settled(page, c.user), "ready");
        assert.deepEqual(await visibleNav(page), c.expect.visible);
        assert.deepEqual(await hiddenNav(page), []);
        const name = directory(c.example).users.find((u) => u.id === c.user).name;
        assert.equal(await page.getByTestId("who-name").textContent(), name);
        if (c.expect.visible.length === 0) {
          await page.getByTestId("nav-empty").waitFor();
          await page.getByTestId("home-empty").waitFor();
        }
        await shot(page, `${c.example}-${c.user}`);

        // "Show what's hidden": the same visible items; every other item hidden, with a reason.
        await page.getByTestId("show-hidden").check();
        assert.deepEqual(await visibleNav(page), c.expect.visible);
        const hidden = await hiddenNav(page);
        assert.deepEqual(
          [...hidden].sort(),
          navIds(c.example).filter((id) => !c.expect.visible.includes(id)).sort(),
        );
        for (const title of await page.$$eval("[data-hidden-id]", (els) => els.map((e) => e.title))) {
          assert.ok(title.length > 0, "a hidden item has an explanation");
        }
      } finally {
        await page.close();
      }
    });
  }
});

describe("hidden and disabled items explain themselves", { skip }, () => {
  test("a level too low: Competencies for Max Mapper", async () => {
    const page = await open("ampliflow/mapper");
    try {
      await settled(page, "mapper");
      await page.getByTestId("show-hidden").check();
      const item = page.locator('[data-hidden-id="people/competencies"]');
      assert.match(await item.getAttribute("title"), /^Reader needed on Competencies/);
      await item.click();
      const box = page.getByTestId("explanation");
      await box.waitFor();
      assert.equal(await box.getAttribute("data-reason"), "level_too_low");
      const text = await page.getByTestId("explanation-text").textContent();
      assert.match(text, /^Reader needed on Competencies \(you have no level\)/);
      assert.match(text, /granted by Reader, Editor or Owner/);
      assert.match(text, /Planner/);
      assert.match(text, /ask an Administrator/);
      await shot(page, "explain-ampliflow-mapper-competencies");
    } finally {
      await page.close();
    }
  });

  test("revoked, product off and a hidden section: Ivan IT-Admin", async () => {
    const page = await open("amplify/it-admin/settings/account");
    try {
      await settled(page, "it-admin");
      assert.equal(await page.getByTestId("explanation").getAttribute("data-reason"), "revoked");
      assert.match(await page.getByTestId("explanation-text").textContent(), /^Manage Account Settings was revoked for you/);
      await page.getByTestId("show-hidden").check();
      assert.match(await page.locator('[data-hidden-id="connect/messages"]').getAttribute("title"), /^Connect is turned off/);
      // Export reports is granted, but its section needs View Reports, which is revoked.
      assert.match(
        await page.locator('[data-hidden-id="analytics/export"]').getAttribute("title"),
        /^Its section Analytics is hidden: View Reports was revoked for you/,
      );
    } finally {
      await page.close();
    }
  });

  test("explicit-only and scoped buttons: Mo Member", async () => {
    const page = await open("amplify/member/fax/send");
    try {
      await settled(page, "member");
      const row = (label) => page.locator(`[data-testid="action"][data-label="${label}"]`);
      assert.equal(await row("Send Faxes").getAttribute("data-allowed"), "true");
      assert.equal(await row("Send Faxes").locator("button").isEnabled(), true);
      for (const ok of ["+15550100", "+15550102"]) {
        assert.equal(await row(`Send From Numbers: ${ok}`).getAttribute("data-allowed"), "true");
      }
      const billing = row("Send From Numbers: +15550101");
      assert.equal(await billing.getAttribute("data-reason"), "scope_not_granted");
      assert.equal(await billing.locator("button").isDisabled(), true);
      assert.match(await billing.textContent(), /you have it only for \+15550100 and \+15550102/);
      await shot(page, "explain-amplify-member-send-fax");

      await page.goto(`${BASE}#/amplify/member/fax/ai`);
      assert.equal(await page.getByTestId("explanation").getAttribute("data-reason"), "explicit_only");
      assert.match(await page.getByTestId("explanation-text").textContent(), /must be granted explicitly/);
    } finally {
      await page.close();
    }
  });

  test("resources show the level each user has: Mats Manager's custom lists", async () => {
    const page = await open("ampliflow/manager/lists/custom-lists");
    try {
      await settled(page, "manager");
      const level = (id) => page.locator(`tr[data-resource="${id}"]`).getAttribute("data-level");
      assert.equal(await level("list-suppliers"), "reader");
      assert.equal(await level("list-incidents"), "editor");
      assert.match(await page.locator('tr[data-resource="list-incidents"]').textContent(), /Mia Member, whom you manage/);
    } finally {
      await page.close();
    }
  });
});

describe("the profile shows roles, teams and permissions with provenance", { skip }, () => {
  test("Tess: a role only through a team", async () => {
    const page = await open("ampliflow/tess/profile");
    try {
      await settled(page, "tess");
      await page.getByTestId("profile").waitFor();
      const roles = await page.$$eval("[data-role]", (els) => els.map((e) => `${e.dataset.role} ${e.dataset.via}`));
      assert.deepEqual(roles.sort(), ["mapper team:quality", "user base"]);
      assert.match(await page.locator('[data-role="mapper"]').textContent(), /through team Quality/);
      const teams = await page.$$eval("[data-team]", (els) => els.map((e) => e.dataset.team));
      assert.deepEqual(teams.sort(), ["all-users", "quality"]);
      assert.match(await page.locator('[data-permission="profile.edit"]').textContent(), /role Mapper \(through team Quality\)/);
      assert.match(await page.locator('[data-feature="deviations"]').textContent(), /Editor.*team Quality/);
      await shot(page, "profile-ampliflow-tess");
    } finally {
      await page.close();
    }
  });

  test("Fran: a custom role directly and Member through a team; scoped permissions", async () => {
    const page = await open("amplify/fax-clerk/profile");
    try {
      await settled(page, "fax-clerk");
      const roles = await page.$$eval("[data-role]", (els) => els.map((e) => `${e.dataset.role} ${e.dataset.via}`));
      assert.deepEqual(roles.sort(), ["fax-operator direct", "member team:front-desk"]);
      const sendFrom = await page.locator('[data-permission="fax.send_from"]').textContent();
      assert.match(sendFrom, /\+15550100, \+15550101/);
      assert.match(sendFrom, /role Fax Operator \(assigned to you\) and role Member \(through team Front desk\)/);
    } finally {
      await page.close();
    }
  });
});

describe("failure paths show no access with the reason", { skip }, () => {
  test("switching from Admin to a tampered snapshot: bad_signature, and Admin's menu is gone", async () => {
    const page = await open("amplify/admin");
    try {
      assert.equal(await settled(page, "admin"), "ready");
      assert.ok((await visibleNav(page)).length > 40);
      await page.getByTestId("user-switcher").selectOption("_tampered");
      assert.equal(await settled(page, "_tampered"), "error");
      const box = page.getByTestId("no-access");
      assert.equal(await box.getAttribute("data-reason"), "bad_signature");
      assert.match(await box.textContent(), /invalid signature/);
      assert.equal(await page.getByTestId("session-status").getAttribute("data-status"), "error");
      assert.deepEqual(await visibleNav(page), []);
      // Even the hidden view offers nothing: every item is denied.
      await page.getByTestId("show-hidden").check();
      assert.deepEqual(await visibleNav(page), []);
      await shot(page, "failure-amplify-tampered");
    } finally {
      await page.close();
    }
  });

  test("an expired snapshot: reason expired, no menu", async () => {
    const page = await open("ampliflow/administrator");
    try {
      assert.equal(await settled(page, "administrator"), "ready");
      await page.getByTestId("user-switcher").selectOption("_expired");
      assert.equal(await settled(page, "_expired"), "expired");
      assert.equal(await page.getByTestId("no-access").getAttribute("data-reason"), "expired");
      assert.equal(await page.getByTestId("no-access-reason").textContent(), "expired");
      assert.deepEqual(await visibleNav(page), []);
      await shot(page, "failure-ampliflow-expired");
    } finally {
      await page.close();
    }
  });
});

describe("the demo snapshots", { skip }, () => {
  test("are cookie-sized: each model's catalogue travels as a signed bundle beside them", async () => {
    const manifest = await (await fetch(new URL("demo/manifest.json", BASE))).json();
    for (const example of manifest.examples) {
      assert.equal(example.catalogue, `${example.id}/catalogue.jwt`, "scripts/demo.sh issues with --catalogue auto");
      for (const user of example.users.filter((u) => u.kind === "user")) {
        const token = await (await fetch(new URL(`demo/${user.file}`, BASE))).text();
        assert.ok(token.trim().length <= 4096, `${user.file}: ${token.length} bytes`);
      }
    }
  });
});

describe("the product switch", { skip }, () => {
  test("Amplify → AmpliFlow keeps the user and shows that product's menu", async () => {
    const page = await open("amplify/manager");
    try {
      await settled(page, "manager");
      await page.getByTestId("product-ampliflow").click();
      await page.locator('.app[data-example="ampliflow"][data-user="manager"][data-status="ready"]').waitFor();
      const expected = menuCases.find((c) => c.example === "ampliflow" && c.user === "manager").expect.visible;
      assert.deepEqual(await visibleNav(page), expected);
    } finally {
      await page.close();
    }
  });
});

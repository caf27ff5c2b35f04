// permslip/session with a fake clock: background refresh before expiry, atomic swaps,
// subscribers, deny with reason `expired` after expiry without a fresh snapshot, failures,
// retries with backoff, rollback refusal, stop().
import assert from "node:assert/strict";
import { test } from "node:test";
import { Permslip, PermslipError } from "permslip";
import { createSession } from "../../pkg/src/session.js";
import {
  AUDIENCE,
  JWKS_JSON,
  NOW_MS,
  NOW_S,
  sampleClaims,
  sampleSlip,
  signCatalogueWithJose,
  signWithJose,
} from "./helpers.mjs";

/** A clock whose time moves only when told; timers fire in order as it moves. */
class FakeClock {
  constructor(ms) {
    this.ms = ms;
    this.timers = new Map();
    this.nextId = 1;
    this.delays = [];
    this.now = () => this.ms;
    this.setTimeout = (fn, delay) => {
      const id = this.nextId++;
      this.delays.push(delay);
      this.timers.set(id, { at: this.ms + delay, fn });
      return id;
    };
    this.clearTimeout = (id) => {
      this.timers.delete(id);
    };
  }

  /** Moves time forward by `ms`, firing due timers in order and letting promises settle. */
  async advance(ms) {
    const target = this.ms + ms;
    for (;;) {
      await settle();
      let next = null;
      for (const [id, t] of this.timers) {
        if (t.at <= target && (next === null || t.at < next[1].at)) next = [id, t];
      }
      if (next === null) break;
      this.timers.delete(next[0]);
      this.ms = Math.max(this.ms, next[1].at);
      next[1].fn();
    }
    this.ms = target;
    await settle();
  }
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

const token = (claims) => signWithJose(sampleClaims(claims));

/** fetchSnapshot that answers from a queue (the last entry repeats) and counts calls. */
function server(...answers) {
  const queue = [...answers];
  const fetch = async () => {
    fetch.calls++;
    const next = queue.length > 1 ? queue.shift() : queue[0];
    if (next instanceof Error) throw next;
    return next;
  };
  fetch.calls = 0;
  fetch.push = (...more) => queue.push(...more);
  fetch.replace = (...more) => queue.splice(0, queue.length, ...more);
  return fetch;
}

function session(fetchSnapshot, clock, extra = {}) {
  return createSession({ fetchSnapshot, jwks: JWKS_JSON, audience: AUDIENCE, clock, leeway: 5, ...extra });
}

test("loads, answers, then refreshes in the background before expiry and swaps atomically", async () => {
  const clock = new FakeClock(NOW_MS);
  const first = await token({ exp: NOW_S + 600, serial: 1 });
  const second = await token({ iat: NOW_S + 480, exp: NOW_S + 1080, serial: 2 });
  const fetch = server(first, second);
  const s = session(fetch, clock);
  const seen = [];
  s.subscribe((state) => seen.push(state));

  assert.equal(s.getState().status, "loading");
  assert.equal(s.checker.can("reports.view"), false, "loading denies");
  assert.equal(s.checker.explain({ permission: "reports.view" }).reason, "invalid");

  const state = await s.start();
  assert.equal(state.status, "ready");
  assert.equal(s.checker.serial, 1);
  assert.equal(s.checker.can("reports.view"), true);
  assert.equal(state.expiresAt.getTime(), (NOW_S + 600) * 1000);
  // 20% of the 600 s left: refresh 120 s before expiry.
  assert.equal(state.refreshAt.getTime(), (NOW_S + 480) * 1000);
  assert.equal(seen.length, 1);
  assert.equal(fetch.calls, 1);

  await clock.advance(479_000);
  assert.equal(fetch.calls, 1, "no refresh before refreshAt");
  const before = s.getState();
  await clock.advance(1_000);
  assert.equal(fetch.calls, 2, "refreshed at refreshAt");
  const after = s.getState();
  assert.notEqual(after, before, "a new state object");
  assert.equal(after.checker.serial, 2);
  assert.equal(after.status, "ready");
  assert.equal(after.expiresAt.getTime(), (NOW_S + 1080) * 1000);
  // The old state is untouched (frozen), and its checker still answers until its own expiry.
  assert.equal(before.checker.serial, 1);
  assert.ok(Object.isFrozen(after));
  assert.equal(seen.length, 2);
  assert.equal(seen[1], after);
  s.stop();
});

test("after expiry without a fresh snapshot, everything denies with reason expired; a later success recovers", async () => {
  const clock = new FakeClock(NOW_MS);
  const fetch = server(await token({ exp: NOW_S + 100 }), new Error("network down"));
  const s = session(fetch, clock);
  await s.start();
  assert.equal(s.checker.can("reports.view"), true);

  // Refresh at 80 s fails; retries at +2, +4, +8... keep failing; the snapshot still answers.
  await clock.advance(90_000);
  assert.ok(fetch.calls >= 2);
  assert.equal(s.getState().status, "ready");
  assert.equal(s.getState().error.message, "network down");
  assert.equal(s.checker.can("reports.view"), true);

  // exp + leeway (5 s): expired.
  await clock.advance(15_000 - 1);
  assert.equal(s.getState().status, "ready");
  await clock.advance(1);
  const state = s.getState();
  assert.equal(state.status, "expired");
  assert.equal(state.checker.can("reports.view"), false);
  assert.equal(state.checker.explain({ permission: "reports.view" }).reason, "expired");
  assert.equal(state.checker.explain({ feature: "documents", action: "view" }).reason, "expired");
  assert.deepEqual(state.checker.filterMenu([{ id: "r", requires: { permission: "reports.view" } }]), []);

  // The backend comes back: the next retry loads a fresh snapshot.
  const fresh = await token({ iat: NOW_S + 100, nbf: NOW_S + 100, exp: NOW_S + 900, serial: 8 });
  fetch.replace(fresh);
  await clock.advance(60_000);
  assert.equal(s.getState().status, "ready");
  assert.equal(s.getState().error, null);
  assert.equal(s.checker.can("reports.view"), true);
  s.stop();
});

test("retries back off exponentially up to maxRetryDelay", async () => {
  const clock = new FakeClock(NOW_MS);
  const fetch = server(new Error("down"));
  const s = session(fetch, clock, { retryDelay: 1, maxRetryDelay: 8 });
  await s.start();
  assert.equal(s.getState().status, "error");
  const times = [];
  const at = () => s.getState().refreshAt.getTime() - clock.ms;
  for (let i = 0; i < 6; i++) {
    times.push(at());
    await clock.advance(at());
  }
  assert.deepEqual(times, [1000, 2000, 4000, 8000, 8000, 8000]);
  s.stop();
});

test("a tampered snapshot: status error, reason invalid, the error code says why", async () => {
  const clock = new FakeClock(NOW_MS);
  const good = await token({});
  const [h, p, sig] = good.split(".");
  const claims = JSON.parse(Buffer.from(p, "base64url").toString());
  claims.slip.user.roles = ["admin"];
  const tampered = `${h}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${sig}`;
  const s = session(server(tampered), clock);
  const state = await s.start();
  assert.equal(state.status, "error");
  assert.ok(state.error instanceof PermslipError);
  assert.equal(state.error.code, "bad_signature");
  assert.equal(state.checker.can("reports.view"), false);
  assert.equal(state.checker.explain({ permission: "reports.view" }).reason, "invalid");
  s.stop();
});

test("an already expired snapshot: status expired, reason expired", async () => {
  const clock = new FakeClock(NOW_MS);
  const s = session(server(await token({ iat: NOW_S - 4000, nbf: NOW_S - 4000, exp: NOW_S - 3600 })), clock);
  const state = await s.start();
  assert.equal(state.status, "expired");
  assert.equal(state.error.code, "expired");
  assert.equal(state.checker.explain({ permission: "reports.view" }).reason, "expired");
  s.stop();
});

test("switching users never shows the previous user's permissions: a new session starts denying", async () => {
  const clock = new FakeClock(NOW_MS);
  const a = session(server(await token({})), clock);
  await a.start();
  assert.equal(a.checker.can("reports.view"), true);
  a.stop();
  let release;
  const slow = () => new Promise((resolve) => (release = resolve));
  const b = session(slow, clock);
  const started = b.start();
  assert.equal(b.getState().status, "loading");
  assert.equal(b.checker.can("reports.view"), false);
  release(await token({ sub: "bob" }));
  await started;
  assert.equal(b.checker.subject, "bob");
  b.stop();
});

test("an older snapshot (lower serial) is refused as a rollback; the current one stays", async () => {
  const clock = new FakeClock(NOW_MS);
  const fetch = server(await token({ serial: 9 }), await token({ serial: 3 }));
  const s = session(fetch, clock);
  await s.start();
  await s.refresh();
  const state = s.getState();
  assert.equal(state.status, "ready");
  assert.equal(state.checker.serial, 9);
  assert.equal(state.error.code, "rollback");
  s.stop();
});

test("concurrent refresh() calls share one fetch; { token } objects are accepted", async () => {
  const clock = new FakeClock(NOW_MS);
  const t = await token({});
  const fetch = server({ token: t });
  const s = session(fetch, clock);
  await s.start();
  const [x, y] = await Promise.all([s.refresh(), s.refresh()]);
  assert.equal(fetch.calls, 2);
  assert.equal(x, y);
  s.stop();
});

test("stop() aborts the running fetch and drops its result; no timer is left", async () => {
  const clock = new FakeClock(NOW_MS);
  let signal;
  let release;
  const s = session((sig) => {
    signal = sig;
    return new Promise((resolve) => (release = resolve));
  }, clock);
  const seen = [];
  s.subscribe((state) => seen.push(state));
  const started = s.start();
  s.stop();
  assert.equal(signal.aborted, true);
  release(await token({}));
  await started;
  await clock.advance(3_600_000);
  assert.equal(seen.length, 0);
  assert.equal(s.getState().status, "loading");
  assert.equal(clock.timers.size, 0);
});

test("a snapshot valid for decades arms no timer longer than setTimeout can hold", async () => {
  const clock = new FakeClock(NOW_MS);
  const s = session(server(await token({ exp: 4_102_444_800 })), clock);
  await s.start();
  assert.ok(clock.delays.length > 0);
  for (const d of clock.delays) assert.ok(d <= 2 ** 31 - 1, `delay ${d}`);
  // Firing the capped timer early re-arms instead of refreshing.
  await clock.advance(2 ** 31 - 1);
  assert.equal(s.getState().status, "ready");
  s.stop();
});

test("the same snapshot again is not swapped; the session asks again with backoff", async () => {
  const clock = new FakeClock(NOW_MS);
  const fetch = server(await token({ exp: NOW_S + 600, serial: 4 }));
  const s = session(fetch, clock, { retryDelay: 1 });
  const seen = [];
  await s.start();
  const first = s.checker;
  s.subscribe((state) => seen.push(state));
  await clock.advance(480_000); // refreshAt: the same token comes back
  assert.equal(fetch.calls, 2);
  assert.equal(s.checker, first, "no swap for the same snapshot");
  assert.equal(s.getState().refreshAt.getTime(), clock.ms + 1000);
  await clock.advance(1000);
  assert.equal(fetch.calls, 3);
  assert.equal(s.getState().refreshAt.getTime(), clock.ms + 2000, "backing off");
  assert.ok(seen.every((state) => state.checker === first && state.status === "ready"));
  s.stop();
});

test("a catalogue bundle returned as a token is verified once and reused", async () => {
  const clock = new FakeClock(NOW_MS);
  const { catalogue, ...slip } = sampleSlip();
  const { token: bundle, hash } = await signCatalogueWithJose(catalogue);
  const snapshot = await signWithJose(sampleClaims({ slip: { ...slip, catalogue_hash: hash } }));
  const fetch = server({ token: snapshot, catalogue: bundle });
  const s = session(fetch, clock);
  const state = await s.start();
  assert.equal(state.status, "ready", state.error?.message);
  assert.equal(s.checker.can("reports.view"), true);

  // Without the bundle: missing_catalogue.
  const bare = session(server(snapshot), clock);
  const refused = await bare.start();
  assert.equal(refused.status, "error");
  assert.equal(refused.error.code, "missing_catalogue");
  s.stop();
  bare.stop();
});

test("options are checked", () => {
  assert.throws(() => createSession({}), (e) => e.code === "invalid_argument");
  assert.throws(
    () => createSession({ fetchSnapshot: () => "", jwks: JWKS_JSON, audience: AUDIENCE, retryDelay: -1 }),
    (e) => e.code === "invalid_argument",
  );
  assert.ok(createSession({ fetchSnapshot: () => "", jwks: JWKS_JSON, audience: AUDIENCE }).checker instanceof Permslip);
});

// Shared by the edge suites: paths, the published TEST-ONLY keys, golden snapshots, re-signing
// with npm `jose`, and starting/stopping processes on 127.0.0.1 (stopped by PID only).
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { CompactSign, importJWK } from "jose";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const AUDIENCE = "permslip-demo";
export const read = (...p) => readFileSync(join(ROOT, ...p), "utf8");
export const JWKS_JSON = read("tests", "keys", "test-jwks.json");
export const PRIVATE_JWK = JSON.parse(read("tests", "keys", "test-private.jwk.json"));
export const CATALOGUE = read("tests", "golden", "amplify", "catalogue.jwt").trim();
export const EXAMPLE_ROUTES = JSON.parse(read("examples", "edge-worker", "routes.json"));
export const AMPLIFLOW_ROUTES = JSON.parse(read("tests", "edge", "ampliflow-routes.json"));

/** A golden snapshot: `golden("amplify", "member")`. */
export const golden = (example, user) => read("tests", "golden", example, `${user}.jwt`).trim();

/** The claims of a token (unverified: for building test tokens only). */
export const claimsOf = (token) => JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString("utf8"));

/** Signs claims with the TEST-ONLY key using `jose` (EdDSA, kid test-1, typ permslip+jwt). */
export async function sign(claims, jwk = PRIVATE_JWK) {
  const key = await importJWK(jwk, "EdDSA");
  return new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
    .setProtectedHeader({ alg: "EdDSA", kid: jwk.kid, typ: "permslip+jwt" })
    .sign(key);
}

/** A golden user's slip re-signed with other times (Unix seconds) and claims. */
export function resign(example, user, times, extra = {}) {
  return sign({ ...claimsOf(golden(example, user)), ...times, ...extra });
}

/** The payload segment changed (sub -> `admin`) under the original signature. */
export function tamperPayload(token, sub = "admin") {
  const [h, , s] = token.split(".");
  const claims = claimsOf(token);
  claims.sub = sub;
  return `${h}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${s}`;
}

/** One signature bit flipped (the last base64url character changed). */
export function tamperSignature(token) {
  const last = token.at(-1);
  return token.slice(0, -1) + (last === "A" ? "Q" : "A");
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * Spawns a server process and waits until `url` answers (any HTTP status). Resolves
 * `{ child, output(), stop() }`; rejects with the output if it exits or never answers.
 */
export async function startProcess(command, args, { env = {}, cwd = ROOT, url, timeoutMs = 20_000 } = {}) {
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) process.kill(child.pid, "SIGTERM");
    const done = await Promise.race([exited, sleep(5000).then(() => null)]);
    if (done === null) process.kill(child.pid, "SIGKILL");
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${command} exited with ${child.exitCode}:\n${out}`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(1000) });
      return { child, output: () => out, stop, exited };
    } catch {
      await sleep(50);
    }
  }
  await stop();
  throw new Error(`${command} did not answer on ${url}:\n${out}`);
}

/** Runs a process to completion (for start-up failures); resolves `{ code, output }`. */
export function runProcess(command, args, { env = {}, cwd = ROOT, timeoutMs = 20_000 } = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    const timer = setTimeout(() => process.kill(child.pid, "SIGKILL"), timeoutMs);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output: out });
    });
  });
}

/** Median of `n` timings (ms) of `fn`, after `warm` untimed runs. */
export function median(fn, n, warm = 20) {
  for (let i = 0; i < warm; i++) fn(i);
  const t = new Array(n);
  for (let i = 0; i < n; i++) {
    const a = performance.now();
    fn(i);
    t[i] = performance.now() - a;
  }
  t.sort((x, y) => x - y);
  return t[n >> 1];
}

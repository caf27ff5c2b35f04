// Lite tokens for the Node suites (lite.test.mjs, and the Chromium and workerd suites that replay
// tests/js/lite-battery.mjs): issued by the CLI (`permslip issue --format lite`, built if needed)
// for every example user, with the golden snapshots' parameters (scripts/gen-golden.sh), plus a
// few hand-signed variants for the error cases. Node only: the battery itself is runtime-neutral
// and gets everything from `liteFixtures()` as JSON.
import { execFileSync, spawnSync } from "node:child_process";
import { createPrivateKey, sign as edSign } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AUDIENCE, JWKS_JSON, PRIVATE_JWK, PRIVATE_JWK_2, readJson, ROOT } from "./helpers.mjs";

export const LITE_EXAMPLES = ["amplify", "ampliflow"];
export const ISSUED_AT = 1_764_000_000;
export const LITE_TTL = 2_338_444_800;
/** `permslip issue` arguments of the example tokens (add `--out-dir` or `--subject`). */
export const ISSUE = ["--iss", "permslip-test", "--aud", AUDIENCE, "--now", String(ISSUED_AT), "--ttl", String(LITE_TTL), "--serial", "1"];
/** A time inside every example token's validity, in ms. */
export const LITE_NOW = (ISSUED_AT + 1) * 1000;
export const LITE_BIN = join(ROOT, "target", "debug", "permslip");
export const LITE_WASM = join(ROOT, "pkg", "dist", "permslip_lite.wasm");

let cli; // the CLI's path, null when it cannot be had; undefined until asked

// The CLI with `--format lite`, built if needed; null when it cannot be had.
function liteCli() {
  if (cli === undefined) {
    const supportsLite = () =>
      existsSync(LITE_BIN) && spawnSync(LITE_BIN, ["issue", "--help"], { encoding: "utf8" }).stdout.includes("--format");
    if (!supportsLite()) spawnSync("cargo", ["build", "-q", "--features", "cli"], { cwd: ROOT, stdio: "ignore" });
    cli = supportsLite() ? LITE_BIN : null;
  }
  return cli;
}

/** Why lite tokens cannot be had (a `skip` reason), or false when they can. */
export function liteSkip() {
  if (!existsSync(LITE_WASM)) return "pkg/dist/permslip_lite.wasm is missing: run scripts/build-wasm.sh first";
  if (liteCli() === null) return "no permslip CLI with --format lite (cargo build --features cli)";
  return false;
}

/** `permslip issue --format lite` for an example with `args`; its stdout, trimmed. */
export function issueLite(example, ...args) {
  return execFileSync(
    liteCli(),
    ["issue", "--model", `examples/${example}/model.json`, "--directory", `examples/${example}/directory.json`, "--key", "tests/keys/test-private.jwk.json", "--format", "lite", ...args],
    { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
  ).trim();
}

/** Issues every example user's token (with `ISSUE`) into `dir`/<example>/; example -> user -> token. */
export function issueLiteTokens(dir) {
  const tokens = {};
  for (const example of LITE_EXAMPLES) {
    const out = join(dir, example);
    issueLite(example, ...ISSUE, "--out-dir", out);
    tokens[example] = {};
    for (const { id } of readJson("examples", example, "directory.json").users) {
      tokens[example][id] = readFileSync(join(out, `${id}.lite.jwt`), "utf8").trim();
    }
  }
  return tokens;
}

const b64 = (s) => Buffer.from(s).toString("base64url");

/** A compact JWS of `header` and `payload` (both already base64url), signed with `jwk`. */
export function signLiteParts(header, payload, jwk = PRIVATE_JWK) {
  const input = `${header}.${payload}`;
  return `${input}.${edSign(null, Buffer.from(input), createPrivateKey({ key: jwk, format: "jwk" })).toString("base64url")}`;
}

const liteHeader = (kid, alg = "EdDSA") => b64(`{"alg":"${alg}","typ":"permslip-lite","kid":"${kid}"}`);

/**
 * Everything lite-battery.mjs needs, as JSON-able data: the example tokens, models and
 * directories, the decision table, a short-lived token, and hand-signed variants. Or
 * `{ skip }` when lite tokens cannot be had.
 */
export function liteFixtures() {
  const skip = liteSkip();
  if (skip) return { skip };
  const dir = mkdtempSync(join(tmpdir(), "permslip-lite-fixtures-"));
  try {
    const tokens = issueLiteTokens(dir);
    const examples = {};
    for (const example of LITE_EXAMPLES) {
      examples[example] = {
        model: readJson("examples", example, "model.json"),
        directory: readJson("examples", example, "directory.json"),
        tokens: tokens[example],
      };
    }
    const good = tokens.ampliflow.member;
    const [, payload] = good.split(".");
    const golden = join(ROOT, "tests", "golden", "ampliflow", "member.jwt");
    return {
      jwks: JWKS_JSON,
      audience: AUDIENCE,
      issuer: "permslip-test",
      issuedAt: ISSUED_AT,
      exp: ISSUED_AT + LITE_TTL,
      now: LITE_NOW,
      examples,
      table: readJson("tests", "vectors", "decisions.json"),
      // ampliflow's manager for 100 s, serial 3: expiry with a test clock.
      short: issueLite("ampliflow", ...ISSUE.slice(0, 6), "--ttl", "100", "--serial", "3", "--subject", "manager"),
      // ampliflow/member's payload under other headers and keys.
      variants: {
        otherKid: signLiteParts(liteHeader("test-2"), payload, PRIVATE_JWK_2),
        unknownKid: signLiteParts(liteHeader("k-unknown"), payload),
        otherKey: signLiteParts(liteHeader("test-1"), payload, { ...PRIVATE_JWK_2, kid: "test-1" }),
        quoteInKid: signLiteParts(liteHeader('a"b'), payload),
        hs256: signLiteParts(liteHeader("test-1", "HS256"), payload),
        notLitePayload: signLiteParts(liteHeader("test-1"), b64("{}")),
        cutShort: signLiteParts(liteHeader("test-1"), b64(Buffer.from(payload, "base64url").subarray(0, -1))),
        trailingByte: signLiteParts(liteHeader("test-1"), b64(Buffer.concat([Buffer.from(payload, "base64url"), Buffer.of(0)]))),
        signatureNotCanonical: `${good.split(".").slice(0, 2).join(".")}.${b64(Buffer.concat([Buffer.from(good.split(".")[2], "base64url").subarray(0, 32), Buffer.alloc(32, 0xff)]))}`,
        fullToken: existsSync(golden) ? readFileSync(golden, "utf8").trim() : null,
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

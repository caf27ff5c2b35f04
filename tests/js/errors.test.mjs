// (a2) Every rejection cause gives a PermslipError (a real Error subclass) with its stable code.
// Bad tokens are built here with `jose` and the published test key.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Catalogue, KeySet, Permslip, PermslipError } from "permslip";
import {
  AUDIENCE,
  JWKS_JSON,
  NOW_MS,
  NOW_S,
  PRIVATE_JWK,
  PRIVATE_JWK_2,
  sampleClaims,
  sampleSlip,
  signCatalogueWithJose,
  signRaw,
  signWithJose,
} from "./helpers.mjs";

const b64 = (s) => Buffer.from(s).toString("base64url");
const opts = (extra = {}) => ({ jwks: JWKS_JSON, audience: AUDIENCE, now: NOW_MS, ...extra });

function rejects(fn, code, what) {
  let error;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  assert.ok(error, `${what}: expected PermslipError ${code}, nothing was thrown`);
  assert.ok(error instanceof PermslipError, `${what}: ${error} is not a PermslipError`);
  assert.ok(error instanceof Error, `${what}: not an Error`);
  assert.equal(error.name, "PermslipError");
  assert.equal(error.code, code, `${what}: ${error.message}`);
  assert.equal(typeof error.message, "string");
  assert.ok(error.message.length > 0 && !error.message.endsWith("."), `${what}: message style: ${error.message}`);
  assert.ok(typeof error.stack === "string");
  return error;
}

const withSlip = (mutate) => {
  const slip = sampleSlip();
  mutate(slip);
  return sampleClaims({ slip });
};

test("every token rejection has its code", async () => {
  const good = await signWithJose(sampleClaims());
  const [h, p, s] = good.split(".");
  const flip = (part) => part.slice(0, 10) + (part[10] === "A" ? "B" : "A") + part.slice(11);

  const cases = [
    ["malformed", "two parts", "a.b"],
    ["malformed", "four parts", `${good}.x`],
    ["malformed", "bad base64", `${h}.${p}.!!!`],
    ["malformed", "header not JSON", `${b64("nope")}.${p}.${s}`],
    ["malformed", "wrong typ", await signWithJose(sampleClaims(), { header: { typ: "text/plain" } })],
    ["malformed", "crit header", signRaw({ alg: "EdDSA", kid: "test-1", crit: ["exp"], exp: 1 }, JSON.stringify(sampleClaims()))],
    ["malformed", "payload not JSON", await signWithJose("not json")],
    ["malformed", "duplicate claim", await signWithJose(`{"sub":"ada","sub":"eve"}`)],
    ["malformed", "unknown claim", await signWithJose(sampleClaims({ role: "admin" }))],
    ["malformed", "missing claim", await signWithJose({ ...sampleClaims(), exp: undefined })],
    ["malformed", "slip for someone else", await signWithJose(sampleClaims({ sub: "eve", slip: sampleSlip("ada") }))],
    ["bad_signature", "tampered payload", `${h}.${flip(p)}.${s}`],
    ["bad_signature", "tampered signature", `${h}.${p}.${flip(s)}`],
    ["bad_signature", "signed by the other key", await signWithJose(sampleClaims(), { jwk: { ...PRIVATE_JWK_2, kid: PRIVATE_JWK.kid } })],
    ["unknown_key", "unknown kid", await signWithJose(sampleClaims(), { header: { kid: "k-unknown" } })],
    ["unsupported_algorithm", "alg none", `${b64('{"alg":"none","kid":"test-1"}')}.${p}.`],
    ["unsupported_algorithm", "alg HS256", `${b64('{"alg":"HS256","kid":"test-1"}')}.${p}.${s}`],
    ["expired", "exp long past", await signWithJose(sampleClaims({ iat: NOW_S - 7200, nbf: NOW_S - 7200, exp: NOW_S - 3600 }))],
    ["not_yet_valid", "nbf in the future", await signWithJose(sampleClaims({ nbf: NOW_S + 3600 }))],
    ["wrong_audience", "other audience", await signWithJose(sampleClaims({ aud: "other-app" }))],
    ["unsupported_version", "psv 2", await signWithJose(sampleClaims({ psv: 2 }))],
    ["unsupported_version", "slip v 2", await signWithJose(withSlip((s) => (s.v = 2)))],
    ["unknown_reference", "unknown role", await signWithJose(withSlip((s) => s.user.roles.push("ghost")))],
    ["duplicate_name", "duplicate permission", await signWithJose(withSlip((s) => s.catalogue.permissions.push({ id: "fax.send" })))],
    ["bad_wildcard", "bad wildcard", await signWithJose(withSlip((s) => s.user.grants.push("fa*x")))],
    ["implies_explicit", "implies explicit", await signWithJose(withSlip((s) => s.catalogue.permissions.push({ id: "ocr.all", implies: ["fax.ai_ocr"] })))],
    ["cycle", "implication cycle", await signWithJose(withSlip((s) => s.catalogue.permissions.push({ id: "a", implies: ["b"] }, { id: "b", implies: ["a"] })))],
    ["limit_exceeded", "16 levels", await signWithJose(withSlip((s) => (s.catalogue.levels = Array.from({ length: 16 }, (_, i) => `l${i}`))))],
  ];
  for (const [code, what, token] of cases) rejects(() => Permslip.load(token, opts()), code, what);

  rejects(() => Permslip.load(good, opts({ issuer: "https://evil.example" })), "wrong_issuer", "issuer");
  rejects(() => Permslip.load(good, opts({ subject: "eve" })), "wrong_subject", "subject");
  rejects(() => Permslip.load(good, opts({ minSerial: 8 })), "rollback", "serial");
  assert.equal(Permslip.load(good, opts({ minSerial: 7 })).serial, 7);
  rejects(() => Permslip.load(good, opts({ maxTokenBytes: 100 })), "too_large", "max bytes (JS pre-check)");
  // Exactly at the JS length but over in UTF-8 bytes: Rust's own check decides.
  const wide = "é".repeat(60);
  rejects(() => Permslip.load(wide, opts({ maxTokenBytes: 100 })), "too_large", "max bytes (Rust check)");
  rejects(() => Permslip.load(good, opts({ now: NOW_MS + 3600_000 })), "expired", "clock past exp");
  // The leeway applies on both sides.
  Permslip.load(good, opts({ now: NOW_MS + 630_000 }));
  rejects(() => Permslip.load(good, opts({ now: NOW_MS + 630_000, leeway: 0 })), "expired", "no leeway");
  // The signature error is opaque: it never says which check failed.
  const e = rejects(() => Permslip.load(`${h}.${flip(p)}.${s}`, opts()), "bad_signature", "opaque");
  assert.equal(e.message, "invalid signature");
});

test("every key-set rejection has its code", () => {
  const jwk = JSON.parse(JWKS_JSON).keys[0];
  const bad = [
    ["not JSON", "{"],
    ["not an object", 42],
    ["null", null],
    ["no keys", { keys: [] }],
    ["only RSA", { keys: [{ kty: "RSA", n: "x", e: "AQAB", kid: "r" }] }],
    ["private key", { keys: [{ ...PRIVATE_JWK }] }],
    ["no kid", { keys: [{ ...jwk, kid: undefined }] }],
    ["bad x", { keys: [{ ...jwk, x: "short" }] }],
    ["weak key", { keys: [{ ...jwk, x: b64(Buffer.alloc(32)) }] }],
    ["wrong alg", { keys: [{ ...jwk, alg: "RS256" }] }],
    ["wrong use", { keys: [{ ...jwk, use: "enc" }] }],
    ["duplicate kid", { keys: [jwk, jwk] }],
    ["cyclic object", (() => { const o = { keys: [] }; o.self = o; return o; })()],
  ];
  for (const [what, jwks] of bad) {
    rejects(() => KeySet.parse(jwks), "invalid_key_set", what);
  }
  rejects(() => Permslip.load("a.b.c", { jwks: { keys: [] }, audience: AUDIENCE }), "invalid_key_set", "via load");
});

test("catalogue bundle rejections have their codes", async () => {
  const slip = sampleSlip();
  const { token: bundle, hash } = await signCatalogueWithJose(slip.catalogue);
  const catalogue = Catalogue.load(bundle, opts());
  const named = { ...slip, catalogue: undefined, catalogue_hash: hash };
  const token = await signWithJose(sampleClaims({ slip: named }));
  assert.equal(Permslip.load(token, opts({ catalogue })).can("fax.send"), true);
  rejects(() => Permslip.load(token, opts()), "missing_catalogue", "no bundle given");
  const other = await signCatalogueWithJose({ ...slip.catalogue, model: "Other" });
  rejects(() => Permslip.load(token, opts({ catalogue: Catalogue.load(other.token, opts()) })), "catalogue_mismatch", "other bundle");
  rejects(() => Permslip.load(token, opts({ catalogue: bundle })), "invalid_argument", "a string is not a Catalogue");
  // A slip with an inline catalogue ignores the bundle.
  assert.equal(Permslip.load(await signWithJose(sampleClaims()), opts({ catalogue })).can("fax.send"), true);

  const bad = [
    ["malformed", "no catalogue typ", (await signCatalogueWithJose(slip.catalogue, { header: { typ: "permslip+jwt" } })).token],
    ["malformed", "a snapshot is not a bundle", token],
    ["wrong_audience", "other audience", (await signCatalogueWithJose(slip.catalogue, { claims: { aud: "other" } })).token],
    ["expired", "expired bundle", (await signCatalogueWithJose(slip.catalogue, { claims: { exp: NOW_S - 3600 } })).token],
    ["unsupported_version", "psv 2", (await signCatalogueWithJose(slip.catalogue, { claims: { psv: 2 } })).token],
    ["duplicate_name", "inconsistent catalogue", (await signCatalogueWithJose({ ...slip.catalogue, permissions: [{ id: "a" }, { id: "a" }] })).token],
    ["bad_signature", "tampered", bundle.replace(/\.(.{20})(.)/, (_, a, c) => `.${a}${c === "A" ? "B" : "A"}`)],
  ];
  for (const [code, what, t] of bad) rejects(() => Catalogue.load(t, opts()), code, what);
  rejects(() => Catalogue.load(bundle, opts({ issuer: "someone-else" })), "wrong_issuer", "issuer");
  rejects(() => Catalogue.load(null, opts()), "malformed", "null");
});

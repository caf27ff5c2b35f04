//! Ed25519 edge cases as whole snapshot tokens: `tests/vectors/ed25519.json`.
//!
//! The wasm build can leave the group equation to the host's Ed25519 (`node:crypto`,
//! WebCrypto), which is more lenient than `verify_strict` (it accepts small-order `R`). The
//! strict pre-checks (`src/token/strict.rs`) close that gap; these vectors are signatures on
//! each side of it, built here with explicit curve arithmetic, and every runtime replays them
//! on every verifier it has (`tests/js/ed25519.test.mjs`, the browser and workerd suites): all
//! must decide exactly as `expect` says, which is what `verify_strict` decides natively.
//!
//! The file is generated: `PERMSLIP_UPDATE_VECTORS=1 cargo test --test ed25519` rewrites it,
//! and this test fails when it is stale.
#![expect(
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "a test: a failed step should stop it loudly"
)]
#![cfg(feature = "issue")]

use curve25519_dalek::constants::{ED25519_BASEPOINT_POINT as B, EIGHT_TORSION};
use curve25519_dalek::edwards::CompressedEdwardsY;
use curve25519_dalek::{EdwardsPoint, Scalar};
use permslip::snapshot::Snapshot;
use permslip::token::{base64url, Ed25519Equation, Jwks, VerifyOptions};
use serde_json::{json, Value};
use sha2::{Digest, Sha512};

const VECTORS: &str = "tests/vectors/ed25519.json";
const AUDIENCE: &str = "permslip-demo";
const NOW: u64 = 1_764_000_000;
/// A real snapshot (inline catalogue, expires in 2100): each case re-signs its payload.
const GOLDEN: &str = include_str!("golden/ampliflow/intern.jwt");

/// A deterministic scalar from a label.
fn scalar(label: &str) -> Scalar {
    Scalar::from_bytes_mod_order_wide(&Sha512::digest(label.as_bytes()).into())
}

/// The challenge `k = H(R || A || M) mod L`.
fn challenge(r: &[u8; 32], a: &[u8; 32], message: &str) -> Scalar {
    let mut h = Sha512::new();
    h.update(r);
    h.update(a);
    h.update(message.as_bytes());
    Scalar::from_bytes_mod_order_wide(&h.finalize().into())
}

fn jwks(kid: &str, a: &[u8; 32]) -> Value {
    json!({ "keys": [{ "kty": "OKP", "crv": "Ed25519", "kid": kid, "x": base64url::encode(a) }] })
}

/// `header.payload` for the golden payload, with `extra` header members.
fn signing_input(kid: &str, extra: u32) -> String {
    let header = if extra == 0 {
        json!({ "alg": "EdDSA", "kid": kid, "typ": "permslip+jwt" })
    } else {
        json!({ "alg": "EdDSA", "kid": kid, "typ": "permslip+jwt", "n": extra })
    };
    let payload = GOLDEN.trim().split('.').nth(1).unwrap_or_default();
    format!(
        "{}.{payload}",
        base64url::encode(header.to_string().as_bytes())
    )
}

fn token(input: &str, r: &[u8; 32], s: &[u8; 32]) -> String {
    let mut sig = [0u8; 64];
    sig[..32].copy_from_slice(r);
    sig[32..].copy_from_slice(s);
    format!("{input}.{}", base64url::encode(&sig))
}

/// `s + L` as a 256-bit little-endian integer (still below 2^256): the same scalar mod L,
/// encoded non-canonically.
fn plus_l(s: &[u8; 32]) -> [u8; 32] {
    let l = Scalar::ZERO - Scalar::ONE; // L - 1
    let mut out = [0u8; 32];
    let mut carry = 1u16; // + 1 turns L - 1 into L
    for ((o, a), b) in out.iter_mut().zip(s).zip(l.as_bytes()) {
        let sum = u16::from(*a) + u16::from(*b) + carry;
        *o = sum as u8;
        carry = sum >> 8;
    }
    out
}

struct Case {
    name: &'static str,
    why: &'static str,
    jwks: Value,
    token: String,
    expect: &'static str,
    /// Where the verifier decides: `key_set` (loading the JWKS), `prechecks` (the strict byte
    /// checks, before any Ed25519 equation), `equation`, or `ok`.
    stage: &'static str,
}

fn cases() -> Vec<Case> {
    let a = scalar("permslip ed25519 vectors: key");
    let key = (a * B).compress().to_bytes();
    let kid = "edge-1";
    let input = signing_input(kid, 0);
    let r = scalar("permslip ed25519 vectors: nonce");
    let big_r = (r * B).compress().to_bytes();
    let s = r + challenge(&big_r, &key, &input) * a;
    let t8 = EIGHT_TORSION[1]; // a point of order 8
    let mut out = Vec::new();
    let mut case = |name, why, jwks: Value, token: String, stage| {
        let expect = match stage {
            "ok" => "ok",
            "key_set" => "invalid_key_set",
            _ => "bad_signature",
        };
        out.push(Case {
            name,
            why,
            jwks,
            token,
            expect,
            stage,
        })
    };

    case(
        "valid",
        "an ordinary signature",
        jwks(kid, &key),
        token(&input, &big_r, s.as_bytes()),
        "ok",
    );
    case(
        "s_plus_l",
        "S + L: the same scalar, non-canonical; refused so a signature has one encoding",
        jwks(kid, &key),
        token(&input, &big_r, &plus_l(s.as_bytes())),
        "prechecks",
    );
    case(
        "s_all_ones",
        "S = 2^256 - 1, far above L",
        jwks(kid, &key),
        token(&input, &big_r, &[0xff; 32]),
        "prechecks",
    );
    // R = identity and S = k*a satisfy the cofactorless equation: OpenSSL and BoringSSL accept
    // this; verify_strict (and so permslip) refuses small-order R.
    let identity = EdwardsPoint::default().compress().to_bytes();
    let k = challenge(&identity, &key, &input);
    case(
        "r_identity",
        "R is the identity and S = k*a: the equation holds, but R has small order",
        jwks(kid, &key),
        token(&input, &identity, (k * a).as_bytes()),
        "prechecks",
    );
    // The identity's non-canonical encoding y = p + 1.
    let mut identity_p1 = [0xffu8; 32];
    identity_p1[0] = 0xee;
    identity_p1[31] = 0x7f;
    let k = challenge(&identity_p1, &key, &input);
    case(
        "r_identity_non_canonical",
        "R is the identity encoded as y = p + 1, S = k*a",
        jwks(kid, &key),
        token(&input, &identity_p1, (k * a).as_bytes()),
        "prechecks",
    );
    let t8_bytes = t8.compress().to_bytes();
    let k = challenge(&t8_bytes, &key, &input);
    case(
        "r_order_8",
        "R is a point of order 8, S = k*a",
        jwks(kid, &key),
        token(&input, &t8_bytes, (k * a).as_bytes()),
        "prechecks",
    );
    // R with a small-order component: cofactored verifiers accept, cofactorless refuse.
    let mixed_r = (r * B + t8).compress().to_bytes();
    let s_mixed = r + challenge(&mixed_r, &key, &input) * a;
    case(
        "r_mixed_order",
        "R = r*B + T8 with S = r + k*a: valid only for a cofactored equation",
        jwks(kid, &key),
        token(&input, &mixed_r, s_mixed.as_bytes()),
        "equation",
    );
    // R that is no point at all.
    let mut off_curve = [0u8; 32];
    off_curve[0] = (2u8..=255)
        .find(|y| {
            let mut b = [0u8; 32];
            b[0] = *y;
            CompressedEdwardsY(b).decompress().is_none()
        })
        .unwrap_or(2);
    case(
        "r_not_on_curve",
        "R does not decode to a curve point",
        jwks(kid, &key),
        token(&input, &off_curve, s.as_bytes()),
        "equation",
    );
    case(
        "wrong_message",
        "a valid signature over a different header",
        jwks(kid, &key),
        token(&signing_input(kid, 1), &big_r, s.as_bytes()),
        "equation",
    );

    // A key with a small-order component (A' = A + T8, not itself small-order, so the key set
    // loads). S = r + k*a satisfies the cofactorless equation exactly when k*T8 is the identity,
    // i.e. when 8 divides k: both verifiers agree either way.
    let mixed_key = (a * B + t8).compress().to_bytes();
    let mut found = [None, None];
    for n in 1..200u32 {
        let input = signing_input(kid, n);
        let k = challenge(&big_r, &mixed_key, &input);
        let slot = usize::from(k.as_bytes()[0] % 8 != 0);
        if found[slot].is_none() {
            found[slot] = Some(token(&input, &big_r, (r + k * a).as_bytes()));
        }
        if found.iter().all(Option::is_some) {
            break;
        }
    }
    let [Some(divisible), Some(not_divisible)] = found else {
        panic!("no header variant gave both cases");
    };
    case(
        "key_mixed_order_k_divisible_by_8",
        "A = a*B + T8, 8 | k: the cofactorless equation holds",
        jwks(kid, &mixed_key),
        divisible,
        "ok",
    );
    case(
        "key_mixed_order_k_not_divisible_by_8",
        "A = a*B + T8, 8 does not divide k: the equation fails by k*T8",
        jwks(kid, &mixed_key),
        not_divisible,
        "equation",
    );

    let k = challenge(&big_r, &identity, &input);
    case(
        "key_identity",
        "the key is the identity (small order): refused when the key set loads",
        jwks(kid, &identity),
        token(&input, &big_r, (r + k * a).as_bytes()),
        "key_set",
    );
    let mut key_p2 = identity_p1;
    key_p2[0] = 0xef; // y = p + 2, non-canonical whatever point it is
    case(
        "key_non_canonical",
        "the key's y is p + 2: a non-canonical encoding, refused when the key set loads",
        jwks(kid, &key_p2),
        token(&input, &big_r, s.as_bytes()),
        "key_set",
    );
    out
}

fn vectors() -> Value {
    let cases: Vec<Value> = cases()
        .into_iter()
        .map(|c| {
            json!({ "name": c.name, "why": c.why, "stage": c.stage, "expect": c.expect, "jwks": c.jwks, "token": c.token })
        })
        .collect();
    json!({
        "about": "Ed25519 edge cases as snapshot tokens (generated by tests/ed25519.rs). Load each with its jwks, audience and now; every verifier must give `expect`: `ok` or the error code.",
        "audience": AUDIENCE,
        "now": NOW,
        "cases": cases,
    })
}

/// What the native (verify_strict) path decides for a case.
fn decide(jwks: &Value, token: &str) -> String {
    let keys = match Jwks::from_json(&jwks.to_string()) {
        Ok(keys) => keys,
        Err(e) => return e.code().to_owned(),
    };
    match Snapshot::verify(token, &keys, &VerifyOptions::new(AUDIENCE, NOW)) {
        Ok(_) => "ok".to_owned(),
        Err(e) => e.code().to_owned(),
    }
}

#[test]
fn vectors_file_is_current() {
    let text = format!(
        "{}\n",
        serde_json::to_string_pretty(&vectors()).unwrap_or_default()
    );
    if std::env::var_os("PERMSLIP_UPDATE_VECTORS").is_some() {
        std::fs::write(VECTORS, &text).expect("write vectors");
    }
    let on_disk = std::fs::read_to_string(VECTORS).unwrap_or_default();
    assert!(
        on_disk == text,
        "{VECTORS} is stale: run PERMSLIP_UPDATE_VECTORS=1 cargo test --test ed25519"
    );
}

#[test]
fn native_verifier_decides_as_expected() {
    for case in cases() {
        assert_eq!(
            decide(&case.jwks, &case.token),
            case.expect,
            "{}: {}",
            case.name,
            case.why
        );
    }
}

/// Each refused signature case is refused *only* for its signature: the same key and header
/// with the ordinary signature load, so the case tests what its name says.
#[test]
fn cases_differ_from_valid_only_in_what_they_test() {
    let all = cases();
    let valid = all.iter().find(|c| c.name == "valid").expect("valid case");
    assert_eq!(decide(&valid.jwks, &valid.token), "ok");
    for case in &all {
        if case.expect == "bad_signature" && case.name != "wrong_message" {
            let (input, _) = case.token.rsplit_once('.').expect("three parts");
            let (valid_input, _) = valid.token.rsplit_once('.').expect("three parts");
            let same_key = case.jwks == valid.jwks;
            assert!(
                input == valid_input || !same_key,
                "{}: signs another message",
                case.name
            );
        }
    }
}

/// With [`Ed25519Equation::FixedBaseTables`], after 128 verifications with a key, permslip
/// checks the equation with fixed-base tables (`src/token/equation.rs`); by default it calls
/// `verify_strict`. The same key set, used 200 times per case, must keep deciding every case
/// the same way under either equation and on both sides of the table switch.
#[test]
fn decisions_hold_with_and_without_fixed_base_tables() {
    for equation in [Ed25519Equation::Strict, Ed25519Equation::FixedBaseTables] {
        for case in cases() {
            let Ok(keys) = Jwks::from_json(&case.jwks.to_string()) else {
                assert_eq!(case.expect, "invalid_key_set", "{}", case.name);
                continue;
            };
            let keys = keys.with_equation(equation);
            let opts = VerifyOptions::new(AUDIENCE, NOW);
            for i in 0..200 {
                let got = match Snapshot::verify(&case.token, &keys, &opts) {
                    Ok(_) => "ok",
                    Err(e) => e.code(),
                };
                assert_eq!(
                    got, case.expect,
                    "{} ({equation:?}, verification {i})",
                    case.name
                );
            }
        }
    }
}

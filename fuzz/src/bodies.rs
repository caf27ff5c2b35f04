//! What each fuzz target does with one input. Every body must return normally for every input:
//! a panic is a finding (an engine panic, or a broken invariant asserted here).
//!
//! Compiled twice: by the fuzz crate (`fuzz/src/lib.rs`) and by `tests/hardening.rs`, which
//! replays `tests/regressions/<target>/*` and a short stable-Rust mutation loop through these
//! same functions. Both crates declare the reference evaluator as `crate::reference`.
#![allow(dead_code)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::sync::OnceLock;

use permslip::dangerous;
use permslip::engine::{Checker, LiteClaims};
use permslip::issue::slip_for;
use permslip::lite::LiteSnapshot;
use permslip::model::{Directory, Model, NavItem};
use permslip::slip::Slip;
use permslip::snapshot::Snapshot;
use permslip::token::{sign_compact, sign_lite, Claims, Jwks, SigningKey, VerifyOptions};

use crate::reference::compare::{engine_answer, lite_answer};
use crate::reference::gen::fixed_checks;
use crate::reference::Reference;

/// The time every target verifies at (the seed tokens are valid then).
pub const NOW: u64 = 1_700_000_000;
/// The audience every target verifies for.
pub const AUDIENCE: &str = "app";
/// The header `payload` signs arbitrary payloads under.
pub const HEADER: &str = r#"{"alg":"EdDSA","kid":"test-1","typ":"permslip+jwt"}"#;

const JWKS: &str = include_str!("../../tests/keys/test-jwks.json");
const PRIVATE: &str = include_str!("../../tests/keys/test-private.jwk.json");
const MODEL: &str = include_str!("../../examples/ampliflow/model.json");
const DIRECTORY: &str = include_str!("../../examples/ampliflow/directory.json");

/// The published test key set (decoded once: point decompression is not what we fuzz).
pub fn jwks() -> &'static Jwks {
    static KEYS: OnceLock<Jwks> = OnceLock::new();
    KEYS.get_or_init(|| Jwks::from_json(JWKS).unwrap())
}

/// The published test signing key `test-1`.
pub fn signing_key() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    KEY.get_or_init(|| SigningKey::from_jwk(PRIVATE).unwrap())
}

pub fn options() -> VerifyOptions {
    VerifyOptions::new(AUDIENCE, NOW)
}

/// An error must carry a stable code and a message.
fn check_error(code: &str, message: &str) {
    assert!(
        !code.is_empty() && code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
        "{code}"
    );
    assert!(!message.is_empty());
}

/// Compares every fixed check of a compiled slip with the reference evaluator.
pub fn differential(slip: &Slip, checker: &Checker) {
    let reference = Reference::new(slip);
    for check in fixed_checks(slip) {
        let expect = reference.answer(&check);
        let got = engine_answer(checker, &check);
        if got != expect {
            panic!("{check}: reference {expect}, engine {got}");
        }
    }
}

/// `verify`: arbitrary bytes as a token against the test key set.
pub fn verify(data: &[u8]) {
    // A token is a string in every API (JS strings arrive as UTF-8 through the bindings).
    let Ok(token) = std::str::from_utf8(data) else {
        return;
    };
    match Snapshot::verify(token, jwks(), &options()) {
        Ok(snapshot) => {
            // Only an untouched signed token gets here; it must answer like its slip says.
            let payload = token.split('.').nth(1).unwrap();
            let bytes = permslip::token::base64url::decode(payload).unwrap();
            let claims: Claims = serde_json::from_slice(&bytes).unwrap();
            differential(&claims.slip, snapshot.checker());
        }
        Err(e) => {
            let message = e.to_string();
            check_error(e.code(), &message);
            // Unsigned input reaches these messages (a `kid`, an `alg`, a header key), and
            // messages reach logs: STYLE.md says no line breaks, and no control character may
            // forge a log line or a terminal escape.
            assert!(
                !message.chars().any(char::is_control),
                "control character in {message:?}"
            );
        }
    }
}

/// `payload`: arbitrary bytes as the payload of a correctly signed token, so everything after
/// the signature check (strict JSON, claims, slip, compile) sees hostile input.
pub fn payload(data: &[u8]) {
    let token = sign_compact(HEADER.as_bytes(), data, signing_key());
    match Snapshot::verify(&token, jwks(), &options()) {
        Ok(snapshot) => {
            let claims: Claims = serde_json::from_slice(data).expect("verified claims parse");
            assert_eq!(claims.sub, snapshot.subject());
            assert_eq!(claims.slip.user.id, snapshot.subject());
            differential(&claims.slip, snapshot.checker());
        }
        Err(e) => check_error(e.code(), &e.to_string()),
    }
}

/// `slip`: arbitrary bytes as slip JSON, compiled and, when valid, compared with the reference.
pub fn slip(data: &[u8]) {
    let Ok(slip) = serde_json::from_slice::<Slip>(data) else {
        return;
    };
    match dangerous::compile_unverified(&slip) {
        Ok(checker) => {
            // Foreign and corrupt handles deny; they never panic.
            for h in [0, 1, u32::MAX, 0x1000_0000, 0x2fff_ffff, 0x4000_0001] {
                let _ = checker.check(h);
            }
            differential(&slip, &checker);
        }
        Err(e) => check_error(e.code(), &e.to_string()),
    }
}

/// `lite`: arbitrary bytes as slip JSON, compiled, written as a lite payload (docs/LITE.md) and
/// read back: the issuer's output always parses, and the lite checker answers every check
/// exactly as the engine it was written from.
pub fn lite(data: &[u8]) {
    let Ok(slip) = serde_json::from_slice::<Slip>(data) else {
        return;
    };
    let Ok(checker) = dangerous::compile_unverified(&slip) else {
        return;
    };
    let aud = ["app".to_owned()];
    let claims = LiteClaims {
        iss: "issuer",
        aud: &aud,
        iat: 1,
        nbf: 1,
        exp: 2,
        serial: 3,
    };
    let payload = match checker.lite_payload(&claims) {
        Ok(p) => p,
        Err(e) => return check_error(e.code(), &e.to_string()),
    };
    let lite = permslip_lite::Slip::parse(&payload).expect("the issuer's lite payload parses");
    assert_eq!(lite.subject(), slip.user.id);
    for check in fixed_checks(&slip) {
        let (want, got) = (engine_answer(&checker, &check), lite_answer(&lite, &check));
        assert_eq!(got, want, "{check}: engine {want}, lite {got}");
    }
    // Foreign and corrupt handles deny; they never panic.
    for h in [0, 1, u32::MAX, 0x1000_0000, 0x2fff_ffff, 0x4000_0001] {
        let _ = lite.check(h);
    }
}

/// `lite_payload`: arbitrary bytes as a signed lite payload: refused with a code, or a checker
/// whose entry points agree with each other.
pub fn lite_payload(data: &[u8]) {
    let token = sign_lite(data, signing_key()).unwrap();
    match LiteSnapshot::verify(&token, jwks(), &options()) {
        Ok(snapshot) => {
            let lite = snapshot.slip();
            // Names to ask about: every run of name characters in the input, and some others.
            let mut names: Vec<&[u8]> = data
                .split(|b| !(b.is_ascii_alphanumeric() || b"._-:+*".contains(b)))
                .filter(|n| !n.is_empty() && n.len() < 64)
                .take(64)
                .collect();
            names.extend([&b""[..], b"*", b"view", b"reader"]);
            for p in &names {
                for v in [None, Some(&b"x"[..]), names.first().copied()] {
                    let e = lite.explain_permission(p, v);
                    assert_eq!(e.allowed, lite.can(p, v));
                    assert_eq!(e.allowed, lite.check(lite.permission_handle(p, v)));
                }
                for a in &names {
                    assert_eq!(lite.explain_feature(p, a).allowed, lite.can_feature(p, a));
                    assert_eq!(lite.explain_resource(p, a).allowed, lite.can_resource(p, a));
                    for r in lite.list(p, a) {
                        assert!(lite.can_resource(r.as_bytes(), a), "listed but not allowed");
                    }
                }
            }
        }
        Err(e) => check_error(e.code(), &e.to_string()),
    }
}

/// The AmpliFlow manager's slip: a mix of allowed and denied permissions and levels.
fn menu_subject() -> &'static (Slip, Checker) {
    static SUBJECT: OnceLock<(Slip, Checker)> = OnceLock::new();
    SUBJECT.get_or_init(|| {
        let model: Model = serde_json::from_str(MODEL).unwrap();
        let directory: Directory = serde_json::from_str(DIRECTORY).unwrap();
        let slip = slip_for(&model, &directory, "manager").unwrap();
        let checker = dangerous::compile_unverified(&slip).unwrap();
        (slip, checker)
    })
}

fn flatten_ids<'a>(items: &'a [NavItem], out: &mut Vec<&'a str>) {
    for item in items {
        out.push(&item.id);
        flatten_ids(&item.children, out);
    }
}

/// `menu`: an arbitrary navigation tree, filtered both ways and by the reference.
pub fn menu(data: &[u8]) {
    let Ok(items) = serde_json::from_slice::<Vec<NavItem>>(data) else {
        return;
    };
    let (slip, checker) = menu_subject();
    match (
        checker.visible_menu_ids(&items),
        checker.filter_menu(&items),
    ) {
        (Ok(ids), Ok(tree)) => {
            let mut flat = Vec::new();
            flatten_ids(&tree, &mut flat);
            assert_eq!(ids, flat, "visible_menu_ids and filter_menu disagree");
            let expected = Reference::new(slip).visible_menu(&items);
            assert_eq!(
                ids, expected,
                "the engine and the reference disagree on the menu"
            );
        }
        (Err(a), Err(b)) => {
            assert_eq!(a, b);
            assert_eq!(a.code(), "limit_exceeded");
        }
        (a, b) => panic!("the two menu entry points disagree on the limits: {a:?} / {b:?}"),
    }
}

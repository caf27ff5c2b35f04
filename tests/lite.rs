//! `permslip/lite` against the full engine: every example user's lite token, verified natively,
//! must answer every question exactly as the checker the issuer compiled it from — every
//! permission with every scope value in sight, every feature and resource with every action and
//! level, every navigation requirement, every explanation (minus provenance, which lite does not
//! carry). The JS suite (`tests/js/lite.test.mjs`) holds the wasm module to the same answers.
#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a test: a failed step should stop it loudly"
)]

use std::collections::BTreeSet;

use permslip::dangerous;
use permslip::engine::{Checker, Explanation};
use permslip::issue::{lite_token, slip_for};
use permslip::lite::LiteSnapshot;
use permslip::model::{Directory, Model, NavItem, Requirement};
use permslip::slip::SLIP_VERSION;
use permslip::snapshot::LoadError;
use permslip::token::{
    base64url, sign_compact, sign_lite, Audience, Claims, Jwks, SigningKey, VerifyOptions,
};
use permslip_lite::{Slip, HANDLE_DENY};
use serde_json::Value;

const TEST_JWKS: &str = include_str!("keys/test-jwks.json");
const TEST_PRIVATE_JWK: &str = include_str!("keys/test-private.jwk.json");
const NOW: u64 = 1_800_000_000;
const AUDIENCE: &str = "permslip-demo";

fn example(name: &str) -> (Model, Directory, Value, Value) {
    let (model, directory) = match name {
        "amplify" => (
            include_str!("../examples/amplify/model.json"),
            include_str!("../examples/amplify/directory.json"),
        ),
        _ => (
            include_str!("../examples/ampliflow/model.json"),
            include_str!("../examples/ampliflow/directory.json"),
        ),
    };
    (
        serde_json::from_str(model).unwrap(),
        serde_json::from_str(directory).unwrap(),
        serde_json::from_str(model).unwrap(),
        serde_json::from_str(directory).unwrap(),
    )
}

fn claims(model: &Model, directory: &Directory, user: &str) -> Claims {
    Claims {
        iss: "permslip-test".into(),
        sub: user.into(),
        aud: Audience::One(AUDIENCE.into()),
        iat: NOW,
        nbf: None,
        exp: NOW + 900,
        jti: None,
        serial: 7,
        psv: SLIP_VERSION,
        slip: slip_for(model, directory, user).unwrap(),
    }
}

fn key() -> SigningKey {
    SigningKey::from_jwk(TEST_PRIVATE_JWK).unwrap()
}

fn verify(token: &str, opts: &VerifyOptions) -> Result<LiteSnapshot, LoadError> {
    LiteSnapshot::verify(token, &Jwks::from_json(TEST_JWKS).unwrap(), opts)
}

/// Every string in a JSON document: candidate permission ids, scope values, feature and resource
/// ids, actions and levels, whichever they turn out to be.
fn strings(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::String(s) => {
            out.insert(s.clone());
        }
        Value::Array(items) => items.iter().for_each(|i| strings(i, out)),
        Value::Object(map) => {
            for (k, v) in map {
                out.insert(k.clone());
                strings(v, out);
            }
        }
        _ => {}
    }
}

fn requirements(items: &[NavItem], out: &mut Vec<Requirement>) {
    for item in items {
        out.extend(item.requires.clone());
        requirements(&item.children, out);
    }
}

/// The full explanation minus what lite does not carry.
fn without_provenance(e: &Explanation) -> (bool, u8, Option<&str>, Option<&str>, Option<&str>) {
    (
        e.allowed,
        e.reason as u8,
        e.level.as_deref(),
        e.needed.as_deref(),
        e.product.as_deref(),
    )
}

fn lite_explained(
    e: permslip_lite::Explained<'_>,
) -> (bool, u8, Option<&str>, Option<&str>, Option<&str>) {
    (e.allowed, e.reason, e.level, e.needed, e.product)
}

fn compare(full: &Checker, lite: &Slip<'_>, model: &Model, names: &BTreeSet<String>) -> usize {
    let mut n = 0;
    let values: Vec<Option<&str>> = std::iter::once(None)
        .chain(names.iter().map(|s| Some(s.as_str())))
        .collect();
    let mut perms: Vec<&str> = model.permissions.iter().map(|p| p.id.as_str()).collect();
    perms.push("no.such.permission");
    for p in &perms {
        for v in &values {
            let at = format!("{p} {v:?}");
            assert_eq!(
                lite.can(p.as_bytes(), v.map(str::as_bytes)),
                full.can(p, *v),
                "can {at}"
            );
            // Handles are each checker's own numbers; what they answer must agree.
            let (lh, fh) = (
                lite.permission_handle(p.as_bytes(), v.map(str::as_bytes)),
                full.permission_handle(p, *v),
            );
            assert_eq!(lh == HANDLE_DENY, fh == HANDLE_DENY, "handle {at}");
            assert_eq!(lite.check(lh), full.check(fh), "check {at}");
            assert_eq!(
                lite_explained(lite.explain_permission(p.as_bytes(), v.map(str::as_bytes))),
                without_provenance(&full.explain_permission(p, *v)),
                "explain {at}"
            );
            n += 4;
        }
    }
    let levels: Vec<Option<&str>> = std::iter::once(None)
        .chain(model.levels.iter().map(|l| Some(l.as_str())))
        .chain([Some("no-such-level")])
        .collect();
    let mut actions: Vec<&str> = model.actions.keys().map(String::as_str).collect();
    actions.push("no-such-action");
    for target in names.iter().map(String::as_str).chain(["no-such-thing"]) {
        let t = target.as_bytes();
        assert_eq!(
            lite.feature_level(t),
            full.feature_level(target),
            "feature level {target}"
        );
        assert_eq!(
            lite.resource_level(t),
            full.resource_level(target),
            "resource level {target}"
        );
        for l in &levels {
            let (lh, fh) = (
                lite.feature_handle(t, l.map(str::as_bytes)),
                full.feature_handle(target, *l),
            );
            assert_eq!(
                lh == HANDLE_DENY,
                fh == HANDLE_DENY,
                "feature handle {target} {l:?}"
            );
            assert_eq!(
                lite.check(lh),
                full.check(fh),
                "feature handle {target} {l:?}"
            );
            let (lh, fh) = (
                lite.resource_handle(t, l.map(str::as_bytes)),
                full.resource_handle(target, *l),
            );
            assert_eq!(
                lh == HANDLE_DENY,
                fh == HANDLE_DENY,
                "resource handle {target} {l:?}"
            );
            assert_eq!(
                lite.check(lh),
                full.check(fh),
                "resource handle {target} {l:?}"
            );
            n += 4;
        }
        for a in &actions {
            let at = format!("{a} on {target}");
            let ab = a.as_bytes();
            assert_eq!(
                lite.can_feature(t, ab),
                full.can_feature(target, a),
                "feature {at}"
            );
            assert_eq!(
                lite.can_resource(t, ab),
                full.can_resource(target, a),
                "resource {at}"
            );
            assert_eq!(
                lite.list(t, ab).collect::<Vec<_>>(),
                full.list(target, a),
                "list {at}"
            );
            assert_eq!(
                lite_explained(lite.explain_feature(t, ab)),
                without_provenance(&full.explain_feature(target, a)),
                "explain feature {at}"
            );
            assert_eq!(
                lite_explained(lite.explain_resource(t, ab)),
                without_provenance(&full.explain_resource(target, a)),
                "explain resource {at}"
            );
            n += 5;
        }
    }
    for n_level in 0..=16 {
        assert_eq!(lite.level_name(n_level), full.level_name(n_level as u8));
    }
    let mut reqs = Vec::new();
    requirements(&model.nav, &mut reqs);
    for r in &reqs {
        let h = full.requirement_handle(r);
        let lh = match r {
            Requirement::Permission { permission, scope } => {
                lite.permission_handle(permission.as_bytes(), scope.as_deref().map(str::as_bytes))
            }
            Requirement::Feature { feature, level } => {
                lite.feature_handle(feature.as_bytes(), level.as_deref().map(str::as_bytes))
            }
        };
        assert_eq!(
            lh == HANDLE_DENY,
            h == HANDLE_DENY,
            "navigation requirement {r:?}"
        );
        assert_eq!(
            lite.check(lh),
            full.check(h),
            "navigation requirement {r:?}"
        );
        n += 1;
    }
    n
}

/// The explanation without what lite does not carry, as JSON.
fn stripped(e: &Explanation) -> Value {
    let mut v = serde_json::to_value(e).unwrap();
    let o = v.as_object_mut().unwrap();
    o.insert("via".into(), Value::Array(Vec::new()));
    o.remove("granted_by");
    v
}

/// Native lite explanations are worded exactly as the engine's.
fn compare_wording(full: &Checker, lite: &LiteSnapshot, model: &Model, names: &BTreeSet<String>) {
    let some: Vec<&str> = names.iter().map(String::as_str).take(400).collect();
    for p in model
        .permissions
        .iter()
        .map(|p| p.id.as_str())
        .chain(["no.such"])
    {
        for v in std::iter::once(None).chain(some.iter().take(40).map(|s| Some(*s))) {
            assert_eq!(
                stripped(&lite.explain_permission(p, v)),
                stripped(&full.explain_permission(p, v))
            );
        }
    }
    for t in &some {
        for a in model.actions.keys().map(String::as_str).chain(["nope"]) {
            assert_eq!(
                stripped(&lite.explain_feature(t, a)),
                stripped(&full.explain_feature(t, a))
            );
            assert_eq!(
                stripped(&lite.explain_resource(t, a)),
                stripped(&full.explain_resource(t, a))
            );
        }
    }
}

#[test]
fn lite_answers_exactly_as_the_engine_for_every_example_user() {
    let opts = VerifyOptions::new(AUDIENCE, NOW);
    let mut total = 0;
    for name in ["amplify", "ampliflow"] {
        let (model, directory, model_json, directory_json) = example(name);
        let mut names = BTreeSet::new();
        strings(&model_json, &mut names);
        strings(&directory_json, &mut names);
        for user in &directory.users {
            let claims = claims(&model, &directory, &user.id);
            let full = dangerous::compile_unverified(&claims.slip).unwrap();
            let token = lite_token(&claims, &key()).unwrap();
            let snapshot = verify(&token, &opts).unwrap();
            let lite = snapshot.slip();
            assert_eq!(lite.subject(), user.id);
            assert_eq!(lite.admin, full.is_admin());
            total += compare(&full, &lite, &model, &names);
            compare_wording(&full, &snapshot, &model, &names);
        }
    }
    // Hundreds of thousands of questions, not a handful.
    assert!(total > 100_000, "only {total} comparisons");
}

fn amplify_member_token() -> (Claims, String) {
    let (model, directory, _, _) = example("amplify");
    let claims = claims(&model, &directory, "member");
    let token = lite_token(&claims, &key()).unwrap();
    (claims, token)
}

fn code(r: Result<LiteSnapshot, LoadError>) -> &'static str {
    match r {
        Ok(_) => "ok",
        Err(e) => e.code(),
    }
}

#[test]
fn refusals_have_the_full_builds_codes() {
    let (_, token) = amplify_member_token();
    let opts = VerifyOptions::new(AUDIENCE, NOW);
    assert_eq!(code(verify(&token, &opts)), "ok");

    let mut late = opts.clone();
    late.now = NOW + 900 + 60;
    assert_eq!(code(verify(&token, &late)), "expired");
    late.now = NOW + 900 + 59;
    assert_eq!(code(verify(&token, &late)), "ok");
    let mut early = opts.clone();
    early.now = NOW - 61;
    assert_eq!(code(verify(&token, &early)), "not_yet_valid");
    assert_eq!(
        code(verify(&token, &VerifyOptions::new("other-app", NOW))),
        "wrong_audience"
    );
    let mut o = opts.clone();
    o.issuer = Some("someone-else".into());
    assert_eq!(code(verify(&token, &o)), "wrong_issuer");
    o = opts.clone();
    o.subject = Some("admin".into());
    assert_eq!(code(verify(&token, &o)), "wrong_subject");
    o = opts.clone();
    o.min_serial = 8;
    assert_eq!(code(verify(&token, &o)), "rollback");
    o = opts.clone();
    o.max_token_bytes = token.len() - 1;
    assert_eq!(code(verify(&token, &o)), "too_large");

    // Any flipped character of the signed part breaks the signature or the encoding.
    let bytes = token.as_bytes();
    let dot = token.find('.').unwrap();
    for at in [dot + 1, dot + 40, token.rfind('.').unwrap() - 1] {
        let mut t = bytes.to_vec();
        t[at] = if t[at] == b'A' { b'B' } else { b'A' };
        let t = String::from_utf8(t).unwrap();
        assert!(
            matches!(code(verify(&t, &opts)), "bad_signature" | "malformed"),
            "{at}"
        );
    }
    // As in the full build: a signature of another length is a bad signature.
    let mut t = token.clone();
    t.push('A');
    assert_eq!(code(verify(&t, &opts)), "bad_signature");
    t.push('.');
    assert_eq!(code(verify(&t, &opts)), "malformed");

    // A full snapshot is not a lite token, and a lite token is not a full snapshot.
    let (model, directory, _, _) = example("amplify");
    let full = permslip::token::sign(&claims(&model, &directory, "member"), &key());
    assert_eq!(code(verify(&full, &opts)), "malformed");
    let jwks = Jwks::from_json(TEST_JWKS).unwrap();
    let as_full = permslip::snapshot::Snapshot::verify(&token, &jwks, &opts).map(|_| ());
    assert_eq!(as_full.unwrap_err().code(), "malformed");
}

#[test]
fn a_signed_but_broken_payload_is_refused_with_a_reason() {
    let (claims, token) = amplify_member_token();
    let opts = VerifyOptions::new(AUDIENCE, NOW);
    let payload = base64url::decode(token.split('.').nth(1).unwrap()).unwrap();
    let checker = dangerous::compile_unverified(&claims.slip).unwrap();
    let _ = checker;
    let sign = |p: &[u8]| sign_lite(p, &key()).unwrap();

    let mut truncated = payload.clone();
    truncated.pop();
    assert_eq!(code(verify(&sign(&truncated), &opts)), "malformed");
    let mut trailing = payload.clone();
    trailing.push(0);
    assert_eq!(code(verify(&sign(&trailing), &opts)), "malformed");
    let mut version = payload.clone();
    version[3] = 2;
    assert_eq!(code(verify(&sign(&version), &opts)), "unsupported_version");
    // Every single-byte truncation of the payload is refused, never a panic or a checker.
    for len in 0..payload.len() {
        assert_ne!(code(verify(&sign(&payload[..len]), &opts)), "ok", "{len}");
    }
    // Random byte flips: refused or accepted, never a panic, and never out of bounds.
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    for _ in 0..3000 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let mut p = payload.clone();
        let at = (state as usize) % p.len();
        p[at] ^= 1 << ((state >> 32) % 8);
        if let Ok(s) = verify(&sign(&p), &opts) {
            let slip = s.slip();
            let _ = slip.can(b"fax.send", Some(b"+15550100"));
            let _ = slip.list(b"documents", b"view").count();
        }
    }
    // Another algorithm in an otherwise lite-looking header.
    let header = br#"{"alg":"ES256","typ":"permslip-lite","kid":"test-1"}"#;
    let other = sign_compact(header, &payload, &key());
    assert_eq!(code(verify(&other, &opts)), "unsupported_algorithm");
}

#[test]
fn kids_a_lite_header_cannot_hold_are_refused_at_issue() {
    let seed = [7u8; 32];
    let (claims, _) = amplify_member_token();
    for kid in ["", "has space", "quote\"", &"k".repeat(129)] {
        let key = SigningKey::from_seed(kid, &seed);
        assert!(lite_token(&claims, &key).is_err(), "{kid:?}");
    }
    let key = SigningKey::from_seed("k.1_~:/+=-", &seed);
    assert!(lite_token(&claims, &key).is_ok());
}

#[test]
fn lite_limits_are_the_engines() {
    use permslip::engine::limits as engine;
    use permslip_lite::payload as lite;
    assert_eq!(lite::MAX_PERMISSIONS as usize, engine::MAX_PERMISSIONS);
    assert_eq!(lite::MAX_FEATURES as usize, engine::MAX_FEATURES);
    assert_eq!(lite::MAX_RESOURCES as usize, engine::MAX_RESOURCES);
    assert_eq!(lite::MAX_LEVELS as usize, engine::MAX_LEVELS);
    assert_eq!(lite::MAX_PRODUCTS as usize, engine::MAX_PRODUCTS);
    assert_eq!(lite::MAX_EDGES as usize, engine::MAX_EDGES);
}

//! The refusal corpus (`tests/vectors/refusals.json`): tokens and key sets that must be refused,
//! each with the options it is loaded with and the code it must fail with. Built here from the
//! golden snapshots and the published test key, deterministically (Ed25519 signatures are), so
//! the checked-in file is compared with a fresh build; the Kotlin suite (and any other binding)
//! replays the file.
//!
//! Regenerate after a deliberate change: `PERMSLIP_REGENERATE=1 cargo test --test refusals`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeSet;

use permslip::issue::{catalogue_of, lite_token};
use permslip::model::Model;
use permslip::token::{
    base64url, sign_catalogue, sign_compact, verify_catalogue, CatalogueClaims, Claims, Jwks,
    SigningKey, VerifyOptions,
};
use permslip::verified::Verified;
use serde_json::{json, Value};

const CORPUS: &str = "tests/vectors/refusals.json";
const TEST_JWKS: &str = include_str!("keys/test-jwks.json");
const TEST_PRIVATE_JWK: &str = include_str!("keys/test-private.jwk.json");
const INLINE: &str = include_str!("golden/ampliflow/member.jwt");
const NAMING_BUNDLE: &str = include_str!("golden/amplify/member.jwt");
const BUNDLE: &str = include_str!("golden/amplify/catalogue.jwt");
const AUDIENCE: &str = "permslip-demo";
/// The golden tokens' `iat` (and `nbf`); they expire at 2100-01-01.
const ISSUED_AT: u64 = 1_764_000_000;
const EXPIRES_AT: u64 = 4_102_444_800;
/// A time inside every golden token's validity.
const NOW: u64 = ISSUED_AT + 1;

fn key() -> SigningKey {
    SigningKey::from_jwk(TEST_PRIVATE_JWK).unwrap()
}

fn payload_of(token: &str) -> Value {
    let segment = token.trim().split('.').nth(1).unwrap();
    serde_json::from_slice(&base64url::decode(segment).unwrap()).unwrap()
}

/// The golden inline snapshot's claims, edited, signed with `header`.
fn signed(header: &Value, edit: impl FnOnce(&mut Value)) -> String {
    let mut claims = payload_of(INLINE);
    edit(&mut claims);
    sign_compact(
        header.to_string().as_bytes(),
        claims.to_string().as_bytes(),
        &key(),
    )
}

fn header() -> Value {
    json!({"alg": "EdDSA", "kid": "test-1", "typ": "permslip+jwt"})
}

/// The golden inline snapshot with its slip edited.
fn with_slip(edit: impl FnOnce(&mut Value)) -> String {
    signed(&header(), |c| edit(&mut c["slip"]))
}

fn flip_at(token: &str, part: usize) -> String {
    let mut parts: Vec<String> = token.trim().split('.').map(str::to_owned).collect();
    let p = &mut parts[part];
    let c = if p.as_bytes()[10] == b'A' { "B" } else { "A" };
    p.replace_range(10..11, c);
    parts.join(".")
}

/// One case: what is loaded, how, and the code it must fail with.
struct Case {
    name: &'static str,
    code: &'static str,
    token: String,
    options: Value,
    /// A JWKS other than the test one (its JSON text).
    jwks: Option<String>,
    /// Load `tests/golden/amplify/catalogue.jwt` (or this bundle) and pass it.
    catalogue: Option<String>,
}

fn case(name: &'static str, code: &'static str, token: String) -> Case {
    Case {
        name,
        code,
        token,
        options: json!({}),
        jwks: None,
        catalogue: None,
    }
}

impl Case {
    fn options(mut self, options: Value) -> Case {
        self.options = options;
        self
    }
    fn jwks(mut self, jwks: &str) -> Case {
        self.jwks = Some(jwks.to_owned());
        self
    }
    fn catalogue(mut self, bundle: String) -> Case {
        self.catalogue = Some(bundle);
        self
    }
}

fn lite() -> String {
    let claims: Claims = serde_json::from_value(payload_of(INLINE)).unwrap();
    lite_token(&claims, &key()).unwrap()
}

/// A catalogue bundle for another model (AmpliFlow's), valid like the golden one.
fn other_bundle() -> String {
    let model: Model =
        serde_json::from_str(include_str!("../examples/ampliflow/model.json")).unwrap();
    let claims = CatalogueClaims {
        iss: "permslip-test".into(),
        aud: permslip::token::Audience::One(AUDIENCE.into()),
        iat: ISSUED_AT,
        exp: Some(EXPIRES_AT),
        psv: permslip::slip::SLIP_VERSION,
        catalogue: catalogue_of(&model),
    };
    sign_catalogue(&claims, &key()).0
}

fn cases() -> Vec<Case> {
    let inline = INLINE.trim().to_owned();
    let lite = lite();
    let jwk: Value = serde_json::from_str::<Value>(TEST_JWKS).unwrap()["keys"][0].clone();
    let one_key = |edit: &dyn Fn(&mut Value)| {
        let mut k = jwk.clone();
        edit(&mut k);
        json!({ "keys": [k] }).to_string()
    };
    let unknown_key = {
        let other = SigningKey::from_seed("test-9", b"permslip refusal key, NOT SECRET");
        let claims = payload_of(INLINE);
        sign_compact(
            json!({"alg": "EdDSA", "kid": "test-9", "typ": "permslip+jwt"})
                .to_string()
                .as_bytes(),
            claims.to_string().as_bytes(),
            &other,
        )
    };
    let mut last_level_cap = Vec::new();
    for i in 0..16 {
        last_level_cap.push(json!(format!("l{i}")));
    }
    vec![
        case("two parts", "malformed", "a.b".into()),
        case("not base64url", "malformed", format!("{inline}!")),
        case(
            "header not JSON",
            "malformed",
            format!(
                "{}.{}",
                base64url::encode(b"nope"),
                inline.split_once('.').unwrap().1
            ),
        ),
        case(
            "unknown claim",
            "malformed",
            signed(&header(), |c| c["role"] = json!("admin")),
        ),
        case(
            "wrong typ",
            "malformed",
            signed(
                &json!({"alg": "EdDSA", "kid": "test-1", "typ": "text/plain"}),
                |_| {},
            ),
        ),
        case("tampered payload", "bad_signature", flip_at(&inline, 1)),
        case("tampered signature", "bad_signature", flip_at(&inline, 2)),
        case(
            "tampered lite signature",
            "bad_signature",
            flip_at(&lite, 2),
        ),
        case("unknown kid", "unknown_key", unknown_key),
        case(
            "alg HS256",
            "unsupported_algorithm",
            signed(
                &json!({"alg": "HS256", "kid": "test-1", "typ": "permslip+jwt"}),
                |_| {},
            ),
        ),
        case("expired", "expired", inline.clone()).options(json!({ "now": EXPIRES_AT + 60 })),
        case("expired without leeway", "expired", inline.clone())
            .options(json!({ "now": EXPIRES_AT, "leeway": 0 })),
        case("expired lite", "expired", lite.clone()).options(json!({ "now": EXPIRES_AT + 60 })),
        case("not yet valid", "not_yet_valid", inline.clone())
            .options(json!({ "now": ISSUED_AT - 61 })),
        case("other audience", "wrong_audience", inline.clone())
            .options(json!({ "audience": "other-app" })),
        case("other audience, lite", "wrong_audience", lite.clone())
            .options(json!({ "audience": "other-app" })),
        case("other issuer", "wrong_issuer", inline.clone())
            .options(json!({ "issuer": "someone-else" })),
        case("other subject", "wrong_subject", inline.clone()).options(json!({ "subject": "eve" })),
        case("other subject, lite", "wrong_subject", lite.clone())
            .options(json!({ "subject": "eve" })),
        case("older serial", "rollback", inline.clone()).options(json!({ "minSerial": 2 })),
        case("older serial, lite", "rollback", lite.clone()).options(json!({ "minSerial": 2 })),
        case("over the size limit", "too_large", inline.clone())
            .options(json!({ "maxTokenBytes": 100 })),
        case("over the size limit, lite", "too_large", lite.clone())
            .options(json!({ "maxTokenBytes": 100 })),
        case(
            "psv 2",
            "unsupported_version",
            signed(&header(), |c| c["psv"] = json!(2)),
        ),
        case(
            "slip v 2",
            "unsupported_version",
            with_slip(|s| s["v"] = json!(2)),
        ),
        case("no keys", "invalid_key_set", inline.clone()).jwks(r#"{"keys":[]}"#),
        case("not JSON", "invalid_key_set", inline.clone()).jwks("{"),
        case("weak key", "invalid_key_set", inline.clone())
            .jwks(&one_key(&|k| k["x"] = json!(base64url::encode(&[0u8; 32])))),
        case("duplicate kid", "invalid_key_set", inline.clone())
            .jwks(&json!({ "keys": [jwk.clone(), jwk.clone()] }).to_string()),
        case(
            "duplicate permission",
            "duplicate_name",
            with_slip(|s| {
                let first = s["catalogue"]["permissions"][0].clone();
                s["catalogue"]["permissions"]
                    .as_array_mut()
                    .unwrap()
                    .push(first);
            }),
        ),
        case(
            "unknown role",
            "unknown_reference",
            with_slip(|s| s["user"]["roles"] = json!(["ghost"])),
        ),
        case(
            "bad wildcard",
            "bad_wildcard",
            with_slip(|s| s["user"]["grants"] = json!(["fa*x"])),
        ),
        case(
            "implies an explicit-only permission",
            "implies_explicit",
            with_slip(|s| {
                let perms = s["catalogue"]["permissions"].as_array_mut().unwrap();
                perms.push(json!({"id": "refusal.explicit", "explicit": true}));
                perms.push(json!({"id": "refusal.implier", "implies": ["refusal.explicit"]}));
            }),
        ),
        case(
            "implication cycle",
            "cycle",
            with_slip(|s| {
                let perms = s["catalogue"]["permissions"].as_array_mut().unwrap();
                perms.push(json!({"id": "refusal.a", "implies": ["refusal.b"]}));
                perms.push(json!({"id": "refusal.b", "implies": ["refusal.a"]}));
            }),
        ),
        case(
            "16 levels",
            "limit_exceeded",
            with_slip(|s| s["catalogue"]["levels"] = Value::Array(last_level_cap)),
        ),
        case(
            "bundle not given",
            "missing_catalogue",
            NAMING_BUNDLE.trim().into(),
        ),
        case(
            "another model's bundle",
            "catalogue_mismatch",
            NAMING_BUNDLE.trim().into(),
        )
        .catalogue(other_bundle()),
    ]
}

fn to_json(cases: &[Case]) -> String {
    let list: Vec<Value> = cases
        .iter()
        .map(|c| {
            json!({
                "name": c.name,
                "code": c.code,
                "format": if permslip::lite::is_lite_token(&c.token) { "lite" } else { "full" },
                "token": c.token,
                "options": c.options,
                "jwks": c.jwks,
                "catalogue": c.catalogue,
            })
        })
        .collect();
    let doc = json!({
        "about": "Tokens and key sets that must be refused, with the options they are loaded with \
                  (defaults: audience permslip-demo, now 1764000001, the test JWKS), the token's \
                  format (which entry loads it) and the code each must fail with. Generated by tests/refusals.rs; do not edit.",
        "cases": list,
    });
    serde_json::to_string_pretty(&doc).unwrap() + "\n"
}

/// Loads a case as a binding would: key set, then catalogue, then the snapshot.
fn load(case: &Value) -> Result<Verified, String> {
    let o = &case["options"];
    let jwks = case["jwks"].as_str().unwrap_or(TEST_JWKS);
    let keys = Jwks::from_json(jwks).map_err(|e| e.code().to_owned())?;
    let mut opts = VerifyOptions::new(
        o["audience"].as_str().unwrap_or(AUDIENCE),
        o["now"].as_u64().unwrap_or(NOW),
    );
    opts.issuer = o["issuer"].as_str().map(str::to_owned);
    opts.subject = o["subject"].as_str().map(str::to_owned);
    if let Some(l) = o["leeway"].as_u64() {
        opts.leeway = l;
    }
    if let Some(s) = o["minSerial"].as_u64() {
        opts.min_serial = s;
    }
    if let Some(m) = o["maxTokenBytes"].as_u64() {
        opts.max_token_bytes = m as usize;
    }
    let bundle = match case["catalogue"].as_str() {
        Some(b) => Some(verify_catalogue(b, &keys, &opts).map_err(|e| e.code().to_owned())?),
        None => None,
    };
    Verified::load(
        case["token"].as_str().unwrap(),
        bundle.as_ref(),
        &keys,
        &opts,
    )
    .map_err(|e| e.code().to_owned())
}

#[test]
fn the_checked_in_corpus_is_a_fresh_build() {
    let fresh = to_json(&cases());
    if std::env::var_os("PERMSLIP_REGENERATE").is_some() {
        std::fs::write(CORPUS, &fresh).unwrap();
    }
    let checked_in = std::fs::read_to_string(CORPUS).unwrap();
    assert!(
        checked_in == fresh,
        "{CORPUS} is stale: run PERMSLIP_REGENERATE=1 cargo test --test refusals"
    );
}

#[test]
fn every_case_fails_with_its_code() {
    let doc: Value = serde_json::from_str(&to_json(&cases())).unwrap();
    for c in doc["cases"].as_array().unwrap() {
        let code = match load(c) {
            Ok(_) => "(loaded)".to_owned(),
            Err(code) => code,
        };
        assert_eq!(code, c["code"].as_str().unwrap(), "{}", c["name"]);
    }
}

#[test]
fn the_corpus_covers_every_load_code() {
    let covered: BTreeSet<&str> = cases().iter().map(|c| c.code).collect();
    let every = [
        "malformed",
        "bad_signature",
        "unknown_key",
        "unsupported_algorithm",
        "expired",
        "not_yet_valid",
        "wrong_audience",
        "wrong_issuer",
        "wrong_subject",
        "rollback",
        "too_large",
        "unsupported_version",
        "invalid_key_set",
        "duplicate_name",
        "unknown_reference",
        "bad_wildcard",
        "implies_explicit",
        "cycle",
        "limit_exceeded",
        "missing_catalogue",
        "catalogue_mismatch",
    ];
    for code in every {
        assert!(covered.contains(code), "no refusal case for `{code}`");
    }
}

#[test]
fn the_unedited_token_and_bundle_load() {
    // The cases differ from these by one edit each, so each refusal is the edit's.
    let keys = Jwks::from_json(TEST_JWKS).unwrap();
    let opts = VerifyOptions::new(AUDIENCE, NOW);
    Verified::load(INLINE.trim(), None, &keys, &opts).unwrap();
    Verified::load(&lite(), None, &keys, &opts).unwrap();
    let bundle = verify_catalogue(BUNDLE.trim(), &keys, &opts).unwrap();
    Verified::load(NAMING_BUNDLE.trim(), Some(&bundle), &keys, &opts).unwrap();
    let same = signed(&header(), |_| {});
    Verified::load(&same, None, &keys, &opts).unwrap();
}

//! The JWS layer end to end: one test per rejection cause, plus key sets and rotation.
//!
//! Tokens are signed with the published test-only keys in `tests/keys/` (see its README).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![cfg(feature = "issue")]

use ed25519_dalek::Signer;
use permslip::slip::{Slip, SLIP_VERSION};
use permslip::snapshot::{LoadError, Snapshot};
use permslip::token::{
    base64url, jwks_json, sign, sign_compact, verify, Audience, Claims, Jwks, SigningKey,
    TokenError, VerifyOptions,
};
use serde_json::{json, Value};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test;

const SEED_1: &[u8; 32] = b"permslip test key - NOT SECRET!!";
const SEED_2: &[u8; 32] = b"permslip test key 2 - NOT SECRET";
const PRIVATE_1: &str = include_str!("keys/test-private.jwk.json");
const PRIVATE_2: &str = include_str!("keys/test-2-private.jwk.json");
const JWKS: &str = include_str!("keys/test-jwks.json");

const NOW: u64 = 1_700_000_000;
const HEADER: &str = r#"{"alg":"EdDSA","kid":"test-1","typ":"permslip+jwt"}"#;

fn key_1() -> SigningKey {
    SigningKey::from_jwk(PRIVATE_1).unwrap()
}

fn key_2() -> SigningKey {
    SigningKey::from_jwk(PRIVATE_2).unwrap()
}

fn jwks() -> Jwks {
    Jwks::from_json(JWKS).unwrap()
}

fn slip(user: &str) -> Slip {
    serde_json::from_value(json!({"v": SLIP_VERSION, "catalogue": {}, "user": {"id": user}}))
        .unwrap()
}

fn claims() -> Claims {
    Claims {
        iss: "https://issuer.test".into(),
        sub: "u1".into(),
        aud: Audience::One("app".into()),
        iat: NOW - 10,
        nbf: None,
        exp: NOW + 600,
        jti: None,
        serial: 5,
        psv: SLIP_VERSION,
        slip: slip("u1"),
    }
}

fn claims_json() -> Value {
    serde_json::to_value(claims()).unwrap()
}

fn opts() -> VerifyOptions {
    VerifyOptions::new("app", NOW)
}

/// Signs hand-written header and payload JSON with test key 1.
fn raw(header: &str, payload: &str) -> String {
    sign_compact(header.as_bytes(), payload.as_bytes(), &key_1())
}

/// Signs a payload given as JSON with the standard header.
fn with_payload(payload: &Value) -> String {
    raw(HEADER, &payload.to_string())
}

/// Signs `claims()` changed by `edit`.
fn with_claims(edit: impl FnOnce(&mut Claims)) -> String {
    let mut c = claims();
    edit(&mut c);
    sign(&c, &key_1())
}

fn rejects(token: &str, opts: &VerifyOptions) -> TokenError {
    match verify(token, &jwks(), opts) {
        Ok(c) => panic!("accepted: {c:?}"),
        Err(e) => e,
    }
}

fn malformed(token: &str) -> String {
    match rejects(token, &opts()) {
        TokenError::Malformed(reason) => reason,
        other => panic!("expected malformed, got {other:?}"),
    }
}

/// Signs exactly `signing_input` (no encoding), for parts that must not be valid base64url.
fn sign_ascii(signing_input: &str) -> String {
    let key = ed25519_dalek::SigningKey::from_bytes(SEED_1);
    let sig = key.sign(signing_input.as_bytes());
    format!("{signing_input}.{}", base64url::encode(&sig.to_bytes()))
}

/// Sets the lowest bit of the last character: the same bytes, spelled non-canonically.
fn set_unused_low_bit(part: &str) -> String {
    const ALPHABET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    assert_ne!(part.len() % 4, 0, "a full last group has no unused bits");
    let last = part.chars().last().unwrap();
    let v = ALPHABET.find(last).unwrap();
    assert_eq!(v & 1, 0, "already non-canonical");
    let mut out = part[..part.len() - 1].to_owned();
    out.push(ALPHABET.as_bytes()[v | 1] as char);
    out
}

fn parts(token: &str) -> Vec<String> {
    token.split('.').map(str::to_owned).collect()
}

// ---------------------------------------------------------------------------------------------
// Accepted tokens

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn valid_token_verifies_and_round_trips_claims() {
    let token = sign(&claims(), &key_1());
    assert_eq!(verify(&token, &jwks(), &opts()).unwrap(), claims());
    let header = base64url::decode(token.split('.').next().unwrap()).unwrap();
    assert_eq!(std::str::from_utf8(&header).unwrap(), HEADER);
}

/// Made with `node:crypto` (what npm `jose` uses) from `tests/keys/test-private.jwk.json`, with
/// `JSON.stringify` of the header and of the claims below.
const NODE_TOKEN: &str = "eyJhbGciOiJFZERTQSIsImtpZCI6InRlc3QtMSIsInR5cCI6InBlcm1zbGlwK2p3dCJ9.\
eyJpc3MiOiJodHRwczovL2lzc3Vlci50ZXN0Iiwic3ViIjoidTEiLCJhdWQiOlsiYXBwIiwiYWRtaW4iXSwiaWF0IjoxNzAw\
MDAwMDAwLCJleHAiOjE3MDAwMDA2MDAsInNlcmlhbCI6MSwicHN2IjoxLCJzbGlwIjp7InYiOjEsImNhdGFsb2d1ZSI6e30s\
InVzZXIiOnsiaWQiOiJ1MSJ9fX0.\
WVpCezwOIlEOsr1TfhirznOuyaaLhA6ae5Gix-3hgUPBb64JjtnXLqwUN0QMhGDTfc1RJgiq-P26yCJ9fvpNAQ";

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn token_signed_by_a_jose_library_verifies() {
    let got = verify(NODE_TOKEN, &jwks(), &opts()).unwrap();
    assert_eq!(got.aud, Audience::Many(vec!["app".into(), "admin".into()]));
    assert_eq!(got.serial, 1);
    // Ed25519 is deterministic: signing the same bytes here gives the very same token.
    let p = parts(NODE_TOKEN);
    let header = base64url::decode(&p[0]).unwrap();
    let payload = base64url::decode(&p[1]).unwrap();
    assert_eq!(sign_compact(&header, &payload, &key_1()), NODE_TOKEN);
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn snapshot_verifies_and_compiles() {
    let token = with_claims(|c| {
        c.jti = Some("t-1".into());
        c.nbf = Some(NOW - 5);
    });
    let snap = Snapshot::verify(&token, &jwks(), &opts()).unwrap();
    assert_eq!(snap.subject(), "u1");
    assert_eq!(snap.issuer(), "https://issuer.test");
    assert!(snap.audience().contains("app"));
    assert_eq!(snap.issued_at(), NOW - 10);
    assert_eq!(snap.not_before(), NOW - 5);
    assert_eq!(snap.expires_at(), NOW + 600);
    assert_eq!(snap.token_id(), Some("t-1"));
    assert_eq!(snap.serial(), 5);
    assert_eq!(snap.kid(), "test-1");
    assert!(!snap.is_expired(NOW + 600 + 59, 60));
    assert!(snap.is_expired(NOW + 600 + 60, 60));
    assert!(snap.is_expired(NOW + 600, 0));
    assert_eq!(snap.checker().subject(), "u1");
    assert_eq!(snap.into_checker().subject(), "u1");
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn snapshot_reports_token_and_slip_errors_with_their_codes() {
    let expired = with_claims(|c| c.exp = NOW - 100);
    let e = Snapshot::verify(&expired, &jwks(), &opts()).unwrap_err();
    assert!(matches!(e, LoadError::Token(TokenError::Expired { .. })));
    assert_eq!(e.code(), "expired");
    assert_eq!(
        e.to_string(),
        format!("token expired at {} (now {NOW})", NOW - 100)
    );

    // Signed and well-formed, but the slip names a role it does not define.
    let inconsistent = with_claims(|c| c.slip.user.roles = vec!["ghost".into()]);
    let e = Snapshot::verify(&inconsistent, &jwks(), &opts()).unwrap_err();
    let LoadError::Slip(inner) = &e else {
        panic!("expected a slip error, got {e:?}")
    };
    assert_eq!(e.code(), inner.code());
    assert_eq!(e.to_string(), format!("invalid slip: {inner}"));
}

// ---------------------------------------------------------------------------------------------
// Size and structure

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn too_large_is_refused_before_parsing() {
    let token = sign(&claims(), &key_1());
    let mut o = opts();
    o.max_token_bytes = token.len() - 1;
    assert_eq!(
        rejects(&token, &o),
        TokenError::TooLarge {
            len: token.len(),
            max: token.len() - 1
        }
    );
    o.max_token_bytes = token.len();
    assert!(verify(&token, &jwks(), &o).is_ok());
    // Garbage over the default limit is reported as too large, not as malformed.
    let huge = "x".repeat(16 * 1024 + 1);
    let e = rejects(&huge, &opts());
    assert_eq!(
        e,
        TokenError::TooLarge {
            len: 16 * 1024 + 1,
            max: 16 * 1024
        }
    );
    assert_eq!(e.code(), "too_large");
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn malformed_structure() {
    let token = sign(&claims(), &key_1());
    for bad in [
        "",
        "abc",
        "a.b",
        "a.b.c.d",
        &format!("{token}."),
        &format!(".{token}"),
    ] {
        let e = rejects(bad, &opts());
        assert_eq!(e.code(), "malformed", "{bad:?}");
    }
    assert_eq!(malformed("a.b"), "expected three parts separated by `.`");
    // Empty parts fail at their own step.
    assert!(malformed("..").starts_with("header: "));
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn bad_base64_in_each_part() {
    let p = parts(&sign(&claims(), &key_1()));
    // Standard alphabet, padding and whitespace in the header.
    let plus = format!("{}+.{}.{}", &p[0][..p[0].len() - 1], p[1], p[2]);
    assert!(malformed(&plus).starts_with("header: invalid base64url character"));
    let padded = format!("{}=.{}.{}", p[0], p[1], p[2]);
    assert_eq!(rejects(&padded, &opts()).code(), "malformed");
    let spaced = format!(" {}.{}.{}", p[0], p[1], p[2]);
    assert_eq!(rejects(&spaced, &opts()).code(), "malformed");
    // In the signature.
    let sig = format!("{}.{}.{}=", p[0], p[1], p[2]);
    assert!(malformed(&sig).starts_with("signature: "));
    // In a payload that is correctly signed (an issuer bug, not tampering).
    let header = base64url::encode(HEADER.as_bytes());
    let token = sign_ascii(&format!("{header}.eyJ/"));
    assert!(malformed(&token).starts_with("payload: invalid base64url character"));
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn non_canonical_base64_is_refused() {
    // A header whose length leaves unused bits in its last character.
    let header = r#"{"alg":"EdDSA", "kid":"test-1"}"#;
    let p = parts(&raw(header, &claims_json().to_string()));
    assert!(verify(&p.join("."), &jwks(), &opts()).is_ok());
    let token = format!("{}.{}.{}", set_unused_low_bit(&p[0]), p[1], p[2]);
    assert_eq!(
        malformed(&token),
        "header: non-canonical base64url trailing bits"
    );
    // The signature (64 bytes) always has 4 unused bits: a second spelling of the same
    // signature must not verify.
    let token = format!("{}.{}.{}", p[0], p[1], set_unused_low_bit(&p[2]));
    assert_eq!(
        malformed(&token),
        "signature: non-canonical base64url trailing bits"
    );
    // A length no byte count encodes to.
    let token = format!("{}.{}.{}AAA", p[0], p[1], p[2]);
    assert_eq!(rejects(&token, &opts()).code(), "malformed");
}

// ---------------------------------------------------------------------------------------------
// Header

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn alg_none_is_refused() {
    let header = base64url::encode(br#"{"alg":"none","kid":"test-1"}"#);
    let payload = base64url::encode(claims_json().to_string().as_bytes());
    let e = rejects(&format!("{header}.{payload}."), &opts());
    assert_eq!(e, TokenError::UnsupportedAlgorithm("none".into()));
    assert_eq!(e.code(), "unsupported_algorithm");
    assert_eq!(
        e.to_string(),
        "unsupported algorithm `none`, expected `EdDSA`"
    );
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn alg_hs256_and_rs256_are_refused() {
    for alg in ["HS256", "RS256", "ES256", "Ed25519", "eddsa"] {
        let header = format!(r#"{{"alg":"{alg}","kid":"test-1"}}"#);
        // Even a valid Ed25519 signature does not make another `alg` acceptable.
        let token = raw(&header, &claims_json().to_string());
        assert_eq!(
            rejects(&token, &opts()),
            TokenError::UnsupportedAlgorithm(alg.into())
        );
    }
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn typ_must_name_a_jwt() {
    let payload = claims_json().to_string();
    for ok in [
        "permslip+jwt",
        "JWT",
        "jwt",
        "application/permslip+jwt",
        "PERMSLIP+JWT",
    ] {
        let header = format!(r#"{{"alg":"EdDSA","kid":"test-1","typ":"{ok}"}}"#);
        assert!(
            verify(&raw(&header, &payload), &jwks(), &opts()).is_ok(),
            "{ok}"
        );
    }
    let no_typ = raw(r#"{"alg":"EdDSA","kid":"test-1"}"#, &payload);
    assert!(verify(&no_typ, &jwks(), &opts()).is_ok());
    for bad in ["at+jwt", "JOSE", "", "application/"] {
        let header = format!(r#"{{"alg":"EdDSA","kid":"test-1","typ":"{bad}"}}"#);
        let reason = malformed(&raw(&header, &payload));
        assert_eq!(
            reason,
            format!("header: type `{bad}` is not `permslip+jwt`")
        );
    }
    let null = raw(r#"{"alg":"EdDSA","kid":"test-1","typ":null}"#, &payload);
    assert_eq!(rejects(&null, &opts()).code(), "malformed");
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn crit_is_refused() {
    let payload = claims_json().to_string();
    for crit in [r#"["exp"]"#, "[]", "null"] {
        let header = format!(r#"{{"alg":"EdDSA","kid":"test-1","crit":{crit}}}"#);
        assert_eq!(
            malformed(&raw(&header, &payload)),
            "header: `crit` extensions are not supported"
        );
    }
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn header_shape_is_checked() {
    let payload = claims_json().to_string();
    assert_eq!(
        malformed(&raw(r#"{"alg":"EdDSA"}"#, &payload)),
        "header: missing `kid`"
    );
    assert_eq!(
        malformed(&raw(r#"{"kid":"test-1"}"#, &payload)),
        "header: missing field `alg`"
    );
    let numeric_kid = raw(r#"{"alg":"EdDSA","kid":1}"#, &payload);
    assert_eq!(rejects(&numeric_kid, &opts()).code(), "malformed");
    let not_object = raw(r#"["EdDSA"]"#, &payload);
    assert!(malformed(&not_object).contains("expected a JSON object"));
    // Unknown header parameters are ignored, as RFC 7515 requires without `crit`.
    let extra = raw(
        r#"{"alg":"EdDSA","kid":"test-1","cty":"json","x-note":1}"#,
        &payload,
    );
    assert!(verify(&extra, &jwks(), &opts()).is_ok());
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn duplicate_header_key_is_refused() {
    let payload = claims_json().to_string();
    let twice = raw(r#"{"alg":"EdDSA","kid":"test-2","kid":"test-1"}"#, &payload);
    assert_eq!(malformed(&twice), "header: duplicate key `kid`");
    // Also for members we otherwise ignore.
    let unknown = raw(r#"{"alg":"EdDSA","kid":"test-1","x":1,"x":2}"#, &payload);
    assert_eq!(malformed(&unknown), "header: duplicate key `x`");
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn unknown_kid_is_refused() {
    let header = r#"{"alg":"EdDSA","kid":"retired"}"#;
    let e = rejects(&raw(header, &claims_json().to_string()), &opts());
    assert_eq!(e, TokenError::UnknownKey("retired".into()));
    assert_eq!(e.to_string(), "unknown key `retired`");
}

// ---------------------------------------------------------------------------------------------
// Signature

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn flipped_signature_byte_is_refused() {
    let p = parts(&sign(&claims(), &key_1()));
    let mut sig = base64url::decode(&p[2]).unwrap();
    for i in [0, 31, 32, 63] {
        sig[i] ^= 0x01;
        let token = format!("{}.{}.{}", p[0], p[1], base64url::encode(&sig));
        let e = rejects(&token, &opts());
        assert_eq!(e, TokenError::BadSignature, "byte {i}");
        assert_eq!(e.to_string(), "invalid signature");
        assert_eq!(e.code(), "bad_signature");
        sig[i] ^= 0x01;
    }
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn tampered_payload_or_header_is_refused() {
    let p = parts(&sign(&claims(), &key_1()));
    let mut generous = claims_json();
    generous["sub"] = json!("admin");
    let forged = base64url::encode(generous.to_string().as_bytes());
    assert_eq!(
        rejects(&format!("{}.{forged}.{}", p[0], p[2]), &opts()),
        TokenError::BadSignature
    );
    // The same header with `typ` changed is a different signing input.
    let header = base64url::encode(br#"{"alg":"EdDSA","kid":"test-1","typ":"JWT"}"#);
    assert_eq!(
        rejects(&format!("{header}.{}.{}", p[1], p[2]), &opts()),
        TokenError::BadSignature
    );
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn signature_of_wrong_length_is_refused() {
    let p = parts(&sign(&claims(), &key_1()));
    let sig = base64url::decode(&p[2]).unwrap();
    for len in [0, 32, 63, 65] {
        let mut s = sig.clone();
        s.resize(len, 0);
        let token = format!("{}.{}.{}", p[0], p[1], base64url::encode(&s));
        assert_eq!(
            rejects(&token, &opts()),
            TokenError::BadSignature,
            "{len} bytes"
        );
    }
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn signature_by_another_key_under_our_kid_is_refused() {
    let impostor = SigningKey::from_seed("test-1", &[7u8; 32]);
    let token = sign(&claims(), &impostor);
    assert_eq!(rejects(&token, &opts()), TokenError::BadSignature);
}

// ---------------------------------------------------------------------------------------------
// Payload and claims shape

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn payload_not_an_object_is_refused() {
    for payload in ["[]", r#""claims""#, "5", "null", "true", ""] {
        let reason = malformed(&raw(HEADER, payload));
        assert!(reason.starts_with("payload: "), "{payload:?}: {reason}");
    }
    assert_eq!(
        malformed(&raw(HEADER, "[1]")),
        "payload: invalid type: sequence, expected a JSON object"
    );
    // Trailing data after the object.
    let trailing = format!("{} {{}}", claims_json());
    assert_eq!(
        rejects(&raw(HEADER, &trailing), &opts()).code(),
        "malformed"
    );
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn duplicate_claims_key_is_refused() {
    let body = claims_json().to_string();
    let inner = body.strip_prefix('{').unwrap();
    // `sub` twice: some parsers keep the first, serde_json's maps keep the last.
    let twice = format!(r#"{{"sub":"admin",{inner}"#);
    assert_eq!(
        malformed(&raw(HEADER, &twice)),
        "payload: duplicate key `sub`"
    );
    // A claim we do not know, twice: still a duplicate, reported before "unknown".
    let unknown = format!(r#"{{"z":1,"z":2,{inner}"#);
    assert_eq!(
        malformed(&raw(HEADER, &unknown)),
        "payload: duplicate key `z`"
    );
    // Inside the slip, where maps would otherwise keep the last value silently.
    let mut c = claims_json();
    c["slip"]["products"] = json!({"fax": false});
    let nested = c
        .to_string()
        .replace(r#""fax":false"#, r#""fax":false,"fax":true"#);
    assert_eq!(
        malformed(&raw(HEADER, &nested)),
        "payload: duplicate key `fax`"
    );
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn unknown_and_missing_claims_are_refused() {
    let mut c = claims_json();
    c["role"] = json!("admin");
    assert!(malformed(&with_payload(&c)).starts_with("claims: unknown field `role`"));
    for claim in ["iss", "aud", "sub", "iat", "exp", "serial", "psv", "slip"] {
        let mut c = claims_json();
        c.as_object_mut().unwrap().remove(claim);
        assert_eq!(
            malformed(&with_payload(&c)),
            format!("claims: missing field `{claim}`"),
            "{claim}"
        );
    }
    // Optional claims.
    let mut c = claims_json();
    c["jti"] = json!("abc");
    c["nbf"] = json!(NOW - 1);
    assert!(verify(&with_payload(&c), &jwks(), &opts()).is_ok());
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn claim_types_are_checked_without_rust_type_names() {
    let cases = [
        (
            "exp",
            json!(1.5),
            "a non-negative integer number of seconds",
        ),
        ("iat", json!(-1), "a non-negative integer number of seconds"),
        (
            "nbf",
            json!(null),
            "a non-negative integer number of seconds",
        ),
        ("serial", json!("7"), "a non-negative integer"),
        ("aud", json!(7), "a string or a non-empty array of strings"),
        ("aud", json!([]), "a string or a non-empty array of strings"),
    ];
    for (claim, value, expected) in cases {
        let mut c = claims_json();
        c[claim] = value;
        let reason = malformed(&with_payload(&c));
        assert!(reason.starts_with("claims: "), "{reason}");
        assert!(reason.contains(expected), "{claim}: {reason}");
        assert!(
            !reason.contains("u64") && !reason.contains("line"),
            "{reason}"
        );
    }
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn slip_user_must_be_the_subject() {
    let token = with_claims(|c| c.slip = slip("u2"));
    assert_eq!(
        malformed(&token),
        "claims: slip user `u2` is not the subject `u1`"
    );
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn unsupported_payload_version_is_reported_before_strict_parsing() {
    // A newer payload: new version, a claim this build does not know, a different slip shape.
    let mut c = claims_json();
    c["psv"] = json!(SLIP_VERSION + 1);
    c["org"] = json!("acme");
    c["slip"] = json!({"v": 2, "subject": {"id": "u1"}});
    let e = rejects(&with_payload(&c), &opts());
    assert_eq!(
        e,
        TokenError::UnsupportedVersion(u64::from(SLIP_VERSION) + 1)
    );
    assert_eq!(e.code(), "unsupported_version");
    assert_eq!(e.to_string(), "unsupported payload version `2`");
    // Out of the 32-bit range is still an unsupported version, not a crash or a wrap.
    c["psv"] = json!(u64::MAX);
    assert_eq!(
        rejects(&with_payload(&c), &opts()),
        TokenError::UnsupportedVersion(u64::MAX)
    );
    c["psv"] = json!("1");
    assert_eq!(rejects(&with_payload(&c), &opts()).code(), "malformed");
}

// ---------------------------------------------------------------------------------------------
// Audience, issuer, subject

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn wrong_audience_is_refused() {
    let token = sign(&claims(), &key_1());
    let e = rejects(&token, &VerifyOptions::new("other-app", NOW));
    assert_eq!(e, TokenError::WrongAudience);
    assert_eq!(e.code(), "wrong_audience");
    // Exact match only.
    assert_eq!(
        rejects(&token, &VerifyOptions::new("APP", NOW)),
        TokenError::WrongAudience
    );
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn audience_array_containing_ours_is_accepted() {
    let token = with_claims(|c| c.aud = Audience::Many(vec!["admin-ui".into(), "app".into()]));
    let got = verify(&token, &jwks(), &opts()).unwrap();
    assert_eq!(got.aud.iter().collect::<Vec<_>>(), ["admin-ui", "app"]);
    let token = with_claims(|c| c.aud = Audience::Many(vec!["admin-ui".into()]));
    assert_eq!(rejects(&token, &opts()), TokenError::WrongAudience);
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn wrong_issuer_is_refused() {
    let token = sign(&claims(), &key_1());
    let mut o = opts();
    o.issuer = Some("https://evil.test".into());
    assert_eq!(rejects(&token, &o), TokenError::WrongIssuer);
    assert_eq!(TokenError::WrongIssuer.code(), "wrong_issuer");
    o.issuer = Some("https://issuer.test".into());
    assert!(verify(&token, &jwks(), &o).is_ok());
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn wrong_subject_is_refused() {
    let token = sign(&claims(), &key_1());
    let mut o = opts();
    o.subject = Some("u2".into());
    assert_eq!(rejects(&token, &o), TokenError::WrongSubject);
    assert_eq!(TokenError::WrongSubject.code(), "wrong_subject");
    o.subject = Some("u1".into());
    assert!(verify(&token, &jwks(), &o).is_ok());
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn checks_run_in_the_documented_order() {
    // Wrong audience, issuer and subject, expired and rolled back at once: audience wins.
    let token = with_claims(|c| {
        c.iat = NOW - 2000;
        c.exp = NOW - 1000;
    });
    let mut o = VerifyOptions::new("other", NOW);
    o.issuer = Some("x".into());
    o.subject = Some("x".into());
    o.min_serial = 99;
    assert_eq!(rejects(&token, &o), TokenError::WrongAudience);
    o.audience = "app".into();
    assert_eq!(rejects(&token, &o), TokenError::WrongIssuer);
    o.issuer = None;
    assert_eq!(rejects(&token, &o), TokenError::WrongSubject);
    o.subject = None;
    assert_eq!(rejects(&token, &o).code(), "expired");
    o.now = NOW - 1000 - 100;
    assert_eq!(rejects(&token, &o).code(), "rollback");
    // An unknown key is reported before a bad signature could be.
    let p = parts(&raw(r#"{"alg":"EdDSA","kid":"nope"}"#, "{}"));
    assert_eq!(
        rejects(&format!("{}.{}.AAAA", p[0], p[1]), &opts()).code(),
        "unknown_key"
    );
}

// ---------------------------------------------------------------------------------------------
// Time

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn expired_is_refused() {
    let token = with_claims(|c| c.exp = NOW - 3600);
    let e = rejects(&token, &opts());
    assert_eq!(
        e,
        TokenError::Expired {
            exp: NOW - 3600,
            now: NOW
        }
    );
    assert_eq!(e.code(), "expired");
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn not_yet_valid_is_refused() {
    let token = with_claims(|c| c.nbf = Some(NOW + 3600));
    let e = rejects(&token, &opts());
    assert_eq!(
        e,
        TokenError::NotYetValid {
            nbf: NOW + 3600,
            now: NOW
        }
    );
    assert_eq!(e.code(), "not_yet_valid");
    assert_eq!(
        e.to_string(),
        format!("token not valid before {} (now {NOW})", NOW + 3600)
    );
    // Without `nbf`, `iat` is the start.
    let token = with_claims(|c| c.iat = NOW + 3600);
    assert_eq!(
        rejects(&token, &opts()),
        TokenError::NotYetValid {
            nbf: NOW + 3600,
            now: NOW
        }
    );
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn expiry_leeway_edges() {
    let exp = NOW + 100;
    let token = with_claims(|c| c.exp = exp);
    let at = |now: u64, leeway: u64| {
        let mut o = VerifyOptions::new("app", now);
        o.leeway = leeway;
        verify(&token, &jwks(), &o)
    };
    // Default leeway is 60 s: still valid one second before `exp + 60`, expired at it.
    assert_eq!(opts().leeway, 60);
    assert!(at(exp + 59, 60).is_ok());
    assert_eq!(
        at(exp + 60, 60).unwrap_err(),
        TokenError::Expired { exp, now: exp + 60 }
    );
    // Without leeway `exp` itself is already too late.
    assert!(at(exp - 1, 0).is_ok());
    assert_eq!(at(exp, 0).unwrap_err().code(), "expired");
    // A huge leeway saturates instead of overflowing.
    assert!(at(exp + 59, u64::MAX).is_ok());
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn not_before_leeway_edges() {
    let nbf = NOW;
    let token = with_claims(|c| {
        c.nbf = Some(nbf);
        c.iat = nbf;
    });
    let at = |now: u64, leeway: u64| {
        let mut o = VerifyOptions::new("app", now);
        o.leeway = leeway;
        verify(&token, &jwks(), &o)
    };
    // Valid from `nbf - leeway` on; one second earlier is too early.
    assert!(at(nbf - 60, 60).is_ok());
    assert_eq!(
        at(nbf - 61, 60).unwrap_err(),
        TokenError::NotYetValid { nbf, now: nbf - 61 }
    );
    assert!(at(nbf, 0).is_ok());
    assert_eq!(at(nbf - 1, 0).unwrap_err().code(), "not_yet_valid");
}

// ---------------------------------------------------------------------------------------------
// Serial

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn rollback_serial_is_refused() {
    let token = sign(&claims(), &key_1());
    let mut o = opts();
    assert_eq!(o.min_serial, 0);
    o.min_serial = 6;
    let e = rejects(&token, &o);
    assert_eq!(e, TokenError::Rollback { serial: 5, min: 6 });
    assert_eq!(e.code(), "rollback");
    o.min_serial = 5;
    assert!(verify(&token, &jwks(), &o).is_ok());
}

// ---------------------------------------------------------------------------------------------
// Keys and rotation

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn jwks_with_two_keys_verifies_both() {
    let keys = jwks();
    assert_eq!(keys.kids().collect::<Vec<_>>(), ["test-1", "test-2"]);
    for key in [key_1(), key_2()] {
        let token = sign(&claims(), &key);
        assert!(verify(&token, &keys, &opts()).is_ok(), "{}", key.kid());
        assert_eq!(
            Snapshot::verify(&token, &keys, &opts()).unwrap().kid(),
            key.kid()
        );
    }
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn token_of_a_removed_key_is_unknown_key() {
    let after_rotation = Jwks::from_json(&jwks_json(&[&key_2()])).unwrap();
    let old = sign(&claims(), &key_1());
    let e = verify(&old, &after_rotation, &opts()).unwrap_err();
    assert_eq!(e, TokenError::UnknownKey("test-1".into()));
    assert_eq!(e.code(), "unknown_key");
    assert!(verify(&sign(&claims(), &key_2()), &after_rotation, &opts()).is_ok());
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn jwks_skips_keys_of_other_types() {
    let x = "AQAB";
    let doc = json!({"keys": [
        {"kty": "RSA", "kid": "rsa", "n": "AQAB", "e": "AQAB", "alg": "RS256"},
        {"kty": "EC", "crv": "P-256", "kid": "ec", "x": x, "y": x},
        {"kty": "OKP", "crv": "X25519", "kid": "ecdh", "x": x},
        serde_json::from_str::<Value>(&key_1().to_public_jwk()).unwrap(),
    ]});
    let keys = Jwks::from_json(&doc.to_string()).unwrap();
    assert_eq!(keys.kids().collect::<Vec<_>>(), ["test-1"]);
    assert!(verify(&sign(&claims(), &key_1()), &keys, &opts()).is_ok());
    // Minimal members are enough.
    let jwk: Value = serde_json::from_str(&key_1().to_public_jwk()).unwrap();
    let minimal = json!({"keys": [{"kty": "OKP", "crv": "Ed25519", "kid": "m", "x": jwk["x"]}]});
    assert!(Jwks::from_json(&minimal.to_string()).is_ok());
}

fn key_set_error(doc: &Value) -> String {
    match Jwks::from_json(&doc.to_string()) {
        Ok(k) => panic!("accepted {k:?}"),
        Err(TokenError::InvalidKeySet(reason)) => reason,
        Err(other) => panic!("expected invalid_key_set, got {other:?}"),
    }
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn jwks_errors() {
    let good: Value = serde_json::from_str(&key_1().to_public_jwk()).unwrap();
    let with = |member: &str, value: Value| {
        let mut k = good.clone();
        k[member] = value;
        json!({ "keys": [k] })
    };
    let short = base64url::encode(&[1u8; 31]);
    assert_eq!(
        key_set_error(&with("x", json!("not base64!"))),
        "key `test-1` has an invalid `x`: invalid base64url character at offset 3"
    );
    assert_eq!(
        key_set_error(&with("x", json!(short))),
        "key `test-1` has an `x` that is not 32 bytes"
    );
    // The identity point has small order: a key that would "verify" forged signatures.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    assert_eq!(
        key_set_error(&with("x", json!(base64url::encode(&identity)))),
        "key `test-1` is a weak (small-order) key"
    );
    assert_eq!(
        key_set_error(&with("alg", json!("RS256"))),
        "key `test-1` has algorithm `RS256`, expected `EdDSA`"
    );
    assert_eq!(
        key_set_error(&with("use", json!("enc"))),
        "key `test-1` has use `enc`, expected `sig`"
    );
    assert_eq!(
        key_set_error(&with("d", json!("AAAA"))),
        "a key includes private material `d`"
    );
    let mut no_kid = good.clone();
    no_kid.as_object_mut().unwrap().remove("kid");
    assert_eq!(
        key_set_error(&json!({ "keys": [no_kid] })),
        "an Ed25519 key has no `kid`"
    );
    assert_eq!(
        key_set_error(&json!({ "keys": [good.clone(), good.clone()] })),
        "duplicate key id `test-1`"
    );
    assert_eq!(
        key_set_error(&json!({ "keys": [] })),
        "no Ed25519 signing key"
    );
    assert_eq!(
        key_set_error(&json!({ "keys": [{"kty": "RSA", "n": "AQAB", "e": "AQAB"}] })),
        "no Ed25519 signing key"
    );
    assert_eq!(key_set_error(&json!({})), "missing field `keys`");
    assert_eq!(
        key_set_error(&json!([])),
        "invalid type: sequence, expected a JSON object"
    );
    // Duplicate JSON members in the key set itself.
    let doc = format!(r#"{{"keys":[{}],"keys":[]}}"#, key_1().to_public_jwk());
    assert_eq!(
        Jwks::from_json(&doc).unwrap_err().to_string(),
        "invalid key set: duplicate key `keys`"
    );
    assert_eq!(Jwks::from_json("{}").unwrap_err().code(), "invalid_key_set");
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn signing_keys_from_jwk() {
    let key = key_1();
    assert_eq!(key.kid(), "test-1");
    let again = SigningKey::from_jwk(&key.to_private_jwk()).unwrap();
    assert_eq!(again.to_public_jwk(), key.to_public_jwk());
    // `d` of one key with `x` of another.
    let mut mixed: Value = serde_json::from_str(PRIVATE_1).unwrap();
    let other: Value = serde_json::from_str(PRIVATE_2).unwrap();
    mixed["x"] = other["x"].clone();
    let e = SigningKey::from_jwk(&mixed.to_string()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid key set: key `test-1`: `d` does not match `x`"
    );
    // A public JWK cannot sign.
    let e = SigningKey::from_jwk(&key.to_public_jwk()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid key set: key `test-1` has no private part `d`"
    );
    // Debug output never shows the seed.
    let debug = format!("{key:?}");
    assert!(debug.contains("test-1"));
    let d = serde_json::from_str::<Value>(PRIVATE_1).unwrap()["d"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(!debug.contains(&d), "{debug}");
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn published_test_keys_match_their_seeds() {
    let expect = |seed: &[u8; 32], kid: &str, file: &str| {
        let key = SigningKey::from_seed(kid, seed);
        let published: Value = serde_json::from_str(file).unwrap();
        let derived: Value = serde_json::from_str(&key.to_private_jwk()).unwrap();
        assert_eq!(published, derived, "{kid}");
    };
    expect(SEED_1, "test-1", PRIVATE_1);
    expect(SEED_2, "test-2", PRIVATE_2);
    let published: Value = serde_json::from_str(JWKS).unwrap();
    let derived: Value = serde_json::from_str(&jwks_json(&[
        &SigningKey::from_seed("test-1", SEED_1),
        &SigningKey::from_seed("test-2", SEED_2),
    ]))
    .unwrap();
    assert_eq!(published, derived);
}

/// Rewrites `tests/keys/` from the seeds: `cargo test --test token -- --ignored regenerate`.
#[cfg(not(target_arch = "wasm32"))]
#[test]
#[ignore = "writes files; run by hand after changing the test keys"]
fn regenerate_test_keys() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/keys");
    let k1 = SigningKey::from_seed("test-1", SEED_1);
    let k2 = SigningKey::from_seed("test-2", SEED_2);
    let pretty = |s: String| {
        let v: Value = serde_json::from_str(&s).unwrap();
        serde_json::to_string_pretty(&v).unwrap() + "\n"
    };
    std::fs::write(
        format!("{dir}/test-private.jwk.json"),
        pretty(k1.to_private_jwk()),
    )
    .unwrap();
    std::fs::write(
        format!("{dir}/test-2-private.jwk.json"),
        pretty(k2.to_private_jwk()),
    )
    .unwrap();
    std::fs::write(
        format!("{dir}/test-jwks.json"),
        pretty(jwks_json(&[&k1, &k2])),
    )
    .unwrap();
}

// ---------------------------------------------------------------------------------------------
// Errors

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn every_error_has_a_stable_code_and_a_styled_message() {
    let all = [
        (TokenError::Malformed("x".into()), "malformed"),
        (TokenError::BadSignature, "bad_signature"),
        (TokenError::UnknownKey("k".into()), "unknown_key"),
        (
            TokenError::UnsupportedAlgorithm("none".into()),
            "unsupported_algorithm",
        ),
        (TokenError::Expired { exp: 1, now: 2 }, "expired"),
        (TokenError::NotYetValid { nbf: 2, now: 1 }, "not_yet_valid"),
        (TokenError::WrongAudience, "wrong_audience"),
        (TokenError::WrongIssuer, "wrong_issuer"),
        (TokenError::WrongSubject, "wrong_subject"),
        (TokenError::Rollback { serial: 1, min: 2 }, "rollback"),
        (TokenError::TooLarge { len: 2, max: 1 }, "too_large"),
        (TokenError::UnsupportedVersion(9), "unsupported_version"),
        (TokenError::InvalidKeySet("x".into()), "invalid_key_set"),
    ];
    for (e, code) in all {
        assert_eq!(e.code(), code);
        let msg = e.to_string();
        let first = msg.chars().next().unwrap();
        assert!(first.is_lowercase(), "{msg}");
        assert!(!msg.ends_with('.') && !msg.contains('\n'), "{msg}");
        let _: &dyn std::error::Error = &e;
    }
}

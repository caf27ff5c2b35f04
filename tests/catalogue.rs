//! Catalogue bundles: a slip binds its separately signed catalogue by hash, and neither kind of
//! token can stand in for the other.
#![cfg(feature = "issue")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::fs;

use permslip::issue::{catalogue_of, slip_for, slip_for_bundle};
use permslip::model::{Directory, Model};
use permslip::slip::SLIP_VERSION;
use permslip::snapshot::Snapshot;
use permslip::token::{
    sign, sign_catalogue, verify_catalogue, Audience, CatalogueClaims, Claims, Jwks, SigningKey,
    VerifyOptions,
};

const NOW: u64 = 1_764_000_000;

fn setup(example: &str) -> (Model, Directory, SigningKey, Jwks) {
    let root = env!("CARGO_MANIFEST_DIR");
    let read = |p: String| fs::read_to_string(p).unwrap();
    let model =
        serde_json::from_str(&read(format!("{root}/examples/{example}/model.json"))).unwrap();
    let dir =
        serde_json::from_str(&read(format!("{root}/examples/{example}/directory.json"))).unwrap();
    let key =
        SigningKey::from_jwk(&read(format!("{root}/tests/keys/test-private.jwk.json"))).unwrap();
    let jwks = Jwks::from_json(&read(format!("{root}/tests/keys/test-jwks.json"))).unwrap();
    (model, dir, key, jwks)
}

fn bundle(model: &Model, key: &SigningKey, aud: &str) -> (String, String) {
    let claims = CatalogueClaims {
        iss: "test".into(),
        aud: Audience::One(aud.into()),
        iat: NOW,
        exp: None,
        psv: SLIP_VERSION,
        catalogue: catalogue_of(model),
    };
    sign_catalogue(&claims, key)
}

fn snapshot(slip: permslip::slip::Slip, key: &SigningKey) -> String {
    let claims = Claims {
        iss: "test".into(),
        sub: slip.user.id.clone(),
        aud: Audience::One("app".into()),
        iat: NOW,
        nbf: None,
        exp: NOW + 600,
        jti: None,
        serial: 1,
        psv: SLIP_VERSION,
        slip,
    };
    sign(&claims, key)
}

#[test]
fn bundled_and_inline_snapshots_decide_alike() {
    let (model, dir, key, jwks) = setup("amplify");
    let opts = VerifyOptions::new("app", NOW);
    let (cat_token, hash) = bundle(&model, &key, "app");
    let cat = verify_catalogue(&cat_token, &jwks, &opts).unwrap();
    assert_eq!(cat.hash(), hash);
    let bundled = snapshot(
        slip_for_bundle(&model, &dir, "member", &hash).unwrap(),
        &key,
    );
    let inline = snapshot(slip_for(&model, &dir, "member").unwrap(), &key);
    assert!(
        bundled.len() * 4 < inline.len(),
        "the bundle should carry most of the bytes"
    );
    let a = Snapshot::verify_with(&bundled, Some(&cat), &jwks, &opts).unwrap();
    let b = Snapshot::verify(&inline, &jwks, &opts).unwrap();
    assert_eq!(a.checker().profile(), b.checker().profile());
}

#[test]
fn a_bundled_snapshot_needs_its_own_catalogue() {
    let (model, dir, key, jwks) = setup("amplify");
    let opts = VerifyOptions::new("app", NOW);
    let (_, hash) = bundle(&model, &key, "app");
    let token = snapshot(
        slip_for_bundle(&model, &dir, "member", &hash).unwrap(),
        &key,
    );
    let err = Snapshot::verify(&token, &jwks, &opts).unwrap_err();
    assert_eq!(err.code(), "missing_catalogue");

    // Another model's catalogue (same key, same audience) does not fit.
    let (other_model, ..) = setup("ampliflow");
    let (other, _) = bundle(&other_model, &key, "app");
    let other = verify_catalogue(&other, &jwks, &opts).unwrap();
    let err = Snapshot::verify_with(&token, Some(&other), &jwks, &opts).unwrap_err();
    assert_eq!(err.code(), "catalogue_mismatch");
}

#[test]
fn tokens_cannot_stand_in_for_each_other() {
    let (model, dir, key, jwks) = setup("ampliflow");
    let opts = VerifyOptions::new("app", NOW);
    let (cat_token, _) = bundle(&model, &key, "app");
    assert_eq!(
        Snapshot::verify(&cat_token, &jwks, &opts)
            .unwrap_err()
            .code(),
        "malformed"
    );
    let snap = snapshot(slip_for(&model, &dir, "member").unwrap(), &key);
    assert_eq!(
        verify_catalogue(&snap, &jwks, &opts).unwrap_err().code(),
        "malformed"
    );
}

#[test]
fn catalogue_bundles_check_audience_and_signature() {
    let (model, _, key, jwks) = setup("ampliflow");
    let opts = VerifyOptions::new("app", NOW);
    let (token, _) = bundle(&model, &key, "elsewhere");
    assert_eq!(
        verify_catalogue(&token, &jwks, &opts).unwrap_err().code(),
        "wrong_audience"
    );
    let (token, _) = bundle(&model, &key, "app");
    let mut bytes = token.into_bytes();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 1;
    let tampered = String::from_utf8(bytes).unwrap();
    assert!(verify_catalogue(&tampered, &jwks, &opts).is_err());
}

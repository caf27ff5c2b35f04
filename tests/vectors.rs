//! Runs the shared decision table (`tests/vectors/decisions.json`) against the native engine:
//! each example user's slip is issued from the shipped model and directory, compiled, and asked
//! every case. The wasm, JS and CLI suites run the same file.
#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "a test: a failed step should stop it loudly"
)]

use std::collections::{BTreeMap, BTreeSet};

use permslip::dangerous;
use permslip::engine::{Checker, Reason};
use permslip::issue::{catalogue_of, slip_for, slip_for_bundle};
use permslip::model::{Directory, Model};
use permslip::slip::SLIP_VERSION;
use permslip::snapshot::Snapshot;
use permslip::token::{
    sign, sign_catalogue, verify_catalogue, Audience, CatalogueClaims, Claims, Jwks, SigningKey,
    VerifyOptions,
};
use serde_json::Value;

const DECISIONS: &str = include_str!("vectors/decisions.json");
const TEST_JWKS: &str = include_str!("keys/test-jwks.json");
const TEST_PRIVATE_JWK: &str = include_str!("keys/test-private.jwk.json");

/// Every checked-in golden file, embedded so the same tests run under wasm (no file system).
const GOLDEN: &[(&str, &str, &str)] = &[
    (
        "amplify",
        "catalogue.jwt",
        include_str!("golden/amplify/catalogue.jwt"),
    ),
    (
        "amplify",
        "admin.jwt",
        include_str!("golden/amplify/admin.jwt"),
    ),
    (
        "amplify",
        "it-admin.jwt",
        include_str!("golden/amplify/it-admin.jwt"),
    ),
    (
        "amplify",
        "manager.jwt",
        include_str!("golden/amplify/manager.jwt"),
    ),
    (
        "amplify",
        "member.jwt",
        include_str!("golden/amplify/member.jwt"),
    ),
    (
        "amplify",
        "fax-clerk.jwt",
        include_str!("golden/amplify/fax-clerk.jwt"),
    ),
    (
        "amplify",
        "receptionist.jwt",
        include_str!("golden/amplify/receptionist.jwt"),
    ),
    (
        "amplify",
        "new-hire.jwt",
        include_str!("golden/amplify/new-hire.jwt"),
    ),
    (
        "ampliflow",
        "administrator.jwt",
        include_str!("golden/ampliflow/administrator.jwt"),
    ),
    (
        "ampliflow",
        "manager.jwt",
        include_str!("golden/ampliflow/manager.jwt"),
    ),
    (
        "ampliflow",
        "member.jwt",
        include_str!("golden/ampliflow/member.jwt"),
    ),
    (
        "ampliflow",
        "mapper.jwt",
        include_str!("golden/ampliflow/mapper.jwt"),
    ),
    (
        "ampliflow",
        "tess.jwt",
        include_str!("golden/ampliflow/tess.jwt"),
    ),
    (
        "ampliflow",
        "newbie.jwt",
        include_str!("golden/ampliflow/newbie.jwt"),
    ),
    (
        "ampliflow",
        "intern.jwt",
        include_str!("golden/ampliflow/intern.jwt"),
    ),
];

fn load_example(name: &str) -> (Model, Directory) {
    let (model, directory) = match name {
        "amplify" => (
            include_str!("../examples/amplify/model.json"),
            include_str!("../examples/amplify/directory.json"),
        ),
        "ampliflow" => (
            include_str!("../examples/ampliflow/model.json"),
            include_str!("../examples/ampliflow/directory.json"),
        ),
        other => panic!("no example `{other}`"),
    };
    (
        serde_json::from_str(model).unwrap_or_else(|e| panic!("{name} model: {e}")),
        serde_json::from_str(directory).unwrap_or_else(|e| panic!("{name} directory: {e}")),
    )
}

/// `answer` with the explanation's sentence, when the case pins one (the table's `message`:
/// the words every runtime must give).
fn with_message(mut answer: Value, message: &str, expect: &Value) -> Value {
    if expect.get("message").is_some() {
        answer["message"] = serde_json::json!(message);
    }
    answer
}

/// Answers one case the way every runtime must: a JSON value comparable with `expect`.
fn answer(checker: &Checker, model: &Model, check: &Value, expect: &Value) -> Value {
    let s = |k: &str| check.get(k).and_then(Value::as_str);
    if let Some(p) = s("can") {
        let e = checker.explain_permission(p, s("scope"));
        assert_eq!(
            e.allowed,
            checker.can(p, s("scope")),
            "explain and can disagree"
        );
        let h = checker.permission_handle(p, s("scope"));
        assert_eq!(e.allowed, checker.check(h), "handle and can disagree");
        return with_message(
            serde_json::json!({"allow": e.allowed, "reason": e.reason.code()}),
            &e.message,
            expect,
        );
    }
    if let Some(f) = s("level") {
        let level = checker.level_name(checker.feature_level(f));
        return serde_json::json!({ "level": level });
    }
    if let (Some(f), Some(a)) = (s("feature"), s("action")) {
        let e = checker.explain_feature(f, a);
        assert_eq!(e.allowed, checker.can_feature(f, a));
        let mut v = serde_json::json!({"allow": e.allowed, "reason": e.reason.code()});
        if expect.get("needed").is_some() {
            v["needed"] = serde_json::json!(e.needed);
        }
        return with_message(v, &e.message, expect);
    }
    if let (Some(r), Some(a)) = (s("resource"), s("action")) {
        let e = checker.explain_resource(r, a);
        assert_eq!(e.allowed, checker.can_resource(r, a));
        return with_message(
            serde_json::json!({"allow": e.allowed, "reason": e.reason.code()}),
            &e.message,
            expect,
        );
    }
    if let (Some(f), Some(a)) = (s("list"), s("action")) {
        return serde_json::json!({ "ids": checker.list(f, a) });
    }
    if check.get("menu").is_some() {
        let ids = checker.visible_menu_ids(&model.nav).unwrap();
        return serde_json::json!({ "visible": ids });
    }
    if check.get("profile").is_some() {
        let p = checker.profile();
        let roles: BTreeSet<(String, String)> = p
            .roles
            .iter()
            .map(|r| (r.role.clone(), r.via.clone()))
            .collect();
        let teams: BTreeSet<String> = p.teams.iter().map(|t| t.id.clone()).collect();
        let want_roles: BTreeSet<(String, String)> = expect["roles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["role"].as_str().unwrap().into(),
                    r["via"].as_str().unwrap().into(),
                )
            })
            .collect();
        let want_teams: BTreeSet<String> = expect["teams"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap().into())
            .collect();
        // Sets compare regardless of order; report the real values on mismatch.
        return if roles == want_roles && teams == want_teams {
            expect.clone()
        } else {
            serde_json::json!({"roles": format!("{roles:?}"), "teams": format!("{teams:?}")})
        };
    }
    panic!("unknown check {check}");
}

/// Runs every case against the checker `checker_for(example, user)` gives.
fn run_table(mut checker_for: impl FnMut(&str, &str) -> Checker) {
    let table: Value = serde_json::from_str(DECISIONS).unwrap();
    let cases = table["cases"].as_array().unwrap();
    assert!(cases.len() > 100, "the decision table lost its cases");
    let mut models: BTreeMap<String, Model> = BTreeMap::new();
    let mut checkers: BTreeMap<(String, String), Checker> = BTreeMap::new();
    let mut failures = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let example = case["example"].as_str().unwrap().to_owned();
        let user = case["user"].as_str().unwrap().to_owned();
        let model = models
            .entry(example.clone())
            .or_insert_with(|| load_example(&example).0);
        let checker = checkers
            .entry((example.clone(), user.clone()))
            .or_insert_with(|| checker_for(&example, &user));
        let got = answer(checker, model, &case["check"], &case["expect"]);
        if got != case["expect"] {
            failures.push(format!(
                "#{i} [{}] {example}/{user} {}: expected {}, got {got}",
                case["rule"], case["check"], case["expect"]
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn decision_table_on_freshly_issued_slips() {
    let mut examples: BTreeMap<String, (Model, Directory)> = BTreeMap::new();
    run_table(|example, user| {
        let (model, directory) = examples
            .entry(example.to_owned())
            .or_insert_with(|| load_example(example));
        dangerous::compile_unverified(&slip_for(model, directory, user).unwrap()).unwrap()
    });
}

const GOLDEN_NOW: u64 = 1_764_000_000;

fn golden(example: &str, file: &str) -> Option<String> {
    GOLDEN
        .iter()
        .find(|(e, f, _)| *e == example && *f == file)
        .map(|(_, _, token)| token.trim().to_owned())
}

fn golden_keys() -> Jwks {
    Jwks::from_json(TEST_JWKS).unwrap()
}

/// The checked-in signed snapshots (what the wasm and JS suites verify) give the same answers.
#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn decision_table_on_golden_snapshots() {
    let keys = golden_keys();
    let opts = VerifyOptions::new("permslip-demo", GOLDEN_NOW);
    run_table(|example, user| {
        let catalogue =
            golden(example, "catalogue.jwt").map(|t| verify_catalogue(&t, &keys, &opts).unwrap());
        let token = golden(example, &format!("{user}.jwt")).unwrap();
        Snapshot::verify_with(&token, catalogue.as_ref(), &keys, &opts)
            .unwrap()
            .into_checker()
    });
}

/// The golden snapshots are exactly what the issuer produces today (rebuild them with
/// scripts/gen-golden.sh after a deliberate change).
#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn golden_snapshots_are_current() {
    let key = SigningKey::from_jwk(TEST_PRIVATE_JWK).unwrap();
    for example in ["amplify", "ampliflow"] {
        let (model, directory) = load_example(example);
        let bundle = golden(example, "catalogue.jwt");
        let hash = bundle.as_ref().map(|_| {
            let claims = CatalogueClaims {
                iss: "permslip-test".into(),
                aud: Audience::One("permslip-demo".into()),
                iat: GOLDEN_NOW,
                exp: None,
                psv: SLIP_VERSION,
                catalogue: catalogue_of(&model),
            };
            let (token, hash) = sign_catalogue(&claims, &key);
            assert_eq!(
                Some(&token),
                bundle.as_ref(),
                "{example} catalogue.jwt is stale"
            );
            hash
        });
        for user in &directory.users {
            let slip = match &hash {
                Some(h) => slip_for_bundle(&model, &directory, &user.id, h).unwrap(),
                None => slip_for(&model, &directory, &user.id).unwrap(),
            };
            let claims = Claims {
                iss: "permslip-test".into(),
                sub: user.id.clone(),
                aud: Audience::One("permslip-demo".into()),
                iat: GOLDEN_NOW,
                nbf: Some(GOLDEN_NOW),
                exp: GOLDEN_NOW + 2_338_444_800,
                jti: None,
                serial: 1,
                psv: SLIP_VERSION,
                slip,
            };
            let want = sign(&claims, &key);
            let have = golden(example, &format!("{}.jwt", user.id));
            assert_eq!(
                have.as_ref(),
                Some(&want),
                "{example}/{}.jwt is stale: run scripts/gen-golden.sh",
                user.id
            );
        }
    }
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn every_reason_code_is_distinct() {
    let all = Reason::ALL;
    for r in all {
        assert_eq!(Reason::from_number(r as u8), Some(r), "numbering of {r:?}");
    }
    assert_eq!(Reason::from_number(all.len() as u8), None);
    let codes: BTreeSet<&str> = all.iter().map(|r| r.code()).collect();
    assert_eq!(codes.len(), all.len());
}

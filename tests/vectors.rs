//! Runs the shared decision table (`tests/vectors/decisions.json`) against the native engine:
//! each example user's slip is issued from the shipped model and directory, compiled, and asked
//! every case. The wasm, JS and CLI suites run the same file.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;

use permslip::engine::{Checker, Reason};
use permslip::issue::slip_for;
use permslip::model::{Directory, Model};
use serde_json::Value;

fn load_example(name: &str) -> (Model, Directory) {
    let dir = format!("{}/examples/{name}", env!("CARGO_MANIFEST_DIR"));
    let model = serde_json::from_str(&fs::read_to_string(format!("{dir}/model.json")).unwrap())
        .unwrap_or_else(|e| panic!("{name} model: {e}"));
    let directory =
        serde_json::from_str(&fs::read_to_string(format!("{dir}/directory.json")).unwrap())
            .unwrap_or_else(|e| panic!("{name} directory: {e}"));
    (model, directory)
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
        return serde_json::json!({"allow": e.allowed, "reason": e.reason.code()});
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
        return v;
    }
    if let (Some(r), Some(a)) = (s("resource"), s("action")) {
        let e = checker.explain_resource(r, a);
        assert_eq!(e.allowed, checker.can_resource(r, a));
        return serde_json::json!({"allow": e.allowed, "reason": e.reason.code()});
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

#[test]
fn decision_table() {
    let path = format!(
        "{}/tests/vectors/decisions.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let table: Value = serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
    let cases = table["cases"].as_array().unwrap();
    assert!(cases.len() > 100, "the decision table lost its cases");
    let mut examples: BTreeMap<String, (Model, Directory)> = BTreeMap::new();
    let mut checkers: BTreeMap<(String, String), Checker> = BTreeMap::new();
    let mut failures = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let example = case["example"].as_str().unwrap().to_owned();
        let user = case["user"].as_str().unwrap().to_owned();
        let (model, directory) = examples
            .entry(example.clone())
            .or_insert_with(|| load_example(&example));
        let checker = checkers
            .entry((example.clone(), user.clone()))
            .or_insert_with(|| {
                Checker::compile(&slip_for(model, directory, &user).unwrap()).unwrap()
            });
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
fn every_reason_code_is_distinct() {
    let all = [
        Reason::Granted,
        Reason::Admin,
        Reason::UnknownPermission,
        Reason::ProductOff,
        Reason::Revoked,
        Reason::ExplicitOnly,
        Reason::ScopeNotGranted,
        Reason::NotGranted,
        Reason::LevelTooLow,
        Reason::Restricted,
        Reason::UnknownFeature,
        Reason::UnknownResource,
        Reason::UnknownAction,
    ];
    let codes: BTreeSet<&str> = all.iter().map(|r| r.code()).collect();
    assert_eq!(codes.len(), all.len());
}

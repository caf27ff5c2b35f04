//! The native record of the shared contract, line for line as the Kotlin suite writes it
//! (`tests/mobile/Replay.kt`): every decision-table case over every example user's golden full
//! token and its lite token, with the whole explanation, then every refusal's code.
//! `scripts/mobile-test.sh` compares the two records byte for byte.
//!
//! Usage: `cargo run -p permslip-mobile --example record -- LITE_DIR`, where LITE_DIR holds
//! `<example>/<user>.lite.jwt` (issued by `permslip issue --format lite`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::fs;
use std::path::Path;

use permslip::engine::{Explanation, Source};
use permslip::model::{Model, NavItem};
use permslip::token::{verify_catalogue, Jwks, VerifyOptions};
use permslip::verified::{Answers, Query, Verified};
use serde_json::Value;

const AUDIENCE: &str = "permslip-demo";
const NOW: u64 = 1_764_000_001;

fn main() {
    let lite_dir = std::env::args().nth(1).expect("usage: record LITE_DIR");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let read = |p: &str| fs::read_to_string(root.join(p)).unwrap();
    let keys = Jwks::from_json(&read("tests/keys/test-jwks.json")).unwrap();
    let opts = VerifyOptions::new(AUDIENCE, NOW);
    let decisions: Value = serde_json::from_str(&read("tests/vectors/decisions.json")).unwrap();
    let cases = decisions["cases"].as_array().unwrap();
    let bundle = verify_catalogue(
        read("tests/golden/amplify/catalogue.jwt").trim(),
        &keys,
        &opts,
    )
    .unwrap();

    let mut out = String::new();
    for example in ["amplify", "ampliflow"] {
        let model: Model =
            serde_json::from_str(&read(&format!("examples/{example}/model.json"))).unwrap();
        let directory: Value =
            serde_json::from_str(&read(&format!("examples/{example}/directory.json"))).unwrap();
        for user in directory["users"].as_array().unwrap() {
            let user = user["id"].as_str().unwrap();
            let full = read(&format!("tests/golden/{example}/{user}.jwt"));
            let lite =
                fs::read_to_string(Path::new(&lite_dir).join(format!("{example}/{user}.lite.jwt")))
                    .unwrap();
            for (format, token) in [("full", full), ("lite", lite)] {
                let v = Verified::load(token.trim(), Some(&bundle), &keys, &opts).unwrap();
                let answers = v.at(NOW);
                for (i, case) in cases.iter().enumerate() {
                    if case["example"] != example || case["user"] != user {
                        continue;
                    }
                    if let Some(line) = answer(&answers, &model.nav, &case["check"], format) {
                        out.push_str(&format!("{example}/{user}/{format} #{i} {line}\n"));
                    }
                }
            }
        }
    }
    let refusals: Value = serde_json::from_str(&read("tests/vectors/refusals.json")).unwrap();
    for case in refusals["cases"].as_array().unwrap() {
        out.push_str(&format!(
            "refusal {} {}\n",
            case["name"].as_str().unwrap(),
            refusal_code(case, &keys)
        ));
    }
    print!("{out}");
}

fn s<'a>(check: &'a Value, key: &str) -> Option<&'a str> {
    check[key].as_str()
}

/// One case's line; `None` for cases a format cannot answer (lite has no profile).
fn answer(a: &Answers<'_>, nav: &[NavItem], check: &Value, format: &str) -> Option<String> {
    if let Some(permission) = s(check, "can") {
        let q = Query::Permission {
            permission: permission.to_owned(),
            scope: s(check, "scope").map(str::to_owned),
        };
        return Some(format!("can {}", explanation(&a.explain(&q))));
    }
    if let Some(feature) = s(check, "level") {
        return Some(format!("level={}", opt(a.feature_level_name(feature))));
    }
    if let (Some(feature), Some(action)) = (s(check, "feature"), s(check, "action")) {
        let q = Query::Feature {
            feature: feature.to_owned(),
            action: action.to_owned(),
        };
        return Some(format!("feature {}", explanation(&a.explain(&q))));
    }
    if let (Some(id), Some(action)) = (s(check, "resource"), s(check, "action")) {
        let q = Query::Resource {
            id: id.to_owned(),
            action: action.to_owned(),
        };
        return Some(format!("resource {}", explanation(&a.explain(&q))));
    }
    if let (Some(feature), Some(action)) = (s(check, "list"), s(check, "action")) {
        return Some(format!("list ids={}", a.list(feature, action).join(",")));
    }
    if !check["menu"].is_null() {
        let mut ids = Vec::new();
        walk(&a.filter_menu(nav).unwrap(), &mut ids);
        return Some(format!("menu visible={}", ids.join(",")));
    }
    if !check["profile"].is_null() {
        if format == "lite" {
            return None;
        }
        let p = a.profile().unwrap();
        let mut roles: Vec<String> = p
            .roles
            .iter()
            .map(|r| format!("{}@{}", r.role, r.via))
            .collect();
        roles.sort();
        let mut teams: Vec<String> = p.teams.iter().map(|t| t.id.clone()).collect();
        teams.sort();
        return Some(format!(
            "profile roles={} teams={}",
            roles.join(","),
            teams.join(",")
        ));
    }
    panic!("unknown check {check}");
}

fn walk(items: &[NavItem], out: &mut Vec<String>) {
    for item in items {
        out.push(item.id.clone());
        walk(&item.children, out);
    }
}

fn opt(v: Option<String>) -> String {
    v.unwrap_or_else(|| "null".to_owned())
}

fn explanation(e: &Explanation) -> String {
    let via: Vec<String> = e.via.iter().map(source).collect();
    format!(
        "allow={} reason={} level={} needed={} product={} via=[{}] grantedBy=[{}] query={} message={}",
        e.allowed,
        e.reason.code(),
        opt(e.level.clone()),
        opt(e.needed.clone()),
        opt(e.product.clone()),
        via.join(","),
        e.granted_by.join(","),
        e.query,
        e.message
    )
}

fn source(s: &Source) -> String {
    match s {
        Source::Role { role, via } => format!("role:{role}:{via}"),
        Source::User => "user".to_owned(),
        Source::Team { team } => format!("team:{team}"),
        Source::Implied { by } => format!("implied:{by}"),
        Source::Assignment { resource, via } => format!("assignment:{resource}:{via}"),
        Source::Feature { feature } => format!("feature:{feature}"),
    }
}

/// The code a refusal case fails with, loaded as the bindings load it.
fn refusal_code(case: &Value, default_keys: &Jwks) -> String {
    let o = &case["options"];
    let parsed;
    let keys = match case["jwks"].as_str() {
        Some(json) => match Jwks::from_json(json) {
            Ok(k) => {
                parsed = k;
                &parsed
            }
            Err(e) => return e.code().to_owned(),
        },
        None => default_keys,
    };
    let mut opts = VerifyOptions::new(
        o["audience"].as_str().unwrap_or(AUDIENCE),
        o["now"].as_u64().unwrap_or(NOW),
    );
    opts.issuer = o["issuer"].as_str().map(str::to_owned);
    opts.subject = o["subject"].as_str().map(str::to_owned);
    if let Some(l) = o["leeway"].as_u64() {
        opts.leeway = l;
    }
    if let Some(m) = o["minSerial"].as_u64() {
        opts.min_serial = m;
    }
    if let Some(m) = o["maxTokenBytes"].as_u64() {
        opts.max_token_bytes = m as usize;
    }
    let bundle = match case["catalogue"].as_str() {
        Some(b) => match verify_catalogue(b, keys, &opts) {
            Ok(c) => Some(c),
            Err(e) => return e.code().to_owned(),
        },
        None => None,
    };
    match Verified::load(
        case["token"].as_str().unwrap(),
        bundle.as_ref(),
        keys,
        &opts,
    ) {
        Ok(_) => "(loaded)".to_owned(),
        Err(e) => e.code().to_owned(),
    }
}

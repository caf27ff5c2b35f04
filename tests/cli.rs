//! The CLI against the shared decision table: `permslip issue` signs a snapshot for every
//! example user, and `permslip check` must give each case's decision, reason and exit code.
#![cfg(feature = "cli")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_permslip");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const NOW: &str = "1764000000";

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().unwrap()
}

fn issue_all(example: &str, out: &Path) {
    issue_all_as(example, out, "jws");
}

fn issue_all_as(example: &str, out: &Path, format: &str) {
    let ex = format!("{ROOT}/examples/{example}");
    let o = run(&[
        "issue",
        "--format",
        format,
        "--model",
        &format!("{ex}/model.json"),
        "--directory",
        &format!("{ex}/directory.json"),
        "--key",
        &format!("{ROOT}/tests/keys/test-private.jwk.json"),
        "--out-dir",
        out.to_str().unwrap(),
        "--now",
        NOW,
        "--ttl",
        "600",
        "--serial",
        "7",
    ]);
    assert!(
        o.status.success(),
        "issue failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("permslip-cli-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn verify_args<'a>(token: &'a str, jwks: &'a str) -> Vec<&'a str> {
    vec![token, "--jwks", jwks, "--now", NOW]
}

#[test]
fn cli_gives_the_decision_table() {
    decision_table("jws");
}

/// Lite tokens (`docs/LITE.md`), verified and read by the lite crate, answer the same table.
#[test]
fn cli_gives_the_decision_table_from_lite_tokens() {
    decision_table("lite");
}

fn decision_table(format: &str) {
    let table: Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{ROOT}/tests/vectors/decisions.json")).unwrap(),
    )
    .unwrap();
    let jwks = format!("{ROOT}/tests/keys/test-jwks.json");
    let mut dirs = std::collections::BTreeMap::new();
    let mut checked = 0;
    for case in table["cases"].as_array().unwrap() {
        let example = case["example"].as_str().unwrap();
        let dir = dirs.entry(example.to_owned()).or_insert_with(|| {
            let d = tempdir(&format!("{example}-{format}"));
            issue_all_as(example, &d, format);
            d
        });
        let suffix = if format == "lite" { "lite.jwt" } else { "jwt" };
        let user = case["user"].as_str().unwrap();
        let token = format!("@{}/{user}.{suffix}", dir.display());
        let check = &case["check"];
        let s = |k: &str| check.get(k).and_then(Value::as_str);
        let catalogue = dir.join("catalogue.jwt");
        let catalogue = catalogue.to_str().unwrap().to_owned();
        let mut args = vec!["check"];
        args.extend(verify_args(&token, &jwks));
        if Path::new(&catalogue).exists() {
            args.extend(["--catalogue", catalogue.as_str()]);
        }
        if let Some(p) = s("can") {
            args.extend(["--permission", p]);
            if let Some(v) = s("scope") {
                args.extend(["--scope", v]);
            }
        } else if let (Some(f), Some(a)) = (s("feature"), s("action")) {
            args.extend(["--feature", f, "--action", a]);
        } else if let (Some(r), Some(a)) = (s("resource"), s("action")) {
            args.extend(["--resource", r, "--action", a]);
        } else {
            continue;
        }
        let o = run(&args);
        let stdout = String::from_utf8_lossy(&o.stdout).trim().to_owned();
        let allow = case["expect"]["allow"].as_bool().unwrap();
        let want = if allow {
            "allow".to_owned()
        } else {
            format!("deny {}", case["expect"]["reason"].as_str().unwrap())
        };
        assert_eq!(stdout, want, "case {case}");
        assert_eq!(
            o.status.code(),
            Some(if allow { 0 } else { 1 }),
            "exit code for {case}"
        );
        checked += 1;
    }
    assert!(checked > 100, "only {checked} cases ran through the CLI");
}

#[test]
fn cli_errors_are_one_line_on_stderr_with_exit_code_3() {
    let dir = tempdir("errors");
    issue_all("amplify", &dir);
    let jwks = format!("{ROOT}/tests/keys/test-jwks.json");
    let token = format!("@{}/member.jwt", dir.display());

    // Expired: the clock is well past the 600 s lifetime.
    let o = run(&[
        "check",
        &token,
        "--jwks",
        &jwks,
        "--now",
        "1764100000",
        "--permission",
        "fax.send",
    ]);
    assert_eq!(o.status.code(), Some(3));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("expired"), "{err}");

    // Wrong audience.
    let o = run(&[
        "verify", &token, "--jwks", &jwks, "--now", NOW, "--aud", "other",
    ]);
    assert_eq!(o.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&o.stderr).contains("wrong_audience"));

    // Rollback.
    let o = run(&[
        "verify",
        &token,
        "--jwks",
        &jwks,
        "--now",
        NOW,
        "--min-serial",
        "8",
    ]);
    assert_eq!(o.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&o.stderr).contains("rollback"));

    // Usage errors are clap's exit code 2.
    assert_eq!(
        run(&["check", &token, "--jwks", &jwks]).status.code(),
        Some(2)
    );
}

#[test]
fn every_example_snapshot_fits_a_cookie() {
    for example in ["amplify", "ampliflow"] {
        let dir = tempdir(&format!("size-{example}"));
        issue_all(example, &dir);
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let len = std::fs::read_to_string(&path).unwrap().trim().len();
            if path.file_name().unwrap() != "catalogue.jwt" {
                assert!(len < 4096, "{} is {len} bytes", path.display());
            }
        }
    }
}

#[test]
fn keygen_issue_verify_round_trip() {
    let dir = tempdir("keygen");
    let key = dir.join("k.jwk");
    let jwks = dir.join("jwks.json");
    let o = run(&[
        "keygen",
        "--kid",
        "k1",
        "--out",
        key.to_str().unwrap(),
        "--jwks",
        jwks.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o077,
            0,
            "private key must not be readable by others"
        );
    }
    let ex = format!("{ROOT}/examples/ampliflow");
    let o = run(&[
        "issue",
        "--model",
        &format!("{ex}/model.json"),
        "--directory",
        &format!("{ex}/directory.json"),
        "--key",
        key.to_str().unwrap(),
        "--subject",
        "manager",
        "--now",
        NOW,
        "--catalogue",
        "inline",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let token = String::from_utf8(o.stdout).unwrap();
    let o = run(&[
        "verify",
        token.trim(),
        "--jwks",
        jwks.to_str().unwrap(),
        "--now",
        NOW,
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let summary: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(summary["sub"], "manager");
    assert_eq!(summary["kid"], "k1");
    // The test key's JWKS does not know this key.
    let o = run(&[
        "verify",
        token.trim(),
        "--jwks",
        &format!("{ROOT}/tests/keys/test-jwks.json"),
        "--now",
        NOW,
    ]);
    assert_eq!(o.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown_key"));
}

#[test]
fn inspect_shows_profile_and_menu() {
    let dir = tempdir("inspect");
    issue_all("ampliflow", &dir);
    let token = format!("@{}/tess.jwt", dir.display());
    let o = run(&[
        "inspect",
        &token,
        "--jwks",
        &format!("{ROOT}/tests/keys/test-jwks.json"),
        "--now",
        NOW,
        "--catalogue",
        &format!("{}/catalogue.jwt", dir.display()),
        "--menu",
        &format!("{ROOT}/examples/ampliflow/model.json"),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["verified"], true);
    assert!(v["profile"]["teams"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["id"] == "all-users"));
    assert!(v["menu"].as_array().is_some());
    // Without keys, inspect decodes and says it did not verify.
    let o = run(&["inspect", &token]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["verified"], false);
    assert_eq!(v["claims"]["sub"], "tess");
}

/// `-` reads the token from stdin, once, for full and lite tokens alike.
#[test]
fn a_token_on_stdin_is_read_once() {
    use std::io::Write;
    use std::process::Stdio;
    let jwks = format!("{ROOT}/tests/keys/test-jwks.json");
    for (format, file) in [("jws", "member.jwt"), ("lite", "member.lite.jwt")] {
        let dir = tempdir(&format!("stdin-{format}"));
        issue_all_as("amplify", &dir, format);
        let token = std::fs::read(dir.join(file)).unwrap();
        let mut args = vec![
            "check",
            "-",
            "--jwks",
            &jwks,
            "--now",
            NOW,
            "--permission",
            "fax.send",
        ];
        let catalogue = dir.join("catalogue.jwt");
        let catalogue = catalogue.to_str().unwrap().to_owned();
        if Path::new(&catalogue).exists() {
            args.extend(["--catalogue", catalogue.as_str()]);
        }
        let mut child = Command::new(BIN)
            .args(&args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(&token).unwrap();
        let o = child.wait_with_output().unwrap();
        assert_eq!(
            String::from_utf8_lossy(&o.stdout).trim(),
            "allow",
            "{format}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

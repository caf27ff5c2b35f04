//! Native engine figures: one check (by name and by handle), a 40-item menu, compiling a
//! user's slip, issuing one, and verifying + compiling a signed snapshot; the same for lite
//! tokens (issue, validate, verify, checks).
#![expect(
    clippy::unwrap_used,
    reason = "a benchmark of fixed, known-good inputs: a failure should stop it loudly"
)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use permslip::dangerous;
use permslip::engine::CompiledCatalogue;
use permslip::issue::lite_token;
use permslip::issue::{catalogue_of, slip_for};
use permslip::lite::LiteSnapshot;
use permslip::model::{Directory, Model, NavItem};
use permslip::snapshot::Snapshot;
use permslip::token::{
    base64url, jwks_json, sign, Audience, Claims, Ed25519Equation, Jwks, SigningKey, VerifyOptions,
};

fn example(name: &str) -> (Model, Directory) {
    let dir = format!("{}/examples/{name}", env!("CARGO_MANIFEST_DIR"));
    let read = |f: &str| std::fs::read_to_string(format!("{dir}/{f}")).unwrap();
    (
        serde_json::from_str(&read("model.json")).unwrap(),
        serde_json::from_str(&read("directory.json")).unwrap(),
    )
}

/// The first `n` leaves of the navigation tree, flattened: a typical menu.
fn leaves(items: &[NavItem], n: usize) -> Vec<NavItem> {
    let mut out = Vec::new();
    let mut stack: Vec<&NavItem> = items.iter().rev().collect();
    while let Some(item) = stack.pop() {
        if item.children.is_empty() && out.len() < n {
            out.push(item.clone());
        }
        stack.extend(item.children.iter().rev());
    }
    out
}

fn bench(c: &mut Criterion) {
    let (model, directory) = example("amplify");
    let slip = slip_for(&model, &directory, "member").unwrap();
    let checker = dangerous::compile_unverified(&slip).unwrap();

    c.bench_function("can by name", |b| {
        b.iter(|| checker.can(black_box("fax.send"), None))
    });
    c.bench_function("can by name, scoped", |b| {
        b.iter(|| checker.can(black_box("fax.send_from"), Some(black_box("+15550100"))))
    });
    let h = checker.permission_handle("fax.send", None);
    c.bench_function("check by handle", |b| {
        b.iter(|| checker.check(black_box(h)))
    });

    let menu = leaves(&model.nav, 40);
    assert_eq!(menu.len(), 40, "the example nav needs 40 leaves");
    let handles: Vec<u32> = menu
        .iter()
        .map(|i| {
            i.requires
                .as_ref()
                .map_or(u32::MAX, |r| checker.requirement_handle(r))
        })
        .collect();
    let mut out = vec![0u8; handles.len()];
    c.bench_function("menu of 40 by handles", |b| {
        b.iter(|| checker.check_many(black_box(&handles), &mut out))
    });
    c.bench_function("menu of 40 from the tree", |b| {
        b.iter(|| {
            checker
                .visible_menu_ids(black_box(&model.nav))
                .unwrap()
                .len()
        })
    });

    let catalogue = CompiledCatalogue::compile(slip.catalogue.as_ref().unwrap()).unwrap();
    c.bench_function("compile catalogue", |b| {
        b.iter(|| CompiledCatalogue::compile(black_box(slip.catalogue.as_ref().unwrap())).unwrap())
    });
    c.bench_function("compile user (catalogue shared)", |b| {
        b.iter(|| dangerous::compile_unverified_with(&catalogue, black_box(&slip)).unwrap())
    });
    c.bench_function("compile user (inline catalogue)", |b| {
        b.iter(|| dangerous::compile_unverified(black_box(&slip)).unwrap())
    });
    c.bench_function("issue slip", |b| {
        b.iter(|| slip_for(&model, &directory, black_box("member")).unwrap())
    });
    let _ = catalogue_of(&model);

    let key = SigningKey::from_seed("bench", &[7u8; 32]);
    let claims = Claims {
        iss: "bench".into(),
        sub: "member".into(),
        aud: Audience::One("permslip-demo".into()),
        iat: 1_000,
        nbf: None,
        exp: 10_000,
        jti: None,
        serial: 1,
        psv: permslip::slip::SLIP_VERSION,
        slip: slip.clone(),
    };
    let token = sign(&claims, &key);
    let jwks = Jwks::from_json(&jwks_json(&[&key])).unwrap();
    let opts = VerifyOptions::new("permslip-demo", 2_000);
    c.bench_function("verify + compile snapshot", |b| {
        b.iter(|| Snapshot::verify(black_box(&token), &jwks, &opts).unwrap())
    });
    // The other Ed25519 equation (`Ed25519Equation`): the key's tables are built within the
    // warm-up, so this is the steady state of a process verifying many tokens under one key.
    let jwks_tables = Jwks::from_json(&jwks_json(&[&key]))
        .unwrap()
        .with_equation(Ed25519Equation::FixedBaseTables);
    c.bench_function("verify + compile snapshot (fixed-base tables)", |b| {
        b.iter(|| Snapshot::verify(black_box(&token), &jwks_tables, &opts).unwrap())
    });
    c.bench_function("sign snapshot", |b| {
        b.iter(|| sign(black_box(&claims), &key))
    });

    // permslip/lite (docs/LITE.md): the issuer compiles and signs the decisions; a client
    // validates the tables and reads them in place.
    let lite = lite_token(&claims, &key).unwrap();
    c.bench_function("lite: issue a token (compile + encode + sign)", |b| {
        b.iter(|| lite_token(black_box(&claims), &key).unwrap())
    });
    let segment = lite.split('.').nth(1).unwrap();
    let payload = base64url::decode(segment).unwrap();
    c.bench_function("lite: validate the payload", |b| {
        b.iter(|| {
            permslip_lite::Slip::parse(black_box(&payload))
                .unwrap()
                .admin
        })
    });
    c.bench_function("lite: verify + validate a token", |b| {
        b.iter(|| LiteSnapshot::verify(black_box(&lite), &jwks, &opts).unwrap())
    });
    c.bench_function("lite: verify + validate a token (fixed-base tables)", |b| {
        b.iter(|| LiteSnapshot::verify(black_box(&lite), &jwks_tables, &opts).unwrap())
    });
    let slip = permslip_lite::Slip::parse(&payload).unwrap();
    c.bench_function("lite: can by name", |b| {
        b.iter(|| slip.can(black_box(b"fax.send"), None))
    });
    c.bench_function("lite: can by name, scoped", |b| {
        b.iter(|| slip.can(black_box(b"fax.send_from"), Some(black_box(b"+15550100"))))
    });
    let lh = slip.permission_handle(b"fax.send", None);
    c.bench_function("lite: check by handle", |b| {
        b.iter(|| slip.check(black_box(lh)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);

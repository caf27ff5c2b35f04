//! Properties of the model that must hold for every slip, checked with proptest on random valid
//! slips from `tests/reference/gen.rs` (fixed proptest seed: a failure reproduces).
//!
//! Shrinking works on the seeds, not on the slip, so a failure names the seed and the choice;
//! `gen::slip(&mut Rng::new(seed))` rebuilds the same slip.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "a test: a failed step should stop it loudly"
)]
// proptest is a native-only dev-dependency.
#![cfg(not(target_arch = "wasm32"))]

#[path = "reference/mod.rs"]
mod reference;

use std::collections::BTreeMap;

use permslip::dangerous;
use permslip::engine::Checker;
use permslip::model::Grant;
use permslip::slip::{Slip, SlipResourceGrant, SlipRole, SlipTeam};
use proptest::prelude::*;
use proptest::test_runner::RngSeed;
use reference::gen::{self, Rng, ACTIONS, SCOPES};

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        rng_seed: RngSeed::Fixed(0x7072_6f70), // "prop"
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn random_slip(seed: u64) -> Slip {
    gen::slip(&mut Rng::new(seed))
}

fn compile(slip: &Slip) -> Checker {
    dangerous::compile_unverified(slip)
        .unwrap_or_else(|e| panic!("a generated slip must compile: {e}"))
}

/// The scope values every permission is asked with (`None`: any value).
fn scopes() -> Vec<Option<&'static str>> {
    let mut out = vec![None];
    out.extend(SCOPES.iter().map(|s| Some(*s)));
    out.push(Some("unknown-scope"));
    out
}

/// Everything a slip allows, in catalogue and slip order: comparable between two slips that
/// define the same names.
#[derive(Debug, PartialEq)]
struct Access {
    permissions: Vec<(String, Option<&'static str>, bool)>,
    features: Vec<(String, u8)>,
    resources: Vec<(String, u8)>,
}

fn access(slip: &Slip) -> Access {
    let c = compile(slip);
    let cat = slip.catalogue.as_ref().unwrap();
    let mut permissions = Vec::new();
    for p in &cat.permissions {
        for s in scopes() {
            permissions.push((p.id.clone(), s, c.can(&p.id, s)));
        }
    }
    let features = cat
        .features
        .iter()
        .map(|f| (f.id.clone(), c.feature_level(&f.id)))
        .collect();
    let resources = slip
        .resources
        .iter()
        .map(|r| (r.id.clone(), c.resource_level(&r.id)))
        .collect();
    Access {
        permissions,
        features,
        resources,
    }
}

/// `after` allows everything `before` allows, at least at the same level.
fn includes(after: &Access, before: &Access) -> Result<(), String> {
    for (a, b) in after.permissions.iter().zip(&before.permissions) {
        if b.2 && !a.2 {
            return Err(format!("lost {} {:?}", b.0, b.1));
        }
    }
    for (a, b) in after.features.iter().zip(&before.features) {
        if a.1 < b.1 {
            return Err(format!("feature {} fell from {} to {}", b.0, b.1, a.1));
        }
    }
    for (a, b) in after.resources.iter().zip(&before.resources) {
        if a.1 < b.1 {
            return Err(format!("resource {} fell from {} to {}", b.0, b.1, a.1));
        }
    }
    Ok(())
}

fn pick<T>(items: &[T], choice: u64) -> Option<&T> {
    (!items.is_empty()).then(|| &items[(choice % items.len() as u64) as usize])
}

/// A grant that names a permission, a wildcard, or a permission for some scope values.
fn some_grant(slip: &Slip, choice: u64) -> Grant {
    let cat = slip.catalogue.as_ref().unwrap();
    let id = pick(&cat.permissions, choice >> 8).map_or("*".to_owned(), |p| p.id.clone());
    match choice % 4 {
        0 => Grant::Plain(id),
        1 => Grant::Scoped {
            permission: id,
            scope: vec![SCOPES[(choice >> 4) as usize % 3].into()],
        },
        2 => Grant::Plain((*pick(&["*", "a.*", "a.b.*", "b.*"], choice >> 4).unwrap()).into()),
        _ => Grant::Scoped {
            permission: id,
            scope: SCOPES.iter().map(|s| s.to_string()).collect(),
        },
    }
}

/// One way of giving the user more: every one of them must never take anything away.
fn add_something(slip: &mut Slip, kind: u8, choice: u64) -> &'static str {
    let grant = some_grant(slip, choice);
    let cat = slip.catalogue.as_mut().unwrap();
    let role_ids: Vec<String> = cat.roles.iter().map(|r| r.id.clone()).collect();
    let levels = cat.levels.clone();
    let features: Vec<String> = cat.features.iter().map(|f| f.id.clone()).collect();
    match kind {
        0 => {
            slip.user.grants.push(grant);
            "a user grant"
        }
        1 => {
            slip.user.roles.extend(pick(&role_ids, choice).cloned());
            "a direct role"
        }
        2 => {
            let n = cat.roles.len() as u64;
            cat.roles[(choice % n) as usize].grants.push(grant);
            "a grant on a role"
        }
        3 => {
            if let Some(p) = pick(&cat.products, choice) {
                slip.products.insert(p.clone(), true);
            }
            "a product switched on"
        }
        4 => {
            if !slip.user.revokes.is_empty() {
                let i = (choice % slip.user.revokes.len() as u64) as usize;
                slip.user.revokes.remove(i);
            }
            "a revocation lifted"
        }
        5 => {
            slip.teams.push(SlipTeam {
                id: "new-team".into(),
                name: String::new(),
                roles: pick(&role_ids, choice).cloned().into_iter().collect(),
                levels: BTreeMap::new(),
            });
            "a team with a role"
        }
        6 => {
            if let (Some(f), Some(l)) = (pick(&features, choice), pick(&levels, choice >> 8)) {
                let current = slip
                    .user
                    .levels
                    .get(f)
                    .and_then(|c| levels.iter().position(|x| x == c));
                let new = levels.iter().position(|x| x == l);
                if current.is_none_or(|c| Some(c) < new) {
                    slip.user.levels.insert(f.clone(), l.clone());
                }
            }
            "a higher user level"
        }
        7 => {
            let n = slip.resources.len() as u64;
            if let (true, Some(l)) = (n > 0, pick(&levels, choice >> 8)) {
                let r = &mut slip.resources[(choice % n.max(1)) as usize];
                r.grants.push(SlipResourceGrant {
                    level: l.clone(),
                    via: "user".into(),
                });
            }
            "a resource assignment"
        }
        _ => {
            let n = cat.roles.len() as u64;
            cat.roles[(choice % n) as usize].admin = true;
            "a role made Administrator"
        }
    }
}

proptest! {
    #![proptest_config(config(4096))]

    #[test]
    fn giving_more_never_takes_anything_away(seed in any::<u64>(), kind in 0u8..9, choice in any::<u64>()) {
        let slip = random_slip(seed);
        let before = access(&slip);
        let mut more = slip.clone();
        let what = add_something(&mut more, kind, choice);
        let after = access(&more);
        prop_assert!(includes(&after, &before).is_ok(), "{what}: {}", includes(&after, &before).unwrap_err());
    }
}

/// An Administrator with every grant there is: what product-off and explicit-only must resist.
fn all_powerful(slip: &mut Slip) {
    let cat = slip.catalogue.as_mut().unwrap();
    let top = cat.levels.last().cloned();
    let mut grants: Vec<Grant> = ["*", "a.*", "a.b.*", "b.*", "ab.*"]
        .iter()
        .map(|w| Grant::Plain((*w).into()))
        .collect();
    grants.extend(
        cat.permissions
            .iter()
            .filter(|p| !p.explicit)
            .map(|p| Grant::Plain(p.id.clone())),
    );
    let levels = match &top {
        Some(top) => cat
            .features
            .iter()
            .map(|f| (f.id.clone(), top.clone()))
            .collect(),
        None => BTreeMap::new(),
    };
    cat.roles.push(SlipRole {
        id: "all-powerful".into(),
        name: String::new(),
        admin: true,
        grants,
        levels,
    });
    slip.user.roles.push("all-powerful".into());
    for r in &mut slip.resources {
        if let Some(top) = &top {
            r.grants.push(SlipResourceGrant {
                level: top.clone(),
                via: "user".into(),
            });
        }
    }
}

proptest! {
    #![proptest_config(config(1024))]

    #[test]
    fn a_product_off_always_denies(seed in any::<u64>(), choice in any::<u64>()) {
        let mut slip = random_slip(seed);
        let cat = slip.catalogue.as_ref().unwrap();
        let Some(product) = pick(&cat.products, choice).cloned() else { return Ok(()) };
        // Off for the user, or missing from the slip's map (which means off).
        if choice & 0x100 == 0 {
            slip.products.insert(product.clone(), false);
        } else {
            slip.products.remove(&product);
        }
        all_powerful(&mut slip);
        let c = compile(&slip);
        let cat = slip.catalogue.as_ref().unwrap();
        for p in cat.permissions.iter().filter(|p| p.product.as_ref() == Some(&product)) {
            for s in scopes() {
                prop_assert!(!c.can(&p.id, s), "{} {s:?}", p.id);
                prop_assert!(!c.check(c.permission_handle(&p.id, s)));
            }
            prop_assert_eq!(c.explain_permission(&p.id, None).reason.code(), "product_off");
        }
        let off: Vec<&str> = cat.features.iter().filter(|f| f.product.as_ref() == Some(&product)).map(|f| f.id.as_str()).collect();
        for f in &off {
            prop_assert_eq!(c.feature_level(f), 0);
            for a in ACTIONS {
                prop_assert!(!c.can_feature(f, a));
                prop_assert!(c.list(f, a).is_empty());
                let reason = c.explain_feature(f, a).reason.code();
                prop_assert!(matches!(reason, "product_off" | "unknown_action"), "{reason}");
            }
        }
        for r in slip.resources.iter().filter(|r| off.contains(&r.feature.as_str())) {
            prop_assert_eq!(c.resource_level(&r.id), 0, "{}", r.id);
            for a in ACTIONS {
                prop_assert!(!c.can_resource(&r.id, a));
            }
        }
    }

    #[test]
    fn explicit_only_is_granted_only_by_naming_it(seed in any::<u64>(), choice in any::<u64>()) {
        let mut slip = random_slip(seed);
        let explicit: Vec<String> = slip.catalogue.as_ref().unwrap().permissions.iter()
            .filter(|p| p.explicit).map(|p| p.id.clone()).collect();
        if explicit.is_empty() {
            return Ok(());
        }
        // Nothing names them; everything else is granted, Administrator and wildcards included.
        let names_one = |g: &Grant| explicit.iter().any(|e| e == g.permission());
        for role in &mut slip.catalogue.as_mut().unwrap().roles {
            role.grants.retain(|g| !names_one(g));
        }
        slip.user.grants.retain(|g| !names_one(g));
        all_powerful(&mut slip);
        let c = compile(&slip);
        for e in &explicit {
            for s in scopes() {
                prop_assert!(!c.can(e, s), "{e} {s:?}");
            }
            let reason = c.explain_permission(e, None).reason.code();
            prop_assert!(matches!(reason, "explicit_only" | "product_off" | "revoked"), "{e}: {reason}");
        }
        // Naming one exactly grants it (unless its product is off or it is revoked).
        let e = pick(&explicit, choice).unwrap().clone();
        slip.user.grants.push(Grant::Plain(e.clone()));
        let c = compile(&slip);
        let blocked = matches!(c.explain_permission(&e, None).reason.code(), "product_off" | "revoked");
        prop_assert_eq!(c.can(&e, None), !blocked);
    }

    #[test]
    fn a_revocation_removes_that_permission_and_never_its_impliers(seed in any::<u64>(), choice in any::<u64>()) {
        let slip = random_slip(seed);
        let cat = slip.catalogue.as_ref().unwrap();
        let target = pick(&cat.permissions, choice).unwrap().id.clone();
        let before = access(&slip);
        let mut revoked = slip.clone();
        revoked.user.revokes.push(target.clone());
        let after = access(&revoked);
        // Nothing gained, the target lost for every value.
        prop_assert!(includes(&before, &after).is_ok(), "{}", includes(&before, &after).unwrap_err());
        for (p, s, allowed) in &after.permissions {
            prop_assert!(!(*p == target && *allowed), "{p} {s:?} still allowed");
        }
        // Permissions that imply it keep exactly the access they had.
        let impliers: Vec<&str> = cat.permissions.iter().filter(|p| p.implies.contains(&target)).map(|p| p.id.as_str()).collect();
        for (a, b) in after.permissions.iter().zip(&before.permissions) {
            if impliers.contains(&a.0.as_str()) {
                prop_assert_eq!(a.2, b.2, "implier {} {:?}", a.0, a.1);
            }
        }
        let c = compile(&revoked);
        let reason = c.explain_permission(&target, None).reason.code();
        prop_assert!(matches!(reason, "revoked" | "product_off"), "{reason}");
    }

    #[test]
    fn implication_carries_every_value_along(seed in any::<u64>()) {
        let slip = random_slip(seed);
        let c = compile(&slip);
        let cat = slip.catalogue.as_ref().unwrap();
        for q in &cat.permissions {
            for p in &q.implies {
                let blocked = matches!(c.explain_permission(p, None).reason.code(), "product_off" | "revoked");
                for s in scopes() {
                    if c.can(&q.id, s) && !blocked {
                        prop_assert!(c.can(p, s), "{} allows {s:?} but implied {p} does not", q.id);
                    }
                }
            }
        }
    }

    #[test]
    fn a_wildcard_is_the_same_as_naming_what_it_matches(seed in any::<u64>(), choice in any::<u64>()) {
        let slip = random_slip(seed);
        let cat = slip.catalogue.as_ref().unwrap();
        let wildcard = *pick(&["*", "a.*", "a.b.*", "b.*", "ab.*"], choice).unwrap();
        let prefix = wildcard.trim_end_matches('*');
        let mut by_wildcard = slip.clone();
        by_wildcard.user.grants.push(Grant::Plain(wildcard.into()));
        let mut by_name = slip.clone();
        by_name.user.grants.extend(
            cat.permissions.iter()
                .filter(|p| !p.explicit && p.id.starts_with(prefix))
                .map(|p| Grant::Plain(p.id.clone())),
        );
        prop_assert_eq!(access(&by_wildcard), access(&by_name));
    }

    #[test]
    fn level_invariants(seed in any::<u64>()) {
        let slip = random_slip(seed);
        let c = compile(&slip);
        let cat = slip.catalogue.as_ref().unwrap();
        let top = cat.levels.len() as u8;
        let level_of = |name: &str| cat.levels.iter().position(|l| l == name).map_or(0, |i| i as u8 + 1);
        for f in &cat.features {
            let level = c.feature_level(&f.id);
            prop_assert!(level <= top);
            let on = f.product.as_ref().is_none_or(|p| slip.products.get(p) == Some(&true));
            if !on {
                prop_assert_eq!(level, 0, "{} is off", f.id);
                continue;
            }
            if c.is_admin() {
                prop_assert_eq!(level, top, "Administrator is top on {}", f.id);
            }
            // At least every level assigned to the user, directly or through a team.
            let assigned = slip.user.levels.get(&f.id).into_iter()
                .chain(slip.teams.iter().filter_map(|t| t.levels.get(&f.id)));
            for l in assigned {
                prop_assert!(level >= level_of(l), "{} below an assignment", f.id);
            }
        }
        for r in &slip.resources {
            let level = c.resource_level(&r.id);
            prop_assert!(level <= top);
            if let (Some(parent), false) = (&r.parent, r.inherit) {
                prop_assert!(level <= c.resource_level(parent), "{} above its parent", r.id);
            }
        }
        // A list is exactly the resources an action is allowed on, in slip order.
        for f in &cat.features {
            for a in ACTIONS {
                let expected: Vec<&str> = slip.resources.iter()
                    .filter(|r| r.feature == f.id && c.can_resource(&r.id, a))
                    .map(|r| r.id.as_str())
                    .collect();
                prop_assert_eq!(c.list(&f.id, a), expected);
            }
        }
    }

    #[test]
    fn any_handle_answers_without_panicking(seed in any::<u64>(), handles in proptest::collection::vec(any::<u32>(), 0..64)) {
        let c = compile(&random_slip(seed));
        let mut out = vec![7u8; handles.len() + 1];
        c.check_many(&handles, &mut out);
        for (h, o) in handles.iter().zip(&out) {
            prop_assert_eq!(*o, u8::from(c.check(*h)));
        }
        prop_assert_eq!(out[handles.len()], 7, "outputs past the handles are left alone");
        prop_assert!(!c.check(permslip::engine::HANDLE_DENY));
    }
}

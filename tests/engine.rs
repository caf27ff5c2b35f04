//! Engine rules on small hand-written slips: each test breaks when its rule does.
#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a test: a failed step should stop it loudly"
)]

use permslip::dangerous;
use permslip::engine::{Checker, CompileError, Reason, HANDLE_DENY};
use permslip::model::NavItem;
use permslip::slip::Slip;
use serde_json::json;

fn slip(v: serde_json::Value) -> Slip {
    serde_json::from_value(v).unwrap()
}

fn base() -> serde_json::Value {
    json!({
        "v": 1,
        "products": {"fax": true, "sign": false},
        "user": {"id": "u1"},
        "teams": [],
        "resources": [],
        "catalogue": {
        "products": ["fax", "sign"],
        "levels": ["reader", "editor", "owner"],
        "actions": {"view": "reader", "edit": "editor", "delete": "owner"},
        "permissions": [
            {"id": "numbers.manage", "implies": ["numbers.access"]},
            {"id": "numbers.access"},
            {"id": "fax.send", "product": "fax"},
            {"id": "fax.send_from", "product": "fax", "implies": ["fax.view_by_number"]},
            {"id": "fax.view_by_number", "product": "fax"},
            {"id": "sign.docs", "product": "sign"},
            {"id": "ai.use", "explicit": true}
        ],
        "roles": [
            {"id": "admin", "admin": true},
            {"id": "member", "grants": ["numbers.access", {"permission": "fax.send_from", "scope": ["+1"]}]},
            {"id": "wild", "grants": ["*"]},
            {"id": "ai", "grants": ["ai.use"]},
            {"id": "mapper", "levels": {"maps": "editor"}}
        ],
        "features": [{"id": "maps"}, {"id": "calls", "rows": "own_and_managed"}]
        }
    })
}

fn with(mut v: serde_json::Value, path: &str, value: serde_json::Value) -> serde_json::Value {
    v[path] = value;
    v
}

fn user(roles: &[&str]) -> serde_json::Value {
    with(base(), "user", json!({"id": "u1", "roles": roles}))
}

fn compile(v: serde_json::Value) -> Checker {
    dangerous::compile_unverified(&slip(v)).unwrap()
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn implication_grants_the_implied_permission() {
    let c = compile(with(
        base(),
        "user",
        json!({"id": "u1", "grants": ["numbers.manage"]}),
    ));
    assert!(c.can("numbers.access", None));
    let e = c.explain_permission("numbers.access", None);
    assert_eq!(e.reason, Reason::Granted);
    assert!(format!("{:?}", e.via).contains("numbers.manage"));
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn product_off_beats_admin_and_grants() {
    let c = compile(user(&["admin", "wild"]));
    assert!(!c.can("sign.docs", None));
    assert_eq!(
        c.explain_permission("sign.docs", None).reason,
        Reason::ProductOff
    );
    assert!(c.can("fax.send", None));
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn revocation_beats_grants_but_not_the_implier() {
    let c = compile(with(
        base(),
        "user",
        json!({"id": "u1", "roles": ["wild"], "revokes": ["numbers.access"]}),
    ));
    assert!(!c.can("numbers.access", None));
    assert_eq!(
        c.explain_permission("numbers.access", None).reason,
        Reason::Revoked
    );
    assert!(c.can("numbers.manage", None));
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn explicit_only_is_never_implied_by_admin_or_wildcards() {
    let c = compile(user(&["admin", "wild"]));
    assert!(!c.can("ai.use", None));
    let e = c.explain_permission("ai.use", None);
    assert_eq!(e.reason, Reason::ExplicitOnly);
    assert_eq!(e.granted_by, vec!["ai".to_string()]);
    assert!(compile(user(&["ai"])).can("ai.use", None));
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn implying_an_explicit_permission_is_rejected() {
    let mut v = base();
    v["catalogue"]["permissions"][1]["implies"] = json!(["ai.use"]);
    let err = dangerous::compile_unverified(&slip(v)).unwrap_err();
    assert!(matches!(err, CompileError::ImpliesExplicit(..)), "{err}");
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn implication_cycles_are_rejected() {
    let mut v = base();
    v["catalogue"]["permissions"][1]["implies"] = json!(["numbers.manage"]);
    let err = dangerous::compile_unverified(&slip(v)).unwrap_err();
    assert_eq!(err.code(), "cycle");
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn resource_parent_cycles_are_rejected() {
    let v = with(
        base(),
        "resources",
        json!([
            {"id": "a", "feature": "maps", "parent": "b", "inherit": true},
            {"id": "b", "feature": "maps", "parent": "a"}
        ]),
    );
    assert_eq!(
        dangerous::compile_unverified(&slip(v)).unwrap_err().code(),
        "cycle"
    );
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn scoped_grants_cover_only_their_values_and_flow_through_implication() {
    let c = compile(user(&["member"]));
    assert!(c.can("fax.send_from", Some("+1")));
    assert!(!c.can("fax.send_from", Some("+2")));
    assert!(c.can("fax.send_from", None), "no scope means some value");
    assert_eq!(
        c.explain_permission("fax.send_from", Some("+2")).reason,
        Reason::ScopeNotGranted
    );
    assert!(c.can("fax.view_by_number", Some("+1")));
    assert!(!c.can("fax.view_by_number", Some("+2")));
    let h = c.permission_handle("fax.send_from", Some("+2"));
    assert!(!c.check(h));
    assert!(c.check(c.permission_handle("fax.send_from", Some("+1"))));
    // An unscoped grant covers every value, known or not.
    let c = compile(user(&["wild"]));
    assert!(c.can("fax.send_from", Some("+999")));
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn unknown_names_deny_with_their_reason() {
    let c = compile(user(&["admin"]));
    assert!(!c.can("nope", None));
    assert_eq!(c.permission_handle("nope", None), HANDLE_DENY);
    assert!(!c.check(HANDLE_DENY));
    assert!(!c.check(0x7fff_ffff), "corrupt handles deny");
    assert_eq!(
        c.explain_permission("nope", None).reason,
        Reason::UnknownPermission
    );
    assert_eq!(
        c.explain_feature("nope", "view").reason,
        Reason::UnknownFeature
    );
    assert_eq!(
        c.explain_feature("maps", "fly").reason,
        Reason::UnknownAction
    );
    assert_eq!(
        c.explain_resource("nope", "view").reason,
        Reason::UnknownResource
    );
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn admin_reason_only_when_admin_alone_allows() {
    let c = compile(user(&["admin", "member"]));
    assert_eq!(
        c.explain_permission("numbers.access", None).reason,
        Reason::Granted
    );
    assert_eq!(
        c.explain_permission("numbers.manage", None).reason,
        Reason::Admin
    );
    assert_eq!(c.explain_feature("maps", "delete").reason, Reason::Admin);
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn levels_imply_lower_levels_and_actions_need_minimums() {
    let c = compile(user(&["mapper"]));
    assert_eq!(c.level_name(c.feature_level("maps")), Some("editor"));
    assert!(c.can_feature("maps", "view"));
    assert!(c.can_feature("maps", "edit"));
    assert!(!c.can_feature("maps", "delete"));
    let e = c.explain_feature("maps", "delete");
    assert_eq!(e.reason, Reason::LevelTooLow);
    assert_eq!(e.needed.as_deref(), Some("owner"));
    assert!(e.granted_by.contains(&"admin".to_string()));
    assert!(c.check(c.feature_handle("maps", Some("editor"))));
    assert!(!c.check(c.feature_handle("maps", Some("owner"))));
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn own_and_managed_rows_reach_only_own_and_reports() {
    let v = with(
        with(
            base(),
            "user",
            json!({"id": "u1", "manages": ["u2"], "levels": {"calls": "reader"}}),
        ),
        "resources",
        json!([
            {"id": "c1", "feature": "calls", "owner": "u1"},
            {"id": "c2", "feature": "calls", "owner": "u2"},
            {"id": "c3", "feature": "calls", "owner": "u3"},
            {"id": "c4", "feature": "calls"}
        ]),
    );
    let c = compile(v);
    assert_eq!(c.list("calls", "view"), vec!["c1", "c2"]);
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn restricted_resources_need_an_assignment_and_managers_inherit_reports() {
    let v = with(
        with(
            base(),
            "user",
            json!({"id": "u1", "manages": ["u2"], "levels": {"maps": "owner"}}),
        ),
        "resources",
        json!([
            {"id": "open", "feature": "maps"},
            {"id": "closed", "feature": "maps", "restricted": true},
            {"id": "mine", "feature": "maps", "restricted": true, "grants": [{"level": "reader", "via": "user"}]},
            {"id": "report", "feature": "maps", "restricted": true, "grants": [{"level": "editor", "via": "managed:u2"}]},
            {"id": "run", "feature": "maps", "parent": "closed", "inherit": true}
        ]),
    );
    let c = compile(v);
    assert!(c.can_resource("open", "delete"));
    assert!(!c.can_resource("closed", "view"));
    assert_eq!(
        c.explain_resource("closed", "view").reason,
        Reason::Restricted
    );
    assert!(c.can_resource("mine", "view") && !c.can_resource("mine", "edit"));
    assert!(c.can_resource("report", "edit"));
    assert!(
        !c.can_resource("run", "view"),
        "inherits the parent's restriction"
    );
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn children_without_inherit_are_capped_by_their_parent() {
    let v = with(
        with(base(), "teams", json!([{"id": "t1"}])),
        "resources",
        json!([
            {"id": "list", "feature": "maps", "grants": [{"level": "reader", "via": "user"}]},
            {"id": "step", "feature": "maps", "parent": "list", "grants": [{"level": "owner", "via": "team:t1"}]},
            {"id": "hidden", "feature": "maps"},
            {"id": "step2", "feature": "maps", "parent": "hidden", "grants": [{"level": "owner", "via": "team:t1"}]}
        ]),
    );
    let c = compile(v);
    assert_eq!(c.level_name(c.resource_level("step")), Some("reader"));
    assert_eq!(c.resource_level("step2"), 0);
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn assignments_through_teams_the_user_is_not_in_are_rejected() {
    let v = with(
        base(),
        "resources",
        json!([{"id": "x", "feature": "maps", "grants": [{"level": "reader", "via": "team:nope"}]}]),
    );
    assert_eq!(
        dangerous::compile_unverified(&slip(v)).unwrap_err().code(),
        "unknown_reference"
    );
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn bad_wildcards_are_rejected() {
    for bad in ["fax*", "*.x", "a.*.*"] {
        let mut v = user(&[]);
        v["user"]["grants"] = json!([bad]);
        assert_eq!(
            dangerous::compile_unverified(&slip(v)).unwrap_err().code(),
            "bad_wildcard",
            "{bad}"
        );
    }
    let mut v = user(&[]);
    v["user"]["grants"] = json!([{"permission": "fax.*", "scope": ["+1"]}]);
    assert_eq!(
        dangerous::compile_unverified(&slip(v)).unwrap_err().code(),
        "bad_wildcard"
    );
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn prefix_wildcards_grant_their_prefix_only() {
    let mut v = user(&[]);
    v["user"]["grants"] = json!(["numbers.*"]);
    let c = compile(v);
    assert!(c.can("numbers.manage", None));
    assert!(!c.can("fax.send", None));
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn unsupported_versions_and_duplicates_are_rejected() {
    assert_eq!(
        dangerous::compile_unverified(&slip(with(base(), "v", json!(2))))
            .unwrap_err()
            .code(),
        "unsupported_version"
    );
    let mut v = base();
    v["catalogue"]["roles"][1]["id"] = json!("admin");
    assert_eq!(
        dangerous::compile_unverified(&slip(v)).unwrap_err().code(),
        "duplicate_name"
    );
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn limits_are_enforced_with_a_typed_error() {
    let perms: Vec<_> = (0..permslip::engine::limits::MAX_PERMISSIONS + 1)
        .map(|i| json!({"id": format!("p{i}")}))
        .collect();
    let mut v = base();
    v["catalogue"]["permissions"] = json!(perms);
    let err = dangerous::compile_unverified(&slip(v)).unwrap_err();
    assert_eq!(err.code(), "limit_exceeded");
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn menus_hide_empty_groups_and_survive_any_depth() {
    let c = compile(user(&["member"]));
    let nav: Vec<NavItem> = serde_json::from_value(json!([
        {"id": "numbers", "children": [
            {"id": "access", "requires": {"permission": "numbers.access"}},
            {"id": "manage", "requires": {"permission": "numbers.manage"}}
        ]},
        {"id": "maps-group", "children": [
            {"id": "maps", "requires": {"feature": "maps"}}
        ]},
        {"id": "top", "requires": {"permission": "fax.send_from", "scope": "+1"}},
        {"id": "gated", "requires": {"permission": "numbers.manage"}, "children": [
            {"id": "inside", "requires": {"permission": "numbers.access"}}
        ]}
    ]))
    .unwrap();
    assert_eq!(
        c.visible_menu_ids(&nav).unwrap(),
        vec!["numbers", "access", "top"]
    );
    let filtered = c.filter_menu(&nav).unwrap();
    assert_eq!(filtered.len(), 2);
    assert_eq!(filtered[0].children.len(), 1);

    // A deep chain is rejected with a typed error, not a stack overflow.
    let mut deep = NavItem {
        id: "leaf".into(),
        label: String::new(),
        requires: None,
        children: vec![],
    };
    for i in 0..100_000 {
        deep = NavItem {
            id: format!("n{i}"),
            label: String::new(),
            requires: None,
            children: vec![deep],
        };
    }
    let items = vec![deep];
    assert_eq!(
        c.visible_menu_ids(&items).unwrap_err().code(),
        "limit_exceeded"
    );
    // Dropping a 100k-deep tree recurses in Drop; leak it instead to keep the test about us.
    std::mem::forget(items);
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn profile_lists_roles_with_their_channel() {
    let mut v = user(&["member"]);
    v["catalogue"]["base_role"] = json!("mapper");
    v["teams"] = json!([{"id": "all", "roles": ["ai"]}]);
    let p = compile(v).profile();
    let roles: Vec<_> = p
        .roles
        .iter()
        .map(|r| (r.role.as_str(), r.via.as_str()))
        .collect();
    assert_eq!(
        roles,
        vec![("mapper", "base"), ("member", "direct"), ("ai", "team:all")]
    );
    assert!(p.permissions.iter().any(|e| e.permission == "ai.use"));
    let scoped = p
        .permissions
        .iter()
        .find(|e| e.permission == "fax.send_from")
        .unwrap();
    assert_eq!(scoped.scopes.as_deref(), Some(&["+1".to_string()][..]));
}

#[test]
fn interning_many_similar_names_stays_fast() {
    // Names like `p1`, `p2`... once made the name table cluster; a few thousand must be instant.
    let perms: Vec<_> = (0..permslip::engine::limits::MAX_PERMISSIONS)
        .map(|i| json!({"id": format!("perm.{i}")}))
        .collect();
    let mut v = base();
    v["catalogue"]["permissions"] = json!(perms);
    v["catalogue"]["roles"] = json!([]);
    v["user"]["grants"] = json!(["perm.4095"]);
    let c = compile(v);
    assert!(c.can("perm.4095", None));
    assert!(!c.can("perm.4094", None));
    assert!(!c.can("perm.4096", None));
}

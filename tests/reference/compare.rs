//! The engine's side of a comparison: its answers in the vector files' shape, and the
//! disagreements with the reference that are known and reported (see `docs/HARDENING.md`).
#![allow(dead_code)]

use permslip::engine::Checker;
use permslip::model::NavItem;
use serde_json::{json, Value};

/// The engine's answer to one check, in the vector files' shape. Panics when two engine entry
/// points disagree with each other (that is a bug on its own, whatever the reference says).
pub fn engine_answer(c: &Checker, check: &Value) -> Value {
    let s = |k: &str| check.get(k).and_then(Value::as_str);
    if let Some(p) = s("can") {
        let e = c.explain_permission(p, s("scope"));
        assert_eq!(
            e.allowed,
            c.can(p, s("scope")),
            "explain and can disagree on {check}"
        );
        assert_eq!(
            e.allowed,
            c.check(c.permission_handle(p, s("scope"))),
            "handle and can disagree on {check}"
        );
        return json!({"allow": e.allowed, "reason": e.reason.code()});
    }
    if let Some(f) = s("level") {
        let level = c.feature_level(f);
        for (i, name) in c.level_names().enumerate() {
            let held = c.check(c.feature_handle(f, Some(name)));
            assert_eq!(
                held,
                usize::from(level) > i,
                "feature handle disagrees on {f} {name}"
            );
        }
        assert_eq!(c.feature_visible(f), level > 0);
        return json!({"level": c.level_name(level)});
    }
    if let Some(r) = s("resource_level") {
        let level = c.resource_level(r);
        for (i, name) in c.level_names().enumerate() {
            let held = c.check(c.resource_handle(r, Some(name)));
            assert_eq!(
                held,
                usize::from(level) > i,
                "resource handle disagrees on {r} {name}"
            );
        }
        return json!({"level": c.level_name(level)});
    }
    if let (Some(f), Some(a)) = (s("feature"), s("action")) {
        let e = c.explain_feature(f, a);
        assert_eq!(
            e.allowed,
            c.can_feature(f, a),
            "explain and can_feature disagree on {check}"
        );
        return json!({"allow": e.allowed, "reason": e.reason.code()});
    }
    if let (Some(r), Some(a)) = (s("resource"), s("action")) {
        let e = c.explain_resource(r, a);
        assert_eq!(
            e.allowed,
            c.can_resource(r, a),
            "explain and can_resource disagree on {check}"
        );
        return json!({"allow": e.allowed, "reason": e.reason.code()});
    }
    if let (Some(f), Some(a)) = (s("list"), s("action")) {
        return json!({"ids": c.list(f, a)});
    }
    if let Some(menu) = check.get("menu") {
        let items: Vec<NavItem> = serde_json::from_value(menu.clone()).unwrap();
        let ids = c.visible_menu_ids(&items).unwrap();
        let filtered = c.filter_menu(&items).unwrap();
        let mut flat = Vec::new();
        flatten_ids(&filtered, &mut flat);
        assert_eq!(ids, flat, "visible_menu_ids and filter_menu disagree");
        return json!({"visible": ids});
    }
    panic!("unknown check {check}");
}

fn flatten_ids<'a>(items: &'a [NavItem], out: &mut Vec<&'a str>) {
    for item in items {
        out.push(&item.id);
        flatten_ids(&item.children, out);
    }
}

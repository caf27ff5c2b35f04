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

/// The lite checker's answer to the same check (`docs/LITE.md`): what `engine_answer` gives for
/// the checker the lite payload was written from, with the same internal consistency checks.
pub fn lite_answer(l: &permslip_lite::Slip<'_>, check: &Value) -> Value {
    use permslip::engine::Reason;
    let s = |k: &str| check.get(k).and_then(Value::as_str);
    let code = |n: u8| Reason::from_number(n).map_or("?", Reason::code);
    if let Some(p) = s("can") {
        let scope = s("scope").map(str::as_bytes);
        let e = l.explain_permission(p.as_bytes(), scope);
        assert_eq!(
            e.allowed,
            l.can(p.as_bytes(), scope),
            "lite explain and can disagree on {check}"
        );
        assert_eq!(
            e.allowed,
            l.check(l.permission_handle(p.as_bytes(), scope)),
            "lite handle and can disagree on {check}"
        );
        return json!({"allow": e.allowed, "reason": code(e.reason)});
    }
    let level_of = |level: u8, handle: &dyn Fn(&[u8]) -> u32| {
        for i in 0..16u32 {
            if let Some(name) = l.level_name(i + 1) {
                assert_eq!(
                    l.check(handle(name.as_bytes())),
                    u32::from(level) > i,
                    "lite level handle on {check}"
                );
            }
        }
        json!({"level": l.level_name(u32::from(level))})
    };
    if let Some(f) = s("level") {
        let level = l.feature_level(f.as_bytes());
        return level_of(level, &|name| l.feature_handle(f.as_bytes(), Some(name)));
    }
    if let Some(r) = s("resource_level") {
        let level = l.resource_level(r.as_bytes());
        return level_of(level, &|name| l.resource_handle(r.as_bytes(), Some(name)));
    }
    if let (Some(f), Some(a)) = (s("feature"), s("action")) {
        let e = l.explain_feature(f.as_bytes(), a.as_bytes());
        assert_eq!(
            e.allowed,
            l.can_feature(f.as_bytes(), a.as_bytes()),
            "lite explain and can_feature disagree on {check}"
        );
        return json!({"allow": e.allowed, "reason": code(e.reason)});
    }
    if let (Some(r), Some(a)) = (s("resource"), s("action")) {
        let e = l.explain_resource(r.as_bytes(), a.as_bytes());
        assert_eq!(
            e.allowed,
            l.can_resource(r.as_bytes(), a.as_bytes()),
            "lite explain and can_resource disagree on {check}"
        );
        return json!({"allow": e.allowed, "reason": code(e.reason)});
    }
    if let (Some(f), Some(a)) = (s("list"), s("action")) {
        return json!({"ids": l.list(f.as_bytes(), a.as_bytes()).collect::<Vec<_>>()});
    }
    if let Some(menu) = check.get("menu") {
        let items: Vec<NavItem> = serde_json::from_value(menu.clone()).unwrap();
        let mut ids = Vec::new();
        lite_visible(l, &items, &mut ids);
        return json!({"visible": ids});
    }
    panic!("unknown check {check}");
}

/// docs/SEMANTICS.md "Navigation" over lite handles: the ids shown, in pre-order.
fn lite_visible<'a>(
    l: &permslip_lite::Slip<'_>,
    items: &'a [NavItem],
    out: &mut Vec<&'a str>,
) -> bool {
    use permslip::model::Requirement;
    let mut any = false;
    for item in items {
        let holds = match &item.requires {
            None => true,
            Some(Requirement::Permission { permission, scope }) => l.check(
                l.permission_handle(permission.as_bytes(), scope.as_deref().map(str::as_bytes)),
            ),
            Some(Requirement::Feature { feature, level }) => {
                l.check(l.feature_handle(feature.as_bytes(), level.as_deref().map(str::as_bytes)))
            }
        };
        if !holds {
            continue;
        }
        let at = out.len();
        out.push(&item.id);
        if !item.children.is_empty() && !lite_visible(l, &item.children, out) {
            // A group with no visible child disappears, with its own id.
            out.truncate(at);
            continue;
        }
        any = true;
    }
    any
}

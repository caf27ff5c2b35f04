//! An independent reference evaluator, written from `docs/SEMANTICS.md` alone.
//!
//! It shares nothing with `src/engine` but the slip types: no interning, no bit sets, no
//! topological order. Permissions are resolved by a plain fixpoint over implication, levels by
//! walking every channel, resources by direct recursion over their parents. It is slow and
//! allocates freely; it exists so the differential test (`tests/differential.rs`), the property
//! tests and the `differential` fuzz target have a second opinion to compare the engine with.
//!
//! It assumes a slip the engine accepts (acyclic, every reference resolved, within limits):
//! invalid slips are the engine's job to refuse, and the differential test only compares slips
//! that compiled.
#![allow(dead_code)]

pub mod compare;
pub mod gen;

use std::collections::{BTreeMap, BTreeSet};

use permslip::model::{Grant, NavItem, Requirement, RowRule};
use permslip::slip::{Catalogue, Slip, SlipPermission, SlipResource};
use serde_json::{json, Value};

/// A decision and its reason code, as `docs/SEMANTICS.md` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub allow: bool,
    pub reason: &'static str,
}

fn allow(reason: &'static str) -> Decision {
    Decision {
        allow: true,
        reason,
    }
}

fn deny(reason: &'static str) -> Decision {
    Decision {
        allow: false,
        reason,
    }
}

/// What reaches one permission: an unscoped grant, and/or a set of scope values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Hold {
    unscoped: bool,
    scopes: BTreeSet<String>,
}

impl Hold {
    fn any(&self) -> bool {
        self.unscoped || !self.scopes.is_empty()
    }

    fn covers(&self, scope: Option<&str>) -> bool {
        match scope {
            None => self.any(),
            Some(v) => self.unscoped || self.scopes.contains(v),
        }
    }

    /// Adds `other`; true when something new arrived.
    fn absorb(&mut self, other: &Hold) -> bool {
        let before = (self.unscoped, self.scopes.len());
        self.unscoped |= other.unscoped;
        self.scopes.extend(other.scopes.iter().cloned());
        before != (self.unscoped, self.scopes.len())
    }
}

/// One resource, evaluated.
#[derive(Debug, Clone, Copy, Default)]
struct ResourceAnswer {
    level: u8,
    level_without_admin: u8,
    restricted: bool,
    /// Whether any assignment (own, team, managed; inherited included) reaches the user.
    assigned: bool,
}

/// The reference answers for one slip.
pub struct Reference<'a> {
    slip: &'a Slip,
    cat: &'a Catalogue,
    admin: bool,
    /// Everything that reaches a permission (Administrator included).
    all: BTreeMap<String, Hold>,
    /// What reaches it through grants and implication only, without the Administrator blanket.
    by_grant: BTreeMap<String, Hold>,
    feature_level: BTreeMap<String, u8>,
    feature_level_without_admin: BTreeMap<String, u8>,
    resources: BTreeMap<String, ResourceAnswer>,
}

impl<'a> Reference<'a> {
    /// Evaluates a slip that carries its catalogue inline.
    pub fn new(slip: &'a Slip) -> Reference<'a> {
        let cat = slip
            .catalogue
            .as_ref()
            .expect("the reference needs an inline catalogue");
        let mut r = Reference {
            slip,
            cat,
            admin: false,
            all: BTreeMap::new(),
            by_grant: BTreeMap::new(),
            feature_level: BTreeMap::new(),
            feature_level_without_admin: BTreeMap::new(),
            resources: BTreeMap::new(),
        };
        r.admin = r.held_roles().iter().any(|role| r.role_is_admin(role));
        r.resolve_permissions();
        r.resolve_features();
        for res in &slip.resources {
            let answer = r.resource(&res.id);
            r.resources.insert(res.id.clone(), answer);
        }
        r
    }

    // ---------------------------------------------------------------------------------------
    // Channels

    /// Every role the user holds: base, direct, and each team's (the everyone team included).
    fn held_roles(&self) -> Vec<String> {
        let mut roles = Vec::new();
        roles.extend(self.cat.base_role.iter().cloned());
        roles.extend(self.slip.user.roles.iter().cloned());
        for team in &self.slip.teams {
            roles.extend(team.roles.iter().cloned());
        }
        roles
    }

    fn role_is_admin(&self, id: &str) -> bool {
        self.cat.roles.iter().any(|r| r.id == id && r.admin)
    }

    fn permission(&self, id: &str) -> Option<&SlipPermission> {
        self.cat.permissions.iter().find(|p| p.id == id)
    }

    fn product_on(&self, product: Option<&String>) -> bool {
        match product {
            None => true,
            // A catalogue product missing from the slip's map is off.
            Some(p) => self.slip.products.get(p).copied().unwrap_or(false),
        }
    }

    fn revoked(&self, id: &str) -> bool {
        self.slip.user.revokes.iter().any(|r| r == id)
    }

    /// The top of the level scale as a number (0 without levels).
    fn top(&self) -> u8 {
        self.cat.levels.len() as u8
    }

    /// A level name as a number: 1 for the lowest.
    fn level_number(&self, name: &str) -> Option<u8> {
        self.cat
            .levels
            .iter()
            .position(|l| l == name)
            .map(|i| i as u8 + 1)
    }

    pub fn level_name(&self, n: u8) -> Option<String> {
        if n == 0 {
            return None;
        }
        self.cat.levels.get(usize::from(n) - 1).cloned()
    }

    // ---------------------------------------------------------------------------------------
    // Permissions

    /// The permissions a grant names: itself, or what its wildcard matches (never explicit-only).
    fn targets(&self, grant: &Grant) -> Vec<String> {
        let name = grant.permission();
        let matches = |p: &SlipPermission| {
            if name == "*" {
                !p.explicit
            } else if let Some(prefix) = name.strip_suffix(".*") {
                !p.explicit && p.id.starts_with(&format!("{prefix}."))
            } else {
                p.id == name
            }
        };
        self.cat
            .permissions
            .iter()
            .filter(|p| matches(p))
            .map(|p| p.id.clone())
            .collect()
    }

    fn resolve_permissions(&mut self) {
        for p in &self.cat.permissions {
            self.all.insert(p.id.clone(), Hold::default());
            self.by_grant.insert(p.id.clone(), Hold::default());
        }
        let mut grants: Vec<Grant> = Vec::new();
        for role_id in self.held_roles() {
            let Some(role) = self.cat.roles.iter().find(|r| r.id == role_id) else {
                continue;
            };
            if role.admin {
                for p in &self.cat.permissions {
                    if !p.explicit {
                        self.all.get_mut(&p.id).unwrap().unscoped = true;
                    }
                }
            }
            grants.extend(role.grants.iter().cloned());
        }
        grants.extend(self.slip.user.grants.iter().cloned());
        for g in &grants {
            let hold = match g.scope() {
                None => Hold {
                    unscoped: true,
                    scopes: BTreeSet::new(),
                },
                Some(values) => Hold {
                    unscoped: false,
                    scopes: values.iter().cloned().collect(),
                },
            };
            for target in self.targets(g) {
                self.all.get_mut(&target).unwrap().absorb(&hold);
                self.by_grant.get_mut(&target).unwrap().absorb(&hold);
            }
        }
        // Implication, to a fixpoint: only from permissions the user effectively holds.
        loop {
            let mut changed = false;
            for p in &self.cat.permissions {
                let effective = self.product_on(p.product.as_ref()) && !self.revoked(&p.id);
                if !effective || !self.all[&p.id].any() {
                    continue;
                }
                let (all, by_grant) = (self.all[&p.id].clone(), self.by_grant[&p.id].clone());
                for q in &p.implies {
                    changed |= self.all.get_mut(q).unwrap().absorb(&all);
                    changed |= self.by_grant.get_mut(q).unwrap().absorb(&by_grant);
                }
            }
            if !changed {
                break;
            }
        }
    }

    /// `can(permission, scope)`, rules 1–7 in order.
    pub fn can(&self, permission: &str, scope: Option<&str>) -> Decision {
        let Some(p) = self.permission(permission) else {
            return deny("unknown_permission");
        };
        if !self.product_on(p.product.as_ref()) {
            return deny("product_off");
        }
        if self.revoked(permission) {
            return deny("revoked");
        }
        let all = &self.all[permission];
        if !all.any() {
            return deny(if p.explicit {
                "explicit_only"
            } else {
                "not_granted"
            });
        }
        if !all.covers(scope) {
            return deny("scope_not_granted");
        }
        if self.by_grant[permission].covers(scope) {
            allow("granted")
        } else {
            allow("admin")
        }
    }

    // ---------------------------------------------------------------------------------------
    // Features

    fn resolve_features(&mut self) {
        for f in &self.cat.features {
            let mut best = 0u8;
            let mut add = |levels: &BTreeMap<String, String>| {
                if let Some(l) = levels.get(&f.id).and_then(|l| self.level_number(l)) {
                    best = best.max(l);
                }
            };
            add(&self.slip.user.levels);
            for role_id in self.held_roles() {
                if let Some(role) = self.cat.roles.iter().find(|r| r.id == role_id) {
                    add(&role.levels);
                }
            }
            for team in &self.slip.teams {
                add(&team.levels);
            }
            let on = self.product_on(f.product.as_ref());
            let without_admin = if on { best } else { 0 };
            let with_admin = if !on {
                0
            } else if self.admin {
                self.top()
            } else {
                best
            };
            self.feature_level.insert(f.id.clone(), with_admin);
            self.feature_level_without_admin
                .insert(f.id.clone(), without_admin);
        }
    }

    /// The level held on a feature (0 for none or unknown).
    pub fn feature_level(&self, feature: &str) -> u8 {
        self.feature_level.get(feature).copied().unwrap_or(0)
    }

    /// The minimum level of an action on a feature: its own override, else the model's.
    fn action_min(&self, feature: &str, action: &str) -> Option<u8> {
        let f = self.cat.features.iter().find(|f| f.id == feature)?;
        let name = f
            .actions
            .get(action)
            .or_else(|| self.cat.actions.get(action))?;
        self.level_number(name)
    }

    fn feature_product_on(&self, feature: &str) -> bool {
        self.cat
            .features
            .iter()
            .find(|f| f.id == feature)
            .is_some_and(|f| self.product_on(f.product.as_ref()))
    }

    pub fn feature_action(&self, feature: &str, action: &str) -> Decision {
        if !self.cat.features.iter().any(|f| f.id == feature) {
            return deny("unknown_feature");
        }
        let Some(min) = self.action_min(feature, action) else {
            return deny("unknown_action");
        };
        if !self.feature_product_on(feature) {
            return deny("product_off");
        }
        if self.feature_level(feature) < min {
            deny("level_too_low")
        } else if self.feature_level_without_admin[feature] >= min {
            allow("granted")
        } else {
            allow("admin")
        }
    }

    // ---------------------------------------------------------------------------------------
    // Resources

    fn slip_resource(&self, id: &str) -> Option<&'a SlipResource> {
        self.slip.resources.iter().find(|r| r.id == id)
    }

    /// Best (own-or-team, managed) assignment levels reaching the user, and whether any does,
    /// following `inherit` up the chain.
    fn assignments(&self, r: &SlipResource) -> (u8, u8, bool) {
        let (mut own, mut managed, mut any) = (0u8, 0u8, false);
        for g in &r.grants {
            let level = self.level_number(&g.level).unwrap_or(0);
            any = true;
            if g.via.starts_with("managed:") {
                managed = managed.max(level);
            } else {
                own = own.max(level);
            }
        }
        if r.inherit {
            if let Some(parent) = r.parent.as_deref().and_then(|p| self.slip_resource(p)) {
                let (o, m, a) = self.assignments(parent);
                own = own.max(o);
                managed = managed.max(m);
                any |= a;
            }
        }
        (own, managed, any)
    }

    fn effectively_restricted(&self, r: &SlipResource) -> bool {
        r.restricted
            || (r.inherit
                && r.parent
                    .as_deref()
                    .and_then(|p| self.slip_resource(p))
                    .is_some_and(|p| self.effectively_restricted(p)))
    }

    fn rows_reach(&self, r: &SlipResource) -> bool {
        let rows = self
            .cat
            .features
            .iter()
            .find(|f| f.id == r.feature)
            .map(|f| f.rows)
            .unwrap_or_default();
        match rows {
            RowRule::All => true,
            RowRule::OwnAndManaged => r.owner.as_deref().is_some_and(|o| {
                o == self.slip.user.id || self.slip.user.manages.iter().any(|m| m == o)
            }),
            RowRule::Assigned => false,
        }
    }

    fn resource(&self, id: &str) -> ResourceAnswer {
        let Some(r) = self.slip_resource(id) else {
            return ResourceAnswer::default();
        };
        let (own, managed, assigned) = self.assignments(r);
        let restricted = self.effectively_restricted(r);
        let mut base = own;
        if restricted {
            base = base.max(managed);
        } else if self.rows_reach(r) {
            base = base.max(
                self.feature_level_without_admin
                    .get(&r.feature)
                    .copied()
                    .unwrap_or(0),
            );
        }
        let mut level = if self.admin { self.top() } else { base };
        let mut level_without_admin = base;
        if let (Some(parent), false) = (r.parent.as_deref(), r.inherit) {
            let p = self.resource(parent);
            level = level.min(p.level);
            level_without_admin = level_without_admin.min(p.level_without_admin);
        }
        if !self.feature_product_on(&r.feature) {
            level = 0;
            level_without_admin = 0;
        }
        ResourceAnswer {
            level,
            level_without_admin,
            restricted,
            assigned,
        }
    }

    /// The level held on a resource (0 for not visible or not in the slip).
    pub fn resource_level(&self, id: &str) -> u8 {
        self.resources.get(id).map_or(0, |a| a.level)
    }

    pub fn resource_action(&self, id: &str, action: &str) -> Decision {
        let (Some(r), Some(answer)) = (self.slip_resource(id), self.resources.get(id)) else {
            return deny("unknown_resource");
        };
        let Some(min) = self.action_min(&r.feature, action) else {
            return deny("unknown_action");
        };
        if !self.feature_product_on(&r.feature) {
            return deny("product_off");
        }
        if answer.level >= min {
            if answer.level_without_admin >= min {
                allow("granted")
            } else {
                allow("admin")
            }
        } else if answer.restricted && !answer.assigned {
            deny("restricted")
        } else {
            deny("level_too_low")
        }
    }

    /// Resources of a feature where the level meets the action's minimum, in slip order.
    pub fn list(&self, feature: &str, action: &str) -> Vec<String> {
        let Some(min) = self.action_min(feature, action) else {
            return Vec::new();
        };
        self.slip
            .resources
            .iter()
            .filter(|r| r.feature == feature && self.resource_level(&r.id) >= min)
            .map(|r| r.id.clone())
            .collect()
    }

    // ---------------------------------------------------------------------------------------
    // Navigation

    fn requirement_holds(&self, requirement: &Requirement) -> bool {
        match requirement {
            Requirement::Permission { permission, scope } => {
                self.can(permission, scope.as_deref()).allow
            }
            Requirement::Feature { feature, level } => {
                let needed = match level {
                    None => (!self.cat.levels.is_empty()).then_some(1),
                    Some(name) => self.level_number(name),
                };
                needed.is_some_and(|n| {
                    self.cat.features.iter().any(|f| f.id == *feature)
                        && self.feature_level(feature) >= n
                })
            }
        }
    }

    fn item_shows(&self, item: &NavItem) -> bool {
        let own = item
            .requires
            .as_ref()
            .is_none_or(|r| self.requirement_holds(r));
        if item.children.is_empty() {
            own
        } else {
            own && item.children.iter().any(|c| self.item_shows(c))
        }
    }

    /// The ids of the items that show, depth-first pre-order.
    pub fn visible_menu(&self, items: &[NavItem]) -> Vec<String> {
        let mut out = Vec::new();
        for item in items {
            if self.item_shows(item) {
                out.push(item.id.clone());
                out.extend(self.visible_menu(&item.children));
            }
        }
        out
    }

    // ---------------------------------------------------------------------------------------
    // The shared case format (see `docs/HARDENING.md`, "random-slips.json")

    /// Answers one check in the JSON shape the vector files use.
    pub fn answer(&self, check: &Value) -> Value {
        let s = |k: &str| check.get(k).and_then(Value::as_str);
        if let Some(p) = s("can") {
            let d = self.can(p, s("scope"));
            return json!({"allow": d.allow, "reason": d.reason});
        }
        if let Some(f) = s("level") {
            return json!({"level": self.level_name(self.feature_level(f))});
        }
        if let Some(r) = s("resource_level") {
            return json!({"level": self.level_name(self.resource_level(r))});
        }
        if let (Some(f), Some(a)) = (s("feature"), s("action")) {
            let d = self.feature_action(f, a);
            return json!({"allow": d.allow, "reason": d.reason});
        }
        if let (Some(r), Some(a)) = (s("resource"), s("action")) {
            let d = self.resource_action(r, a);
            return json!({"allow": d.allow, "reason": d.reason});
        }
        if let (Some(f), Some(a)) = (s("list"), s("action")) {
            return json!({"ids": self.list(f, a)});
        }
        if let Some(menu) = check.get("menu") {
            let items: Vec<NavItem> = serde_json::from_value(menu.clone()).expect("a nav tree");
            return json!({"visible": self.visible_menu(&items)});
        }
        panic!("unknown check {check}");
    }
}

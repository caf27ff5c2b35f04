//! Answers, read from the validated tables. Mirrors `Checker` in the full engine
//! (`src/engine/mod.rs`, `explain.rs`): the issuer made every decision with it, and this reads
//! them back the same way; `tests/lite.rs` compares the two on every example user.

use crate::handle::{
    HANDLE_DENY, KIND_ALL_SCOPES, KIND_FEATURE, KIND_PERMISSION, KIND_RESOURCE, KIND_SCOPED,
    KIND_SHIFT, PAYLOAD_MASK,
};
use crate::payload::{
    Table, ACTION_MIN, ALLOW_ALL_SCOPES, ALLOW_ANY, ALL_SCOPES_NON_ADMIN, FEATURE_LEVEL,
    FEATURE_OVERRIDES, FEATURE_OVERRIDES_LEN, FEATURE_PRODUCT_OFF, NO_PRODUCT, OVERRIDE_MIN,
    PERM_PRODUCT, PERM_REASON, PERM_STATE, RESOURCE_FEATURE, RESOURCE_LEVEL, RESOURCE_RESTRICTED,
    RUN_LEN, RUN_START,
};
use crate::reader::{u16_at, u32_at, u8_at};
use crate::Slip;

// `Reason` numbers of the full engine (`src/engine/reason.rs`).
const GRANTED: u8 = 0;
const ADMIN: u8 = 1;
const UNKNOWN_PERMISSION: u8 = 2;
const PRODUCT_OFF: u8 = 3;
const SCOPE_NOT_GRANTED: u8 = 6;
const LEVEL_TOO_LOW: u8 = 8;
const RESTRICTED: u8 = 9;
const UNKNOWN_FEATURE: u8 = 10;
const UNKNOWN_RESOURCE: u8 = 11;
const UNKNOWN_ACTION: u8 = 12;

/// An explanation's facts; the wrapper words them (as `explain.rs` does).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Explained<'a> {
    /// The decision.
    pub allowed: bool,
    /// The engine's `Reason` number.
    pub reason: u8,
    /// The level held, for level checks.
    pub level: Option<&'a str>,
    /// The level needed, for level checks.
    pub needed: Option<&'a str>,
    /// The product that is off, for `product_off`.
    pub product: Option<&'a str>,
}

impl<'a> Slip<'a> {
    /// Binary search of a name among a table's entries (names first, strictly ascending).
    fn find(&self, t: Table, name: &[u8]) -> Option<u32> {
        let (mut lo, mut hi) = (0u32, t.count);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.str_at(t.entry(mid)).as_bytes().cmp(name) {
                core::cmp::Ordering::Less => lo = mid + 1,
                core::cmp::Ordering::Greater => hi = mid,
                core::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }

    fn perm_state(&self, p: u32) -> u8 {
        u8_at(self.bytes, self.perms.entry(p) + PERM_STATE)
    }

    /// Whether scope value `v` is in permission `p`'s granted run (if it has one).
    fn scope_listed(&self, p: u32, v: u32) -> bool {
        let b = self.bytes;
        let (mut lo, mut hi) = (0u32, self.runs.count);
        let run = loop {
            if lo >= hi {
                return false;
            }
            let mid = lo + (hi - lo) / 2;
            let at = self.runs.entry(mid);
            match u32::from(u16_at(b, at)).cmp(&p) {
                core::cmp::Ordering::Less => lo = mid + 1,
                core::cmp::Ordering::Greater => hi = mid,
                core::cmp::Ordering::Equal => break at,
            }
        };
        let start = u32_at(b, run + RUN_START);
        let (mut lo, mut hi) = (start, start + u32_at(b, run + RUN_LEN));
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match u32_at(b, self.scope_refs.entry(mid)).cmp(&v) {
                core::cmp::Ordering::Less => lo = mid + 1,
                core::cmp::Ordering::Greater => hi = mid,
                core::cmp::Ordering::Equal => return true,
            }
        }
        false
    }

    fn can_scope_index(&self, p: u32, v: Option<u32>) -> bool {
        let state = self.perm_state(p);
        if state & ALLOW_ALL_SCOPES != 0 {
            return true;
        }
        state & ALLOW_ANY != 0 && v.is_some_and(|v| self.scope_listed(p, v))
    }

    /// May the user do `permission`, for `scope` if given (any value otherwise)?
    pub fn can(&self, permission: &[u8], scope: Option<&[u8]>) -> bool {
        let Some(p) = self.find(self.perms, permission) else {
            return false;
        };
        match scope {
            None => self.perm_state(p) & ALLOW_ANY != 0,
            Some(value) => self.can_scope_index(p, self.find(self.scope_values, value)),
        }
    }

    /// The handle of a permission check (see the full engine's `permission_handle`).
    pub fn permission_handle(&self, permission: &[u8], scope: Option<&[u8]>) -> u32 {
        let Some(p) = self.find(self.perms, permission) else {
            return HANDLE_DENY;
        };
        match scope {
            None => (KIND_PERMISSION << KIND_SHIFT) | p,
            Some(value) => match self.find(self.scope_values, value) {
                Some(v) if v < (1 << 16) => (KIND_SCOPED << KIND_SHIFT) | (p << 16) | v,
                _ => (KIND_ALL_SCOPES << KIND_SHIFT) | p,
            },
        }
    }

    /// The handle of "at least `level` on `feature`".
    pub fn feature_handle(&self, feature: &[u8], level: Option<&[u8]>) -> u32 {
        match (self.find(self.features, feature), self.level_value(level)) {
            (Some(f), Some(l)) => (KIND_FEATURE << KIND_SHIFT) | (f << 4) | u32::from(l),
            _ => HANDLE_DENY,
        }
    }

    /// The handle of "at least `level` on resource `id`".
    pub fn resource_handle(&self, id: &[u8], level: Option<&[u8]>) -> u32 {
        match (self.find_resource(id), self.level_value(level)) {
            (Some(r), Some(l)) => (KIND_RESOURCE << KIND_SHIFT) | (r << 4) | u32::from(l),
            _ => HANDLE_DENY,
        }
    }

    /// Answers a handle; a foreign or corrupt one denies.
    pub fn check(&self, handle: u32) -> bool {
        let payload = handle & PAYLOAD_MASK;
        match handle >> KIND_SHIFT {
            KIND_PERMISSION => {
                payload < self.perms.count && self.perm_state(payload) & ALLOW_ANY != 0
            }
            KIND_SCOPED => {
                let (p, v) = (payload >> 16, payload & 0xffff);
                p < self.perms.count
                    && v < self.scope_values.count
                    && self.can_scope_index(p, Some(v))
            }
            KIND_ALL_SCOPES => {
                payload < self.perms.count && self.perm_state(payload) & ALLOW_ALL_SCOPES != 0
            }
            KIND_FEATURE => {
                let f = payload >> 4;
                f < self.features.count && self.feature_levels(f).0 >= (payload & 0xf) as u8
            }
            KIND_RESOURCE => {
                let r = payload >> 4;
                r < self.resources.count && self.resource_levels(r).0 >= (payload & 0xf) as u8
            }
            _ => false,
        }
    }

    /// (level, level without Administrator) of feature `f`.
    fn feature_levels(&self, f: u32) -> (u8, u8) {
        let at = self.features.entry(f) + FEATURE_LEVEL;
        (u8_at(self.bytes, at), u8_at(self.bytes, at + 1))
    }

    /// (level, level without Administrator) of resource `r`.
    fn resource_levels(&self, r: u32) -> (u8, u8) {
        let at = self.resources.entry(r) + RESOURCE_LEVEL;
        (u8_at(self.bytes, at), u8_at(self.bytes, at + 1))
    }

    fn resource_feature(&self, r: u32) -> u32 {
        u32::from(u16_at(
            self.bytes,
            self.resources.entry(r) + RESOURCE_FEATURE,
        ))
    }

    /// Resource index by name, through the sorted order.
    fn find_resource(&self, id: &[u8]) -> Option<u32> {
        let (mut lo, mut hi) = (0u32, self.order.count);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let r = u32::from(u16_at(self.bytes, self.order.entry(mid)));
            match self.str_at(self.resources.entry(r)).as_bytes().cmp(id) {
                core::cmp::Ordering::Less => lo = mid + 1,
                core::cmp::Ordering::Greater => hi = mid,
                core::cmp::Ordering::Equal => return Some(r),
            }
        }
        None
    }

    /// The level held on a feature (0: none or unknown).
    pub fn feature_level(&self, feature: &[u8]) -> u8 {
        self.find(self.features, feature)
            .map_or(0, |f| self.feature_levels(f).0)
    }

    /// The level held on a resource (0: not visible or unknown).
    pub fn resource_level(&self, id: &[u8]) -> u8 {
        self.find_resource(id)
            .map_or(0, |r| self.resource_levels(r).0)
    }

    /// The name of level `n` (1 = lowest); `None` for 0 or out of range.
    pub fn level_name(&self, n: u32) -> Option<&'a str> {
        (n > 0 && n <= self.levels.count).then(|| self.str_at(self.levels.entry(n - 1)))
    }

    /// A level name → number; `None` means the lowest level (1).
    fn level_value(&self, level: Option<&[u8]>) -> Option<u8> {
        match level {
            None => (self.levels.count > 0).then_some(1),
            Some(name) => (0..self.levels.count)
                .find(|i| self.str_at(self.levels.entry(*i)).as_bytes() == name)
                .map(|i| (i + 1) as u8),
        }
    }

    /// The minimum level for an action on feature `f`: its override, else the model's.
    fn action_min_level(&self, f: u32, action: &[u8]) -> Option<u8> {
        let a = self.find(self.actions, action)?;
        let at = self.features.entry(f);
        let start = u32_at(self.bytes, at + FEATURE_OVERRIDES);
        let len = u32::from(u16_at(self.bytes, at + FEATURE_OVERRIDES_LEN));
        let overridden = (start..start + len)
            .map(|i| self.overrides.entry(i))
            .find(|o| u32::from(u16_at(self.bytes, *o)) == a);
        match overridden {
            Some(o) => Some(u8_at(self.bytes, o + OVERRIDE_MIN)),
            None => Some(u8_at(self.bytes, self.actions.entry(a) + ACTION_MIN)).filter(|m| *m > 0),
        }
    }

    /// May the user do `action` on a feature?
    pub fn can_feature(&self, feature: &[u8], action: &[u8]) -> bool {
        let Some(f) = self.find(self.features, feature) else {
            return false;
        };
        self.action_min_level(f, action)
            .is_some_and(|min| self.feature_levels(f).0 >= min)
    }

    /// May the user do `action` on a resource?
    pub fn can_resource(&self, id: &[u8], action: &[u8]) -> bool {
        let Some(r) = self.find_resource(id) else {
            return false;
        };
        self.action_min_level(self.resource_feature(r), action)
            .is_some_and(|min| self.resource_levels(r).0 >= min)
    }

    /// The resources of a feature the user may do `action` on, in slip order.
    pub fn list(&self, feature: &[u8], action: &[u8]) -> impl Iterator<Item = &'a str> + '_ {
        let f = self.find(self.features, feature);
        let min = f
            .and_then(|f| self.action_min_level(f, action))
            .unwrap_or(0);
        (0..self.resources.count)
            .filter(move |r| {
                min > 0 && Some(self.resource_feature(*r)) == f && self.resource_levels(*r).0 >= min
            })
            .map(|r| self.str_at(self.resources.entry(r)))
    }

    /// Explains `can(permission, scope)`.
    pub fn explain_permission(&self, permission: &[u8], scope: Option<&[u8]>) -> Explained<'a> {
        let Some(p) = self.find(self.perms, permission) else {
            return denied(UNKNOWN_PERMISSION);
        };
        let at = self.perms.entry(p);
        let mut reason = u8_at(self.bytes, at + PERM_REASON);
        let allowed = self.can(permission, scope);
        if reason <= ADMIN && !allowed {
            reason = SCOPE_NOT_GRANTED;
        }
        if let (true, GRANTED, Some(value)) = (allowed, reason, scope) {
            // Scoped grants never come from the Administrator flag; unscoped ones may.
            let covered = self.perm_state(p) & ALL_SCOPES_NON_ADMIN != 0
                || self
                    .find(self.scope_values, value)
                    .is_some_and(|v| self.scope_listed(p, v));
            if !covered {
                reason = ADMIN;
            }
        }
        Explained {
            allowed,
            reason,
            product: (reason == PRODUCT_OFF)
                .then(|| self.product_name(u16_at(self.bytes, at + PERM_PRODUCT)))
                .flatten(),
            ..Explained::default()
        }
    }

    /// Explains `can_feature(feature, action)`.
    pub fn explain_feature(&self, feature: &[u8], action: &[u8]) -> Explained<'a> {
        let Some(f) = self.find(self.features, feature) else {
            return denied(UNKNOWN_FEATURE);
        };
        let Some(min) = self.action_min_level(f, action) else {
            return denied(UNKNOWN_ACTION);
        };
        let (held, held_no_admin) = self.feature_levels(f);
        self.level_explanation(held, held_no_admin, min, self.product_off(f), false)
    }

    /// Explains `can_resource(id, action)`.
    pub fn explain_resource(&self, id: &[u8], action: &[u8]) -> Explained<'a> {
        let Some(r) = self.find_resource(id) else {
            return denied(UNKNOWN_RESOURCE);
        };
        let f = self.resource_feature(r);
        let Some(min) = self.action_min_level(f, action) else {
            return denied(UNKNOWN_ACTION);
        };
        let (held, held_no_admin) = self.resource_levels(r);
        let restricted = u8_at(self.bytes, self.resources.entry(r) + RESOURCE_RESTRICTED) == 1;
        self.level_explanation(held, held_no_admin, min, self.product_off(f), restricted)
    }

    fn level_explanation(
        &self,
        held: u8,
        held_no_admin: u8,
        min: u8,
        product_off: Option<&'a str>,
        restricted: bool,
    ) -> Explained<'a> {
        let allowed = held >= min && min > 0;
        let reason = if product_off.is_some() {
            PRODUCT_OFF
        } else if allowed && held_no_admin >= min {
            GRANTED
        } else if allowed {
            ADMIN
        } else if restricted && held == 0 {
            RESTRICTED
        } else {
            LEVEL_TOO_LOW
        };
        Explained {
            allowed,
            reason,
            level: self.level_name(u32::from(held)),
            needed: self.level_name(u32::from(min)),
            product: product_off,
        }
    }

    /// The name of feature `f`'s product when it is off for the user.
    fn product_off(&self, f: u32) -> Option<&'a str> {
        self.product_name(u16_at(
            self.bytes,
            self.features.entry(f) + FEATURE_PRODUCT_OFF,
        ))
    }

    fn product_name(&self, product: u16) -> Option<&'a str> {
        (product != NO_PRODUCT).then(|| self.str_at(self.products.entry(u32::from(product))))
    }
}

fn denied<'a>(reason: u8) -> Explained<'a> {
    Explained {
        reason,
        ..Explained::default()
    }
}

//! The engine: compile one user's slip once, then answer checks without allocating.
//!
//! Compilation resolves roles, teams, wildcards, implication, product toggles, revocations,
//! levels, row rules, restriction and inheritance into bit sets and per-index tables
//! (`docs/SEMANTICS.md` gives the rules). Every check afterwards is a hash lookup of a name (or
//! none, with a handle) and a bit or byte read.
//!
//! Applications get a [`Checker`] through `crate::snapshot::Snapshot::verify`, which verifies the
//! signature first; the issuer and tests compile unverified slips through [`crate::dangerous`].

mod bitset;
mod catalogue;
mod compile;
mod error;
mod explain;
pub mod limits;
#[cfg(feature = "issue")]
mod lite;
pub mod menu;
mod names;
mod profile;
mod reason;
pub mod wording;

pub use catalogue::CompiledCatalogue;
pub use error::CompileError;
#[cfg(feature = "issue")]
pub use lite::LiteClaims;
pub use menu::MenuError;
pub use profile::{EffectivePermission, FeatureLevel, Profile, RoleAssignment, TeamRef};
pub use reason::{Explanation, Reason, Source};

use std::sync::Arc;

use bitset::BitSet;
use names::Names;

use crate::model::Requirement;

/// A handle that always denies: what an unknown name resolves to.
pub use permslip_lite::HANDLE_DENY;

// The handle layout, shared with the lite checker so handles mean the same in both builds.
use permslip_lite::handle::{
    KIND_ALL_SCOPES, KIND_FEATURE, KIND_PERMISSION, KIND_RESOURCE, KIND_SCOPED, KIND_SHIFT,
    PAYLOAD_MASK,
};

/// One user's compiled permissions. Immutable; cheap to query from many places.
#[derive(Debug, Clone)]
pub struct Checker {
    cat: Arc<CompiledCatalogue>,
    subject: String,
    subject_name: String,
    is_admin: bool,
    product_on: Vec<bool>,

    allow_any: BitSet,
    allow_all_scopes: BitSet,
    /// Unscoped grants that do not come from the Administrator flag: tells `granted` from
    /// `admin` for a scope value only Administrator covers.
    all_scopes_non_admin: BitSet,
    perm_reason: Vec<Reason>,
    perm_sources: Vec<Vec<Source>>,
    perm_scopes: Vec<Vec<u32>>,
    scope_values: Names,

    held_roles: Vec<(u32, String)>,
    teams: Vec<(String, String)>,
    manages: Vec<String>,

    feature_level: Vec<u8>,
    feature_level_no_admin: Vec<u8>,
    feature_sources: Vec<Vec<Source>>,

    resources: Names,
    resource_feature: Vec<u32>,
    resource_level: Vec<u8>,
    resource_level_no_admin: Vec<u8>,
    resource_restricted: Vec<bool>,
    /// Whether an assignment reaches the user (before any parent cap): tells a restricted
    /// resource's `restricted` from `level_too_low`.
    resource_assigned: Vec<bool>,
    resource_sources: Vec<Vec<Source>>,
}

impl Checker {
    /// The user this checker answers for.
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// Whether the user holds an Administrator role.
    pub fn is_admin(&self) -> bool {
        self.is_admin
    }

    /// May the user do `permission`, for `scope` if given (any value otherwise)?
    #[inline]
    pub fn can(&self, permission: &str, scope: Option<&str>) -> bool {
        let Some(p) = self.cat.perms.get(permission) else {
            return false;
        };
        match scope {
            None => self.allow_any.get(p as usize),
            Some(value) => self.can_scope_index(p, self.scope_values.get(value)),
        }
    }

    fn can_scope_index(&self, p: u32, value: Option<u32>) -> bool {
        if self.allow_all_scopes.get(p as usize) {
            return true;
        }
        if !self.allow_any.get(p as usize) {
            return false;
        }
        match (value, self.perm_scopes.get(p as usize)) {
            (Some(v), Some(values)) => values.binary_search(&v).is_ok(),
            _ => false,
        }
    }

    /// Resolves a permission (and optional scope value) to a handle for [`Checker::check`].
    /// Unknown permissions resolve to [`HANDLE_DENY`]. Handles belong to this checker.
    pub fn permission_handle(&self, permission: &str, scope: Option<&str>) -> u32 {
        let Some(p) = self.cat.perms.get(permission) else {
            return HANDLE_DENY;
        };
        match scope {
            None => (KIND_PERMISSION << KIND_SHIFT) | p,
            Some(value) => match self.scope_values.get(value) {
                // Scope value ids fit 16 bits and permission ids 12 (see limits).
                Some(v) if v < (1 << 16) => (KIND_SCOPED << KIND_SHIFT) | (p << 16) | v,
                _ => (KIND_ALL_SCOPES << KIND_SHIFT) | p,
            },
        }
    }

    /// Resolves "at least `level` on `feature`" to a handle (`None` level: the lowest).
    pub fn feature_handle(&self, feature: &str, level: Option<&str>) -> u32 {
        match (self.cat.features.get(feature), self.level_value(level)) {
            (Some(f), Some(l)) => (KIND_FEATURE << KIND_SHIFT) | (f << 4) | u32::from(l),
            _ => HANDLE_DENY,
        }
    }

    /// Resolves "at least `level` on resource `id`" to a handle (`None` level: the lowest).
    pub fn resource_handle(&self, id: &str, level: Option<&str>) -> u32 {
        match (self.resources.get(id), self.level_value(level)) {
            (Some(r), Some(l)) => (KIND_RESOURCE << KIND_SHIFT) | (r << 4) | u32::from(l),
            _ => HANDLE_DENY,
        }
    }

    /// Resolves any requirement (as used by navigation items) to a handle.
    pub fn requirement_handle(&self, requirement: &Requirement) -> u32 {
        match requirement {
            Requirement::Permission { permission, scope } => {
                self.permission_handle(permission, scope.as_deref())
            }
            Requirement::Feature { feature, level } => {
                self.feature_handle(feature, level.as_deref())
            }
        }
    }

    /// Answers a handle. Never panics; a foreign or corrupt handle denies.
    #[inline]
    pub fn check(&self, handle: u32) -> bool {
        let payload = handle & PAYLOAD_MASK;
        match handle >> KIND_SHIFT {
            KIND_PERMISSION => self.allow_any.get(payload as usize),
            KIND_SCOPED => self.can_scope_index(payload >> 16, Some(payload & 0xffff)),
            KIND_ALL_SCOPES => self.allow_all_scopes.get(payload as usize),
            KIND_FEATURE => self
                .feature_level
                .get((payload >> 4) as usize)
                .is_some_and(|held| *held >= (payload & 0xf) as u8),
            KIND_RESOURCE => self
                .resource_level
                .get((payload >> 4) as usize)
                .is_some_and(|held| *held >= (payload & 0xf) as u8),
            _ => false,
        }
    }

    /// Answers many handles at once: `out[i]` becomes 1 or 0. Extra outputs are left alone.
    pub fn check_many(&self, handles: &[u32], out: &mut [u8]) {
        for (h, o) in handles.iter().zip(out.iter_mut()) {
            *o = u8::from(self.check(*h));
        }
    }

    /// The level held on a feature as a number: 0 none, 1 the lowest level, and so on.
    pub fn feature_level(&self, feature: &str) -> u8 {
        self.cat
            .features
            .get(feature)
            .and_then(|f| self.feature_level.get(f as usize).copied())
            .unwrap_or(0)
    }

    /// The level held on a resource as a number (0: not visible or unknown).
    pub fn resource_level(&self, id: &str) -> u8 {
        self.resources
            .get(id)
            .and_then(|r| self.resource_level.get(r as usize).copied())
            .unwrap_or(0)
    }

    /// The name of a level number (`None` for 0 or out of range).
    pub fn level_name(&self, level: u8) -> Option<&str> {
        (level > 0 && usize::from(level) <= self.cat.levels.len())
            .then(|| self.cat.levels.name(u32::from(level) - 1))
    }

    /// The level scale, lowest first.
    pub fn level_names(&self) -> impl Iterator<Item = &str> {
        self.cat.levels.iter()
    }

    /// Whether the user sees a feature (holds at least the lowest level on it).
    pub fn feature_visible(&self, feature: &str) -> bool {
        self.feature_level(feature) > 0
    }

    /// May the user do `action` on a feature?
    pub fn can_feature(&self, feature: &str, action: &str) -> bool {
        let Some(f) = self.cat.features.get(feature) else {
            return false;
        };
        match self.action_min_level(f, action) {
            Some(min) => self
                .feature_level
                .get(f as usize)
                .is_some_and(|l| *l >= min),
            None => false,
        }
    }

    /// May the user do `action` on a resource?
    pub fn can_resource(&self, id: &str, action: &str) -> bool {
        let Some(r) = self.resources.get(id) else {
            return false;
        };
        let Some(f) = self.resource_feature.get(r as usize) else {
            return false;
        };
        match self.action_min_level(*f, action) {
            Some(min) => self
                .resource_level
                .get(r as usize)
                .is_some_and(|l| *l >= min),
            None => false,
        }
    }

    /// The resources of a feature the user may do `action` on, in slip order.
    pub fn list(&self, feature: &str, action: &str) -> Vec<&str> {
        let Some(f) = self.cat.features.get(feature) else {
            return Vec::new();
        };
        let Some(min) = self.action_min_level(f, action) else {
            return Vec::new();
        };
        self.resource_feature
            .iter()
            .zip(&self.resource_level)
            .enumerate()
            .filter(|(_, (rf, level))| **rf == f && **level >= min && min > 0)
            .map(|(i, _)| self.resources.name(i as u32))
            .collect()
    }

    /// The minimum level for an action on a feature: the feature's override, else the model's.
    fn action_min_level(&self, feature: u32, action: &str) -> Option<u8> {
        let a = self.cat.actions.get(action)?;
        let overridden = self
            .cat
            .feature_actions
            .get(feature as usize)
            .and_then(|overrides| overrides.iter().find(|(id, _)| *id == a));
        match overridden {
            Some((_, min)) => Some(*min),
            None => self
                .cat
                .action_min
                .get(a as usize)
                .copied()
                .filter(|m| *m > 0),
        }
    }

    /// A level name → number; `None` name means the lowest level (1).
    fn level_value(&self, level: Option<&str>) -> Option<u8> {
        match level {
            None => (self.cat.levels.len() > 0).then_some(1),
            Some(name) => self.cat.levels.get(name).map(|i| (i + 1) as u8),
        }
    }
}

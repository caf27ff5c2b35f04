//! Slip → [`Checker`]: the per-user part of compilation, done once per load.

use std::sync::Arc;

use super::catalogue::{topological_order, validate_grant, CompiledCatalogue};
use super::limits::{self, at_most};
use super::{BitSet, Checker, CompileError, Names, Reason, Source};
use crate::model::{Grant, RowRule};
use crate::slip::{Slip, SLIP_VERSION};

/// What grants reach one permission while resolving.
#[derive(Default)]
struct Reach {
    unscoped: bool,
    /// An unscoped grant from something other than the Administrator flag.
    unscoped_non_admin: bool,
    scopes: Vec<u32>,
    sources: Vec<Source>,
    by_non_admin: bool,
}

impl Reach {
    fn any(&self) -> bool {
        self.unscoped || !self.scopes.is_empty()
    }
}

impl Checker {
    /// Compiles a slip that carries its catalogue inline, unverified. Reached from outside the
    /// crate only through [`crate::dangerous`]; `Snapshot::verify` calls it once the token has
    /// been verified.
    pub(crate) fn compile_unverified(slip: &Slip) -> Result<Checker, CompileError> {
        let catalogue = slip
            .catalogue
            .as_ref()
            .ok_or(CompileError::MissingCatalogue)?;
        Checker::compile_unverified_with(&CompiledCatalogue::compile(catalogue)?, slip)
    }

    /// [`crate::dangerous::compile_unverified`] under its old name, hidden and kept only so the
    /// README's examples and `src/json/tests.rs` build until they move to `dangerous`; new code
    /// must not call it.
    #[doc(hidden)]
    pub fn compile(slip: &Slip) -> Result<Checker, CompileError> {
        Checker::compile_unverified(slip)
    }

    /// [`crate::dangerous::compile_unverified_with`] under its old name; see [`Checker::compile`].
    #[doc(hidden)]
    pub fn compile_with(
        cat: &Arc<CompiledCatalogue>,
        slip: &Slip,
    ) -> Result<Checker, CompileError> {
        Checker::compile_unverified_with(cat, slip)
    }

    /// Compiles a slip against an already compiled catalogue (the slip's own inline catalogue,
    /// if any, is ignored). The caller checks that the catalogue is the one the slip names.
    pub(crate) fn compile_unverified_with(
        cat: &Arc<CompiledCatalogue>,
        slip: &Slip,
    ) -> Result<Checker, CompileError> {
        if slip.v != SLIP_VERSION {
            return Err(CompileError::UnsupportedVersion(slip.v));
        }
        check_limits(slip)?;
        let n = cat.perms.len();

        let mut product_on = vec![false; cat.products.len()];
        for (id, on) in &slip.products {
            let p = cat
                .products
                .get(id)
                .ok_or_else(|| CompileError::Unknown("product", id.clone()))?;
            if let Some(slot) = product_on.get_mut(p as usize) {
                *slot = *on;
            }
        }
        let product_off = |p: Option<u32>| {
            p.is_some_and(|p| !product_on.get(p as usize).copied().unwrap_or(false))
        };

        // The channels through which the user holds roles.
        let user = &slip.user;
        let role_ref = |id: &str| {
            cat.roles
                .get(id)
                .ok_or_else(|| CompileError::Unknown("role", id.to_owned()))
        };
        let mut held: Vec<(u32, String)> = Vec::new();
        if let Some(base) = cat.base_role {
            held.push((base, "base".into()));
        }
        for r in &user.roles {
            held.push((role_ref(r)?, "direct".into()));
        }
        let mut team_ids = Names::default();
        for t in &slip.teams {
            team_ids
                .insert(&t.id)
                .ok_or_else(|| CompileError::Duplicate("team", t.id.clone()))?;
            for r in &t.roles {
                held.push((role_ref(r)?, format!("team:{}", t.id)));
            }
        }
        let is_admin = held
            .iter()
            .any(|(r, _)| cat.role_defs.get(*r as usize).is_some_and(|d| d.admin));

        // Permission grants.
        let mut scope_values = Names::default();
        let mut reach: Vec<Reach> = (0..n).map(|_| Reach::default()).collect();
        for (r, via) in &held {
            let Some(def) = cat.role_defs.get(*r as usize) else {
                continue;
            };
            let source = || Source::Role {
                role: cat.roles.name(*r).to_owned(),
                via: via.clone(),
            };
            if def.admin {
                for (i, slot) in reach.iter_mut().enumerate() {
                    if !cat.perm_explicit.get(i) {
                        slot.unscoped = true;
                        slot.sources.push(source());
                    }
                }
            }
            for g in &def.grants {
                apply_grant(g, cat, &mut scope_values, &mut reach, source(), true);
            }
        }
        for g in &user.grants {
            validate_grant(g, &cat.perms)?;
            apply_grant(g, cat, &mut scope_values, &mut reach, Source::User, true);
        }
        // Handles give a scope value 16 bits; role and user values together must fit them.
        at_most("scope values", scope_values.len(), 1 << 16)?;
        let mut revoked = BitSet::new(n);
        for r in &user.revokes {
            let i = cat
                .perms
                .get(r)
                .ok_or_else(|| CompileError::Unknown("permission", r.clone()))?;
            revoked.set(i as usize);
        }

        // Implication, in catalogue order so each permission is final before it flows on.
        let mut allow_any = BitSet::new(n);
        let mut allow_all_scopes = BitSet::new(n);
        let mut all_scopes_non_admin = BitSet::new(n);
        let mut perm_reason = vec![Reason::NotGranted; n];
        for &p in &cat.order {
            let i = p as usize;
            let Some(r) = reach.get(i) else { continue };
            let reason = if product_off(cat.perm_product.get(i).copied().flatten()) {
                Reason::ProductOff
            } else if revoked.get(i) {
                Reason::Revoked
            } else if !r.any() {
                if cat.perm_explicit.get(i) {
                    Reason::ExplicitOnly
                } else {
                    Reason::NotGranted
                }
            } else if r.by_non_admin {
                Reason::Granted
            } else {
                Reason::Admin
            };
            if let Some(slot) = perm_reason.get_mut(i) {
                *slot = reason;
            }
            if !reason.allows() {
                continue;
            }
            allow_any.set(i);
            if r.unscoped {
                allow_all_scopes.set(i);
            }
            if r.unscoped_non_admin {
                all_scopes_non_admin.set(i);
            }
            let (unscoped, unscoped_non_admin, by_non_admin, scopes) = (
                r.unscoped,
                r.unscoped_non_admin,
                r.by_non_admin,
                r.scopes.clone(),
            );
            for &q in cat.implies.get(i).map_or(&[][..], |v| v) {
                if let Some(target) = reach.get_mut(q as usize) {
                    target.unscoped |= unscoped;
                    target.unscoped_non_admin |= unscoped_non_admin;
                    target.scopes.extend_from_slice(&scopes);
                    target.by_non_admin |= by_non_admin;
                    target.sources.push(Source::Implied {
                        by: cat.perms.name(p).to_owned(),
                    });
                }
            }
        }
        let mut perm_sources = Vec::with_capacity(n);
        let mut perm_scopes = Vec::with_capacity(n);
        for r in reach {
            let mut scopes = r.scopes;
            heap_sort(&mut scopes);
            scopes.dedup();
            perm_scopes.push(scopes);
            perm_sources.push(r.sources);
        }

        // Feature levels.
        let top = u8::try_from(cat.levels.len()).unwrap_or(0);
        let nf = cat.features.len();
        let mut feature_level = vec![0u8; nf];
        let mut feature_level_no_admin = vec![0u8; nf];
        let mut contributions: Vec<Vec<(u8, Source)>> = vec![Vec::new(); nf];
        let mut raise = |f: u32, level: u8, source: Source, admin: bool| {
            let i = f as usize;
            if let Some(slot) = feature_level.get_mut(i) {
                *slot = (*slot).max(level);
            }
            if !admin {
                if let Some(slot) = feature_level_no_admin.get_mut(i) {
                    *slot = (*slot).max(level);
                }
                if let Some(list) = contributions.get_mut(i) {
                    list.push((level, source));
                }
            }
        };
        for (r, via) in &held {
            let Some(def) = cat.role_defs.get(*r as usize) else {
                continue;
            };
            let source = || Source::Role {
                role: cat.roles.name(*r).to_owned(),
                via: via.clone(),
            };
            if def.admin {
                for f in 0..nf as u32 {
                    raise(f, top, source(), true);
                }
            }
            for &(f, l) in &def.levels {
                raise(f, l, source(), false);
            }
        }
        for (f, l) in cat.level_map(&user.levels)? {
            raise(f, l, Source::User, false);
        }
        for t in &slip.teams {
            for (f, l) in cat.level_map(&t.levels)? {
                raise(f, l, Source::Team { team: t.id.clone() }, false);
            }
        }
        for (i, p) in cat.feature_product.iter().enumerate() {
            if product_off(*p) {
                for slot in [feature_level.get_mut(i), feature_level_no_admin.get_mut(i)]
                    .into_iter()
                    .flatten()
                {
                    *slot = 0;
                }
            }
        }
        let feature_sources: Vec<Vec<Source>> = contributions
            .into_iter()
            .zip(&feature_level_no_admin)
            .map(|(list, best)| {
                list.into_iter()
                    .filter(|(l, _)| *l == *best && *best > 0)
                    .map(|(_, s)| s)
                    .collect()
            })
            .collect();

        // Resources, parents first.
        let mut resources = Names::default();
        for r in &slip.resources {
            resources
                .insert(&r.id)
                .ok_or_else(|| CompileError::Duplicate("resource", r.id.clone()))?;
        }
        let nr = resources.len();
        let mut parent = Vec::with_capacity(nr);
        let mut resource_feature = Vec::with_capacity(nr);
        for r in &slip.resources {
            resource_feature.push(
                cat.features
                    .get(&r.feature)
                    .ok_or_else(|| CompileError::Unknown("feature", r.feature.clone()))?,
            );
            parent.push(match &r.parent {
                None => None,
                Some(p) => Some(
                    resources
                        .get(p)
                        .ok_or_else(|| CompileError::Unknown("resource", p.clone()))?,
                ),
            });
        }
        let child_to_parent: Vec<Vec<u32>> =
            parent.iter().map(|p| p.iter().copied().collect()).collect();
        // Children come before parents in this order; reversed, parents come first.
        let mut res_order = topological_order(&child_to_parent)
            .map_err(|i| CompileError::Cycle("resource parent", resources.name(i).to_owned()))?;
        res_order.reverse();

        let manages = user.manages.clone();
        let is_managed = |u: &str| manages.iter().any(|m| m == u);
        // Best assignment level through the user or their teams, and through reports.
        let mut direct: Vec<(u8, Vec<Source>)> = vec![(0, Vec::new()); nr];
        let mut managed: Vec<(u8, Vec<Source>)> = vec![(0, Vec::new()); nr];
        let mut restricted = vec![false; nr];
        let mut resource_assigned = vec![false; nr];
        let mut resource_level = vec![0u8; nr];
        let mut resource_level_no_admin = vec![0u8; nr];
        let mut resource_sources: Vec<Vec<Source>> = vec![Vec::new(); nr];
        for &ri in &res_order {
            let i = ri as usize;
            let Some(r) = slip.resources.get(i) else {
                continue;
            };
            let mut own = (0u8, Vec::new());
            let mut own_managed = (0u8, Vec::new());
            for g in &r.grants {
                let level = cat.level(&g.level)?;
                let source = Source::Assignment {
                    resource: r.id.clone(),
                    via: g.via.clone(),
                };
                let slot = if g.via == "user" {
                    &mut own
                } else if let Some(t) = g.via.strip_prefix("team:") {
                    team_ids
                        .get(t)
                        .ok_or_else(|| CompileError::Unknown("team", t.to_owned()))?;
                    &mut own
                } else if let Some(u) = g.via.strip_prefix("managed:") {
                    if !is_managed(u) {
                        return Err(CompileError::Unknown("managed user", u.to_owned()));
                    }
                    &mut own_managed
                } else {
                    return Err(CompileError::Unknown("assignment channel", g.via.clone()));
                };
                merge_best(slot, level, vec![source]);
            }
            let par = parent.get(i).copied().flatten();
            let mut is_restricted = r.restricted;
            if let (true, Some(p)) = (r.inherit, par) {
                let pi = p as usize;
                if let Some((l, s)) = direct.get(pi) {
                    merge_best(&mut own, *l, s.clone());
                }
                if let Some((l, s)) = managed.get(pi) {
                    merge_best(&mut own_managed, *l, s.clone());
                }
                is_restricted |= restricted.get(pi).copied().unwrap_or(false);
            }
            let f = resource_feature.get(i).copied().unwrap_or(0) as usize;
            let mut best = own.clone();
            if is_restricted {
                merge_best(&mut best, own_managed.0, own_managed.1.clone());
            } else {
                let reaches = match cat.feature_rows.get(f).copied().unwrap_or_default() {
                    RowRule::All => true,
                    RowRule::OwnAndManaged => r
                        .owner
                        .as_deref()
                        .is_some_and(|o| o == user.id || is_managed(o)),
                    RowRule::Assigned => false,
                };
                if reaches {
                    let level = feature_level_no_admin.get(f).copied().unwrap_or(0);
                    let source = Source::Feature {
                        feature: cat.features.name(f as u32).to_owned(),
                    };
                    merge_best(&mut best, level, vec![source]);
                }
            }
            let assignment_reaches = own.0 > 0 || (is_restricted && own_managed.0 > 0);
            let mut level = if is_admin { top } else { best.0 };
            let mut level_no_admin = best.0;
            if let (false, Some(p)) = (r.inherit, par) {
                level = level.min(resource_level.get(p as usize).copied().unwrap_or(0));
                level_no_admin = level_no_admin.min(
                    resource_level_no_admin
                        .get(p as usize)
                        .copied()
                        .unwrap_or(0),
                );
            }
            if product_off(cat.feature_product.get(f).copied().flatten()) {
                level = 0;
                level_no_admin = 0;
            }
            if let Some(slot) = resource_level.get_mut(i) {
                *slot = level;
            }
            if let Some(slot) = resource_level_no_admin.get_mut(i) {
                *slot = level_no_admin;
            }
            if let Some(slot) = resource_sources.get_mut(i) {
                *slot = if level_no_admin > 0 {
                    best.1
                } else {
                    Vec::new()
                };
            }
            if let Some(slot) = restricted.get_mut(i) {
                *slot = is_restricted;
            }
            if let Some(slot) = resource_assigned.get_mut(i) {
                *slot = assignment_reaches;
            }
            if let Some(slot) = direct.get_mut(i) {
                *slot = own;
            }
            if let Some(slot) = managed.get_mut(i) {
                *slot = own_managed;
            }
        }

        let teams = slip
            .teams
            .iter()
            .map(|t| {
                (
                    t.id.clone(),
                    if t.name.is_empty() {
                        t.id.clone()
                    } else {
                        t.name.clone()
                    },
                )
            })
            .collect();

        Ok(Checker {
            cat: Arc::clone(cat),
            subject: user.id.clone(),
            subject_name: user.name.clone(),
            is_admin,
            product_on,
            allow_any,
            allow_all_scopes,
            all_scopes_non_admin,
            perm_reason,
            perm_sources,
            perm_scopes,
            scope_values,
            held_roles: held,
            teams,
            manages,
            feature_level,
            feature_level_no_admin,
            feature_sources,
            resources,
            resource_feature,
            resource_level,
            resource_level_no_admin,
            resource_restricted: restricted,
            resource_assigned,
            resource_sources,
        })
    }
}

/// Keeps the highest level and the sources that give it.
fn merge_best(best: &mut (u8, Vec<Source>), level: u8, sources: Vec<Source>) {
    if level > best.0 {
        *best = (level, sources);
    } else if level == best.0 && level > 0 {
        best.1.extend(sources);
    }
}

/// Checks the per-user limits before any work proportional to them.
fn check_limits(slip: &Slip) -> Result<(), CompileError> {
    at_most("teams", slip.teams.len(), limits::MAX_TEAMS)?;
    at_most("resources", slip.resources.len(), limits::MAX_RESOURCES)?;
    at_most("products", slip.products.len(), limits::MAX_PRODUCTS)?;
    let grant_edges = |grants: &[Grant]| -> usize {
        grants
            .iter()
            .map(|g| 1 + g.scope().map_or(0, <[String]>::len))
            .sum()
    };
    let u = &slip.user;
    let edges = grant_edges(&u.grants)
        + u.revokes.len()
        + u.roles.len()
        + u.manages.len()
        + u.levels.len()
        + slip
            .teams
            .iter()
            .map(|t| t.roles.len() + t.levels.len())
            .sum::<usize>()
        + slip.resources.iter().map(|r| r.grants.len()).sum::<usize>();
    at_most("grants and references", edges, limits::MAX_EDGES)
}

/// Adds one (validated) grant's reach. Wildcards skip explicit-only permissions.
fn apply_grant(
    g: &Grant,
    cat: &CompiledCatalogue,
    scope_values: &mut Names,
    reach: &mut [Reach],
    source: Source,
    non_admin: bool,
) {
    let p = g.permission();
    if let Some(prefix) = p.strip_suffix('*') {
        for (i, r) in reach.iter_mut().enumerate() {
            if !cat.perm_explicit.get(i) && cat.perms.name(i as u32).starts_with(prefix) {
                r.unscoped = true;
                r.unscoped_non_admin |= non_admin;
                r.by_non_admin |= non_admin;
                r.sources.push(source.clone());
            }
        }
        return;
    }
    // A grant limited to no value grants nothing: it must not count as a grant (nor a source).
    if g.scope().is_some_and(<[String]>::is_empty) {
        return;
    }
    let Some(r) = cat.perms.get(p).and_then(|i| reach.get_mut(i as usize)) else {
        return;
    };
    match g.scope() {
        None => {
            r.unscoped = true;
            r.unscoped_non_admin |= non_admin;
        }
        Some(values) => {
            for v in values {
                if let Some(id) = scope_values.get(v).or_else(|| scope_values.insert(v)) {
                    r.scopes.push(id);
                }
            }
        }
    }
    r.by_non_admin |= non_admin;
    r.sources.push(source);
}

/// In-place heap sort: O(n log n) on any input, and far less code in the wasm than the
/// standard library's sorts (scope lists are the only thing the engine sorts).
fn heap_sort(v: &mut [u32]) {
    fn sift_down(v: &mut [u32], mut root: usize, end: usize) {
        loop {
            let mut child = 2 * root + 1;
            if child >= end {
                return;
            }
            if child + 1 < end && v.get(child + 1) > v.get(child) {
                child += 1;
            }
            if v.get(root) >= v.get(child) {
                return;
            }
            v.swap(root, child);
            root = child;
        }
    }
    let n = v.len();
    for root in (0..n / 2).rev() {
        sift_down(v, root, n);
    }
    for end in (1..n).rev() {
        v.swap(0, end);
        sift_down(v, 0, end);
    }
}

#[cfg(test)]
mod tests {
    use super::heap_sort;

    #[test]
    fn heap_sort_sorts() {
        let mut seed = 0x2545_f491_u32;
        for len in [0usize, 1, 2, 3, 10, 257] {
            let mut v: Vec<u32> = (0..len)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 17;
                    seed ^= seed << 5;
                    seed % 50
                })
                .collect();
            let mut want = v.clone();
            want.sort_unstable();
            heap_sort(&mut v);
            assert_eq!(v, want);
        }
    }
}

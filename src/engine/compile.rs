//! Slip → [`Checker`]: validation, interning and resolution, done once per load.

use std::collections::BTreeMap;

use super::limits::{self, at_most};
use super::{BitSet, Checker, CompileError, Names, Reason, Source};
use crate::model::{Grant, RowRule};
use crate::slip::{Slip, SLIP_VERSION};

/// A role as kept for explanations ("granted by ...").
#[derive(Debug, Clone)]
pub(crate) struct RoleInfo {
    pub(crate) name: String,
    pub(crate) admin: bool,
    pub(crate) grants: Vec<String>,
    pub(crate) levels: Vec<(u32, u8)>,
}

/// What grants reach one permission while resolving.
#[derive(Default)]
struct Reach {
    unscoped: bool,
    scopes: Vec<u32>,
    sources: Vec<Source>,
    by_non_admin: bool,
}

impl Reach {
    fn any(&self) -> bool {
        self.unscoped || !self.scopes.is_empty()
    }
}

/// One channel through which the user holds a role.
struct HeldRole {
    role: u32,
    via: String,
}

impl Checker {
    /// Compiles a slip. Applications use `Snapshot::verify`, which verifies the signature first.
    pub fn compile(slip: &Slip) -> Result<Checker, CompileError> {
        if slip.v != SLIP_VERSION {
            return Err(CompileError::UnsupportedVersion(slip.v));
        }
        check_limits(slip)?;

        let mut products = Names::default();
        let mut product_on = Vec::new();
        for (id, on) in &slip.products {
            products.insert(id);
            product_on.push(*on);
        }
        let product_ref = |p: &Option<String>| -> Result<Option<u32>, CompileError> {
            match p {
                None => Ok(None),
                Some(id) => products
                    .get(id)
                    .map(Some)
                    .ok_or_else(|| CompileError::Unknown("product", id.clone())),
            }
        };

        // The catalogue.
        let mut perms = Names::default();
        for p in &slip.permissions {
            perms
                .insert(&p.id)
                .ok_or_else(|| CompileError::Duplicate("permission", p.id.clone()))?;
        }
        let n = perms.len();
        let mut perm_product = Vec::with_capacity(n);
        let mut perm_explicit = BitSet::new(n);
        let mut implies: Vec<Vec<u32>> = Vec::with_capacity(n);
        for (i, p) in slip.permissions.iter().enumerate() {
            perm_product.push(product_ref(&p.product)?);
            if p.explicit {
                perm_explicit.set(i);
            }
            let mut targets = Vec::with_capacity(p.implies.len());
            for q in &p.implies {
                let qi = perms
                    .get(q)
                    .ok_or_else(|| CompileError::Unknown("permission", q.clone()))?;
                if perm_explicit_def(slip, qi) {
                    return Err(CompileError::ImpliesExplicit(p.id.clone(), q.clone()));
                }
                targets.push(qi);
            }
            implies.push(targets);
        }
        let order = topological_order(&implies)
            .map_err(|i| CompileError::Cycle("implication", perms.name(i).to_owned()))?;

        // Levels, actions, features.
        let mut levels = Names::default();
        for l in &slip.levels {
            levels
                .insert(l)
                .ok_or_else(|| CompileError::Duplicate("level", l.clone()))?;
        }
        let level_of = |name: &str| -> Result<u8, CompileError> {
            levels
                .get(name)
                .map(|i| (i + 1) as u8)
                .ok_or_else(|| CompileError::Unknown("level", name.to_owned()))
        };
        let mut actions = Names::default();
        let mut action_min = Vec::new();
        for (action, level) in &slip.actions {
            actions.insert(action);
            action_min.push(level_of(level)?);
        }
        let mut features = Names::default();
        let mut feature_product = Vec::new();
        let mut feature_rows = Vec::new();
        let mut feature_actions = Vec::new();
        for f in &slip.features {
            features
                .insert(&f.id)
                .ok_or_else(|| CompileError::Duplicate("feature", f.id.clone()))?;
            feature_product.push(product_ref(&f.product)?);
            feature_rows.push(f.rows);
            let mut overrides = Vec::new();
            for (action, level) in &f.actions {
                let a = actions
                    .get(action)
                    .ok_or_else(|| CompileError::Unknown("action", action.clone()))?;
                overrides.push((a, level_of(level)?));
            }
            feature_actions.push(overrides);
        }
        let level_map = |map: &BTreeMap<String, String>| -> Result<Vec<(u32, u8)>, CompileError> {
            map.iter()
                .map(|(f, l)| {
                    let fi = features
                        .get(f)
                        .ok_or_else(|| CompileError::Unknown("feature", f.clone()))?;
                    Ok((fi, level_of(l)?))
                })
                .collect()
        };

        // Roles.
        let mut roles = Names::default();
        let mut role_defs = Vec::with_capacity(slip.roles.len());
        for r in &slip.roles {
            roles
                .insert(&r.id)
                .ok_or_else(|| CompileError::Duplicate("role", r.id.clone()))?;
            for g in &r.grants {
                validate_grant(g, &perms)?;
            }
            role_defs.push(RoleInfo {
                name: if r.name.is_empty() { r.id.clone() } else { r.name.clone() },
                admin: r.admin,
                grants: r.grants.iter().map(|g| g.permission().to_owned()).collect(),
                levels: level_map(&r.levels)?,
            });
        }
        let role_ref = |id: &str| {
            roles
                .get(id)
                .ok_or_else(|| CompileError::Unknown("role", id.to_owned()))
        };

        // The channels through which the user holds roles.
        let user = &slip.user;
        let mut held = Vec::new();
        if let Some(base) = &slip.base_role {
            held.push(HeldRole { role: role_ref(base)?, via: "base".into() });
        }
        for r in &user.roles {
            held.push(HeldRole { role: role_ref(r)?, via: "direct".into() });
        }
        let mut team_ids = Names::default();
        for t in &slip.teams {
            team_ids
                .insert(&t.id)
                .ok_or_else(|| CompileError::Duplicate("team", t.id.clone()))?;
            for r in &t.roles {
                held.push(HeldRole { role: role_ref(r)?, via: format!("team:{}", t.id) });
            }
        }
        let is_admin = held
            .iter()
            .any(|h| role_defs.get(h.role as usize).is_some_and(|r| r.admin));

        // Permission grants.
        let mut scope_values = Names::default();
        let mut reach: Vec<Reach> = (0..n).map(|_| Reach::default()).collect();
        for h in &held {
            let Some(def) = slip.roles.get(h.role as usize) else {
                continue;
            };
            let source = || Source::Role { role: def.id.clone(), via: h.via.clone() };
            if def.admin {
                for (i, r) in reach.iter_mut().enumerate() {
                    if !perm_explicit.get(i) {
                        r.unscoped = true;
                        r.sources.push(source());
                    }
                }
            }
            for g in &def.grants {
                apply_grant(g, &perms, &perm_explicit, &mut scope_values, &mut reach, source(), !def.admin);
            }
        }
        for g in &user.grants {
            validate_grant(g, &perms)?;
            apply_grant(g, &perms, &perm_explicit, &mut scope_values, &mut reach, Source::User, true);
        }

        let mut revoked = BitSet::new(n);
        for r in &user.revokes {
            let i = perms
                .get(r)
                .ok_or_else(|| CompileError::Unknown("permission", r.clone()))?;
            revoked.set(i as usize);
        }

        // Implication, in topological order so each permission is final before it flows on.
        let product_off = |p: Option<u32>| p.is_some_and(|p| !product_on.get(p as usize).copied().unwrap_or(false));
        let mut allow_any = BitSet::new(n);
        let mut allow_all_scopes = BitSet::new(n);
        let mut perm_reason = vec![Reason::NotGranted; n];
        for &p in &order {
            let i = p as usize;
            let off = product_off(perm_product.get(i).copied().flatten());
            let (held_any, unscoped, by_non_admin, scopes) = match reach.get(i) {
                Some(r) => (r.any(), r.unscoped, r.by_non_admin, r.scopes.clone()),
                None => continue,
            };
            let reason = if off {
                Reason::ProductOff
            } else if revoked.get(i) {
                Reason::Revoked
            } else if !held_any {
                if perm_explicit.get(i) {
                    Reason::ExplicitOnly
                } else {
                    Reason::NotGranted
                }
            } else if by_non_admin {
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
            if unscoped {
                allow_all_scopes.set(i);
            }
            for &q in implies.get(i).map_or(&[][..], |v| v) {
                if let Some(target) = reach.get_mut(q as usize) {
                    target.unscoped |= unscoped;
                    target.scopes.extend_from_slice(&scopes);
                    target.by_non_admin |= by_non_admin;
                    target.sources.push(Source::Implied { by: perms.name(p).to_owned() });
                }
            }
        }
        let mut perm_sources = Vec::with_capacity(n);
        let mut perm_scopes = Vec::with_capacity(n);
        for r in reach {
            let mut scopes = r.scopes;
            scopes.sort_unstable();
            scopes.dedup();
            perm_scopes.push(scopes);
            perm_sources.push(r.sources);
        }

        // Feature levels.
        let top = levels.len() as u8;
        let nf = features.len();
        let mut feature_level = vec![0u8; nf];
        let mut feature_level_no_admin = vec![0u8; nf];
        let mut feature_sources: Vec<Vec<(u8, Source)>> = vec![Vec::new(); nf];
        let mut raise = |f: u32, level: u8, source: Source, admin: bool| {
            let i = f as usize;
            if let Some(slot) = feature_level.get_mut(i) {
                *slot = (*slot).max(level);
            }
            if !admin {
                if let Some(slot) = feature_level_no_admin.get_mut(i) {
                    *slot = (*slot).max(level);
                }
            }
            if let Some(list) = feature_sources.get_mut(i) {
                list.push((level, source));
            }
        };
        for h in &held {
            let (Some(info), Some(def)) = (role_defs.get(h.role as usize), slip.roles.get(h.role as usize)) else {
                continue;
            };
            let source = || Source::Role { role: def.id.clone(), via: h.via.clone() };
            if info.admin {
                for f in 0..nf as u32 {
                    raise(f, top, source(), true);
                }
            }
            for &(f, l) in &info.levels {
                raise(f, l, source(), false);
            }
        }
        for (f, l) in level_map(&user.levels)? {
            raise(f, l, Source::User, false);
        }
        for t in &slip.teams {
            for (f, l) in level_map(&t.levels)? {
                raise(f, l, Source::Team { team: t.id.clone() }, false);
            }
        }
        for (i, p) in feature_product.iter().enumerate() {
            if product_off(*p) {
                if let Some(slot) = feature_level.get_mut(i) {
                    *slot = 0;
                }
                if let Some(slot) = feature_level_no_admin.get_mut(i) {
                    *slot = 0;
                }
            }
        }
        let feature_sources: Vec<Vec<Source>> = feature_sources
            .into_iter()
            .zip(&feature_level)
            .map(|(list, best)| {
                list.into_iter()
                    .filter(|(l, _)| *l == *best && *best > 0)
                    .map(|(_, s)| s)
                    .collect()
            })
            .collect();

        // Resources.
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
                features
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
        let parent_edges: Vec<Vec<u32>> = parent.iter().map(|p| p.iter().copied().collect()).collect();
        // Reverse topological order of child → parent edges puts parents first.
        let mut res_order = topological_order(&parent_edges)
            .map_err(|i| CompileError::Cycle("resource parent", resources.name(i).to_owned()))?;
        res_order.reverse();

        let self_id = user.id.as_str();
        let manages: Vec<String> = user.manages.clone();
        let is_managed = |u: &str| manages.iter().any(|m| m == u);
        let mut direct: Vec<(u8, Vec<Source>)> = vec![(0, Vec::new()); nr];
        let mut managed: Vec<(u8, Vec<Source>)> = vec![(0, Vec::new()); nr];
        let mut restricted = vec![false; nr];
        let mut resource_level = vec![0u8; nr];
        let mut resource_level_no_admin = vec![0u8; nr];
        let mut resource_sources: Vec<Vec<Source>> = vec![Vec::new(); nr];
        for &ri in &res_order {
            let i = ri as usize;
            let Some(r) = slip.resources.get(i) else { continue };
            let mut own = (0u8, Vec::new());
            let mut own_managed = (0u8, Vec::new());
            for g in &r.grants {
                let level = level_of(&g.level)?;
                let source = Source::Assignment { resource: r.id.clone(), via: g.via.clone() };
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
                merge_best(slot, level, source);
            }
            let par = parent.get(i).copied().flatten();
            let mut is_restricted = r.restricted;
            if r.inherit {
                if let Some(p) = par {
                    let pi = p as usize;
                    if let Some((l, s)) = direct.get(pi).cloned() {
                        merge_best_all(&mut own, l, s);
                    }
                    if let Some((l, s)) = managed.get(pi).cloned() {
                        merge_best_all(&mut own_managed, l, s);
                    }
                    is_restricted |= restricted.get(pi).copied().unwrap_or(false);
                }
            }
            let f = resource_feature.get(i).copied().unwrap_or(0) as usize;
            let mut best = (0u8, Vec::new());
            merge_best_all(&mut best, own.0, own.1.clone());
            if is_restricted {
                merge_best_all(&mut best, own_managed.0, own_managed.1.clone());
            } else {
                let reaches = match feature_rows.get(f).copied().unwrap_or_default() {
                    RowRule::All => true,
                    RowRule::OwnAndManaged => r
                        .owner
                        .as_deref()
                        .is_some_and(|o| o == self_id || is_managed(o)),
                    RowRule::Assigned => false,
                };
                if reaches {
                    let fl = feature_level_no_admin.get(f).copied().unwrap_or(0);
                    merge_best(&mut best, fl, Source::Feature { feature: slip.features.get(f).map(|x| x.id.clone()).unwrap_or_default() });
                }
            }
            let mut level = if is_admin { top } else { best.0 };
            let mut level_no_admin = best.0;
            if !r.inherit {
                if let Some(p) = par {
                    level = level.min(resource_level.get(p as usize).copied().unwrap_or(0));
                    level_no_admin =
                        level_no_admin.min(resource_level_no_admin.get(p as usize).copied().unwrap_or(0));
                }
            }
            if product_off(feature_product.get(f).copied().flatten()) {
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
                *slot = if level_no_admin > 0 { best.1 } else { Vec::new() };
            }
            if let Some(slot) = restricted.get_mut(i) {
                *slot = is_restricted;
            }
            if let Some(slot) = direct.get_mut(i) {
                *slot = own;
            }
            if let Some(slot) = managed.get_mut(i) {
                *slot = own_managed;
            }
        }

        let held_roles = held.into_iter().map(|h| (h.role, h.via)).collect();
        let teams = slip
            .teams
            .iter()
            .map(|t| (t.id.clone(), if t.name.is_empty() { t.id.clone() } else { t.name.clone() }))
            .collect();

        Ok(Checker {
            subject: user.id.clone(),
            subject_name: user.name.clone(),
            is_admin,
            products,
            product_on,
            perms,
            perm_product,
            perm_explicit,
            allow_any,
            allow_all_scopes,
            perm_reason,
            perm_sources,
            perm_scopes,
            scope_values,
            roles,
            role_defs,
            held_roles,
            teams,
            manages,
            levels,
            actions,
            action_min,
            features,
            feature_product,
            feature_actions,
            feature_level,
            feature_level_no_admin,
            feature_sources,
            resources,
            resource_feature,
            resource_level,
            resource_level_no_admin,
            resource_restricted: restricted,
            resource_sources,
        })
    }
}

fn perm_explicit_def(slip: &Slip, i: u32) -> bool {
    slip.permissions.get(i as usize).is_some_and(|p| p.explicit)
}

/// Keeps the highest level and the sources that give it.
fn merge_best(best: &mut (u8, Vec<Source>), level: u8, source: Source) {
    if level > best.0 {
        *best = (level, vec![source]);
    } else if level == best.0 && level > 0 {
        best.1.push(source);
    }
}

fn merge_best_all(best: &mut (u8, Vec<Source>), level: u8, sources: Vec<Source>) {
    if level > best.0 {
        *best = (level, sources);
    } else if level == best.0 && level > 0 {
        best.1.extend(sources);
    }
}

/// Checks the documented limits before any work proportional to them.
fn check_limits(slip: &Slip) -> Result<(), CompileError> {
    at_most("permissions", slip.permissions.len(), limits::MAX_PERMISSIONS)?;
    at_most("roles", slip.roles.len(), limits::MAX_ROLES)?;
    at_most("teams", slip.teams.len(), limits::MAX_TEAMS)?;
    at_most("features", slip.features.len(), limits::MAX_FEATURES)?;
    at_most("resources", slip.resources.len(), limits::MAX_RESOURCES)?;
    at_most("levels", slip.levels.len(), limits::MAX_LEVELS)?;
    at_most("products", slip.products.len(), limits::MAX_PRODUCTS)?;
    let grant_edges = |grants: &[Grant]| -> usize {
        grants.iter().map(|g| 1 + g.scope().map_or(0, <[String]>::len)).sum()
    };
    let edges = slip.permissions.iter().map(|p| p.implies.len()).sum::<usize>()
        + slip
            .roles
            .iter()
            .map(|r| grant_edges(&r.grants) + r.levels.len())
            .sum::<usize>()
        + grant_edges(&slip.user.grants)
        + slip.user.revokes.len()
        + slip.user.roles.len()
        + slip.user.manages.len()
        + slip.user.levels.len()
        + slip.teams.iter().map(|t| t.roles.len() + t.levels.len()).sum::<usize>()
        + slip.resources.iter().map(|r| r.grants.len()).sum::<usize>()
        + slip.features.iter().map(|f| f.actions.len()).sum::<usize>()
        + slip.actions.len();
    at_most("grants and references", edges, limits::MAX_EDGES)
}

fn validate_grant(g: &Grant, perms: &Names) -> Result<(), CompileError> {
    let p = g.permission();
    if let Some(prefix) = p.strip_suffix('*') {
        let well_formed = prefix.is_empty() || (prefix.ends_with('.') && !prefix.contains('*'));
        if g.scope().is_some() || !well_formed {
            return Err(CompileError::BadWildcard(p.to_owned()));
        }
        return Ok(());
    }
    if p.contains('*') {
        return Err(CompileError::BadWildcard(p.to_owned()));
    }
    perms
        .get(p)
        .map(|_| ())
        .ok_or_else(|| CompileError::Unknown("permission", p.to_owned()))
}

/// Adds one (validated) grant's reach. Wildcards skip explicit-only permissions.
fn apply_grant(
    g: &Grant,
    perms: &Names,
    explicit: &BitSet,
    scope_values: &mut Names,
    reach: &mut [Reach],
    source: Source,
    non_admin: bool,
) {
    let p = g.permission();
    if let Some(prefix) = p.strip_suffix('*') {
        for (i, r) in reach.iter_mut().enumerate() {
            if !explicit.get(i) && perms.name(i as u32).starts_with(prefix) {
                r.unscoped = true;
                r.by_non_admin |= non_admin;
                r.sources.push(source.clone());
            }
        }
        return;
    }
    let Some(r) = perms.get(p).and_then(|i| reach.get_mut(i as usize)) else {
        return;
    };
    match g.scope() {
        None => r.unscoped = true,
        Some(values) => {
            for v in values {
                let id = scope_values.get(v).or_else(|| scope_values.insert(v));
                if let Some(id) = id {
                    r.scopes.push(id);
                }
            }
        }
    }
    r.by_non_admin |= non_admin;
    r.sources.push(source);
}

/// Kahn's algorithm over `edges[i]` = successors of `i`: every node after all its predecessors.
/// `Err(i)` names a node on a cycle. Iterative: no recursion however deep the graph.
fn topological_order(edges: &[Vec<u32>]) -> Result<Vec<u32>, u32> {
    let n = edges.len();
    let mut indegree = vec![0usize; n];
    for targets in edges {
        for &t in targets {
            if let Some(d) = indegree.get_mut(t as usize) {
                *d += 1;
            }
        }
    }
    let mut ready: Vec<u32> = (0..n as u32)
        .filter(|&i| indegree.get(i as usize) == Some(&0))
        .collect();
    let mut order = Vec::with_capacity(n);
    while let Some(i) = ready.pop() {
        order.push(i);
        for &t in edges.get(i as usize).map_or(&[][..], |v| v) {
            if let Some(d) = indegree.get_mut(t as usize) {
                *d -= 1;
                if *d == 0 {
                    ready.push(t);
                }
            }
        }
    }
    if order.len() == n {
        return Ok(order);
    }
    let stuck = indegree.iter().position(|d| *d > 0).unwrap_or(0);
    Err(stuck as u32)
}

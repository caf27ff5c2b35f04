//! The shared part of a model, compiled once and shared by every checker of that model.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::limits::{self, at_most};
use super::{BitSet, CompileError, Names};
use crate::model::{Grant, RowRule};
use crate::slip::Catalogue;

/// A role as the engine keeps it.
#[derive(Debug, Clone)]
pub(crate) struct RoleInfo {
    pub(crate) name: String,
    pub(crate) admin: bool,
    pub(crate) grants: Vec<Grant>,
    pub(crate) levels: Vec<(u32, u8)>,
}

/// An interned, validated catalogue. Build it once per model with
/// [`CompiledCatalogue::compile`] and share it (it is behind an `Arc`) between users' checkers.
#[derive(Debug)]
pub struct CompiledCatalogue {
    pub(crate) model: String,
    pub(crate) products: Names,
    pub(crate) perms: Names,
    pub(crate) perm_product: Vec<Option<u32>>,
    pub(crate) perm_explicit: BitSet,
    pub(crate) implies: Vec<Vec<u32>>,
    /// Permissions in implication order: every implier before what it implies.
    pub(crate) order: Vec<u32>,
    pub(crate) levels: Names,
    pub(crate) actions: Names,
    /// Model-wide minimum level per action; 0 when only some features define the action.
    pub(crate) action_min: Vec<u8>,
    pub(crate) features: Names,
    pub(crate) feature_product: Vec<Option<u32>>,
    pub(crate) feature_rows: Vec<RowRule>,
    pub(crate) feature_actions: Vec<Vec<(u32, u8)>>,
    pub(crate) roles: Names,
    pub(crate) role_defs: Vec<RoleInfo>,
    pub(crate) base_role: Option<u32>,
}

impl CompiledCatalogue {
    /// Validates and interns a catalogue: unknown names, duplicates, wildcards, implication of
    /// explicit-only permissions, implication cycles and limits are all rejected here.
    pub fn compile(c: &Catalogue) -> Result<Arc<CompiledCatalogue>, CompileError> {
        at_most("permissions", c.permissions.len(), limits::MAX_PERMISSIONS)?;
        at_most("roles", c.roles.len(), limits::MAX_ROLES)?;
        at_most("features", c.features.len(), limits::MAX_FEATURES)?;
        at_most("levels", c.levels.len(), limits::MAX_LEVELS)?;
        at_most("products", c.products.len(), limits::MAX_PRODUCTS)?;
        let grant_edges = |grants: &[Grant]| -> usize {
            grants
                .iter()
                .map(|g| 1 + g.scope().map_or(0, <[String]>::len))
                .sum()
        };
        let edges = c.permissions.iter().map(|p| p.implies.len()).sum::<usize>()
            + c.roles
                .iter()
                .map(|r| grant_edges(&r.grants) + r.levels.len())
                .sum::<usize>()
            + c.features.iter().map(|f| f.actions.len()).sum::<usize>()
            + c.actions.len();
        at_most("grants and references", edges, limits::MAX_EDGES)?;

        let mut products = Names::default();
        for p in &c.products {
            products
                .insert(p)
                .ok_or_else(|| CompileError::Duplicate("product", p.clone()))?;
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

        let mut perms = Names::default();
        for p in &c.permissions {
            perms
                .insert(&p.id)
                .ok_or_else(|| CompileError::Duplicate("permission", p.id.clone()))?;
        }
        let n = perms.len();
        let mut perm_product = Vec::with_capacity(n);
        let mut perm_explicit = BitSet::new(n);
        let mut implies = Vec::with_capacity(n);
        for (i, p) in c.permissions.iter().enumerate() {
            perm_product.push(product_ref(&p.product)?);
            if p.explicit {
                perm_explicit.set(i);
            }
            let mut targets = Vec::with_capacity(p.implies.len());
            for q in &p.implies {
                let qi = perms
                    .get(q)
                    .ok_or_else(|| CompileError::Unknown("permission", q.clone()))?;
                if c.permissions.get(qi as usize).is_some_and(|d| d.explicit) {
                    return Err(CompileError::ImpliesExplicit(p.id.clone(), q.clone()));
                }
                targets.push(qi);
            }
            implies.push(targets);
        }
        let order = topological_order(&implies)
            .map_err(|i| CompileError::Cycle("implication", perms.name(i).to_owned()))?;

        let mut levels = Names::default();
        for l in &c.levels {
            levels
                .insert(l)
                .ok_or_else(|| CompileError::Duplicate("level", l.clone()))?;
        }
        let mut actions = Names::default();
        let mut action_min = Vec::new();
        for (action, level) in &c.actions {
            actions.insert(action);
            action_min.push(level_of(&levels, level)?);
        }
        let mut features = Names::default();
        let mut feature_product = Vec::new();
        let mut feature_rows = Vec::new();
        let mut feature_actions = Vec::new();
        for f in &c.features {
            features
                .insert(&f.id)
                .ok_or_else(|| CompileError::Duplicate("feature", f.id.clone()))?;
            feature_product.push(product_ref(&f.product)?);
            feature_rows.push(f.rows);
            let mut overrides = Vec::new();
            for (action, level) in &f.actions {
                // A feature may define an action of its own (a custom list's `use`).
                let a = match actions.get(action) {
                    Some(a) => a,
                    None => {
                        action_min.push(0);
                        actions
                            .insert(action)
                            .ok_or_else(|| CompileError::Duplicate("action", action.clone()))?
                    }
                };
                overrides.push((a, level_of(&levels, level)?));
            }
            feature_actions.push(overrides);
        }

        let mut roles = Names::default();
        let mut role_defs = Vec::with_capacity(c.roles.len());
        for r in &c.roles {
            roles
                .insert(&r.id)
                .ok_or_else(|| CompileError::Duplicate("role", r.id.clone()))?;
            for g in &r.grants {
                validate_grant(g, &perms)?;
            }
            role_defs.push(RoleInfo {
                name: if r.name.is_empty() {
                    r.id.clone()
                } else {
                    r.name.clone()
                },
                admin: r.admin,
                grants: r.grants.clone(),
                levels: level_map(&features, &levels, &r.levels)?,
            });
        }
        let base_role = match &c.base_role {
            None => None,
            Some(id) => Some(
                roles
                    .get(id)
                    .ok_or_else(|| CompileError::Unknown("role", id.clone()))?,
            ),
        };

        Ok(Arc::new(CompiledCatalogue {
            model: c.model.clone(),
            products,
            perms,
            perm_product,
            perm_explicit,
            implies,
            order,
            levels,
            actions,
            action_min,
            features,
            feature_product,
            feature_rows,
            feature_actions,
            roles,
            role_defs,
            base_role,
        }))
    }

    /// The model's name.
    pub fn model(&self) -> &str {
        &self.model
    }

    /// A level name → its number (1 = lowest).
    pub(crate) fn level(&self, name: &str) -> Result<u8, CompileError> {
        level_of(&self.levels, name)
    }

    /// A feature → level map, resolved.
    pub(crate) fn level_map(
        &self,
        map: &BTreeMap<String, String>,
    ) -> Result<Vec<(u32, u8)>, CompileError> {
        level_map(&self.features, &self.levels, map)
    }
}

fn level_of(levels: &Names, name: &str) -> Result<u8, CompileError> {
    levels
        .get(name)
        .and_then(|i| u8::try_from(i + 1).ok())
        .ok_or_else(|| CompileError::Unknown("level", name.to_owned()))
}

fn level_map(
    features: &Names,
    levels: &Names,
    map: &BTreeMap<String, String>,
) -> Result<Vec<(u32, u8)>, CompileError> {
    map.iter()
        .map(|(f, l)| {
            let fi = features
                .get(f)
                .ok_or_else(|| CompileError::Unknown("feature", f.clone()))?;
            Ok((fi, level_of(levels, l)?))
        })
        .collect()
}

/// A grant must name a known permission, `*`, or `prefix.*` without a scope.
pub(crate) fn validate_grant(g: &Grant, perms: &Names) -> Result<(), CompileError> {
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

/// Kahn's algorithm over `edges[i]` = successors of `i`: every node after all its predecessors.
/// `Err(i)` names a node on a cycle. Iterative: no recursion however deep the graph.
pub(crate) fn topological_order(edges: &[Vec<u32>]) -> Result<Vec<u32>, u32> {
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

//! Slip → [`Checker`]: the per-user part of compilation, done once per load.

use std::fmt;
use std::sync::Arc;

use super::catalogue::{topological_order, validate_grant, CompiledCatalogue};
use super::limits::{self, at_most};
use super::{BitSet, Checker, CompileError, Names, Reason, Source};
use crate::model::{Grant, RowRule};
use crate::slip::{Slip, SlipResource, SLIP_VERSION};

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

    /// Compiles a slip against an already compiled catalogue (the slip's own inline catalogue,
    /// if any, is ignored). The caller checks that the catalogue is the one the slip names.
    ///
    /// The steps, each reading only what the ones before produced: who the user is (products,
    /// roles and the channels they come through, teams), then permissions, feature levels and
    /// resource levels.
    pub(crate) fn compile_unverified_with(
        cat: &Arc<CompiledCatalogue>,
        slip: &Slip,
    ) -> Result<Checker, CompileError> {
        if slip.v != SLIP_VERSION {
            return Err(CompileError::UnsupportedVersion(slip.v));
        }
        check_limits(slip)?;
        let user = UserBase::new(cat, slip)?;
        let permissions = user.permissions()?;
        let features = user.feature_levels()?;
        let resources = user.resources(&features)?;
        Ok(user.into_checker(permissions, features, resources))
    }
}

/// How the user holds a role. Formatted (`base`, `direct`, `team:ID`) only where it is
/// written out, in a [`Source::Role`]'s or a profile's `via`: those strings are part of the
/// public contract and the shared vectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Channel<'s> {
    /// The catalogue's base role, which everyone holds.
    Base,
    /// Assigned to the user.
    Direct,
    /// Through membership of the team with this id.
    Team(&'s str),
}

impl fmt::Display for Channel<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Channel::Base => f.write_str("base"),
            Channel::Direct => f.write_str("direct"),
            Channel::Team(id) => write!(f, "team:{id}"),
        }
    }
}

/// Whom a resource assignment in the slip reaches, read from its `via` (`user`, `team:ID`,
/// `managed:USER`). The `via` string itself travels on unchanged in the assignment's
/// [`Source`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Assignee<'s> {
    /// The user.
    User,
    /// A team of the user's.
    Team(&'s str),
    /// A user the user manages.
    Managed(&'s str),
}

impl<'s> Assignee<'s> {
    fn parse(via: &'s str) -> Option<Assignee<'s>> {
        if via == "user" {
            Some(Assignee::User)
        } else if let Some(team) = via.strip_prefix("team:") {
            Some(Assignee::Team(team))
        } else {
            via.strip_prefix("managed:").map(Assignee::Managed)
        }
    }
}

/// Step 1, what every later step reads: the slip, its catalogue, and who the user is.
struct UserBase<'a> {
    cat: &'a Arc<CompiledCatalogue>,
    slip: &'a Slip,
    product_on: Vec<bool>,
    /// The roles the user holds and how: the base role, direct roles, then team roles.
    held: Vec<(u32, Channel<'a>)>,
    team_ids: Names,
    is_admin: bool,
}

/// Step 2's result: the permission tables.
struct Permissions {
    allow_any: BitSet,
    allow_all_scopes: BitSet,
    all_scopes_non_admin: BitSet,
    perm_reason: Vec<Reason>,
    perm_sources: Vec<Vec<Source>>,
    perm_scopes: Vec<Vec<u32>>,
    scope_values: Names,
}

/// Step 3's result: the feature level tables.
struct Features {
    level: Vec<u8>,
    level_no_admin: Vec<u8>,
    sources: Vec<Vec<Source>>,
}

/// Step 4's result: the resource tables.
struct Resources {
    names: Names,
    feature: Vec<u32>,
    level: Vec<u8>,
    level_no_admin: Vec<u8>,
    restricted: Vec<bool>,
    assigned: Vec<bool>,
    sources: Vec<Vec<Source>>,
}

/// The resources' shape, before any level: ids, features, parents, and an order that puts
/// parents first.
struct ResourceTree {
    names: Names,
    feature: Vec<u32>,
    parent: Vec<Option<u32>>,
    parents_first: Vec<u32>,
}

/// The best level a resource gets from its assignments and the sources that give it.
type Best = (u8, Vec<Source>);

/// Feature levels while they are raised by roles, the user and teams.
struct FeatureRaise {
    level: Vec<u8>,
    level_no_admin: Vec<u8>,
    /// Every non-admin contribution, to keep those that give the final level.
    contributions: Vec<Vec<(u8, Source)>>,
}

impl FeatureRaise {
    fn new(features: usize) -> FeatureRaise {
        FeatureRaise {
            level: vec![0; features],
            level_no_admin: vec![0; features],
            contributions: vec![Vec::new(); features],
        }
    }

    fn raise(&mut self, f: u32, level: u8, source: Source, admin: bool) {
        let i = f as usize;
        if let Some(slot) = self.level.get_mut(i) {
            *slot = (*slot).max(level);
        }
        if !admin {
            if let Some(slot) = self.level_no_admin.get_mut(i) {
                *slot = (*slot).max(level);
            }
            if let Some(list) = self.contributions.get_mut(i) {
                list.push((level, source));
            }
        }
    }
}

impl<'a> UserBase<'a> {
    /// Products, then the roles the user holds and the channels they come through.
    fn new(cat: &'a Arc<CompiledCatalogue>, slip: &'a Slip) -> Result<UserBase<'a>, CompileError> {
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

        let role_ref = |id: &str| {
            cat.roles
                .get(id)
                .ok_or_else(|| CompileError::Unknown("role", id.to_owned()))
        };
        let mut held = Vec::new();
        if let Some(base) = cat.base_role {
            held.push((base, Channel::Base));
        }
        for r in &slip.user.roles {
            held.push((role_ref(r)?, Channel::Direct));
        }
        let mut team_ids = Names::default();
        for t in &slip.teams {
            team_ids
                .insert(&t.id)
                .ok_or_else(|| CompileError::Duplicate("team", t.id.clone()))?;
            for r in &t.roles {
                held.push((role_ref(r)?, Channel::Team(&t.id)));
            }
        }
        let is_admin = held
            .iter()
            .any(|(r, _)| cat.role_defs.get(*r as usize).is_some_and(|d| d.admin));
        Ok(UserBase {
            cat,
            slip,
            product_on,
            held,
            team_ids,
            is_admin,
        })
    }

    /// Whether `product` (of a permission or feature) is switched off for the user.
    fn product_off(&self, product: Option<u32>) -> bool {
        product.is_some_and(|p| !self.product_on.get(p as usize).copied().unwrap_or(false))
    }

    fn role_source(&self, role: u32, via: Channel<'_>) -> Source {
        Source::Role {
            role: self.cat.roles.name(role).to_owned(),
            via: via.to_string(),
        }
    }

    /// Step 2: grants, revocations, then implication.
    fn permissions(&self) -> Result<Permissions, CompileError> {
        let (reach, scope_values) = self.grants()?;
        let revoked = self.revocations()?;
        Ok(self.implication(reach, revoked, scope_values))
    }

    /// What the held roles and the user's own grants reach, before implication.
    fn grants(&self) -> Result<(Vec<Reach>, Names), CompileError> {
        let cat = self.cat;
        let mut scope_values = Names::default();
        let mut reach: Vec<Reach> = (0..cat.perms.len()).map(|_| Reach::default()).collect();
        for &(r, via) in &self.held {
            let Some(def) = cat.role_defs.get(r as usize) else {
                continue;
            };
            if def.admin {
                for (i, slot) in reach.iter_mut().enumerate() {
                    if !cat.perm_explicit.get(i) {
                        slot.unscoped = true;
                        slot.sources.push(self.role_source(r, via));
                    }
                }
            }
            for g in &def.grants {
                let source = self.role_source(r, via);
                apply_grant(g, cat, &mut scope_values, &mut reach, source, true);
            }
        }
        for g in &self.slip.user.grants {
            validate_grant(g, &cat.perms)?;
            apply_grant(g, cat, &mut scope_values, &mut reach, Source::User, true);
        }
        // Handles give a scope value 16 bits; role and user values together must fit them.
        at_most("scope values", scope_values.len(), 1 << 16)?;
        Ok((reach, scope_values))
    }

    fn revocations(&self) -> Result<BitSet, CompileError> {
        let mut revoked = BitSet::new(self.cat.perms.len());
        for r in &self.slip.user.revokes {
            let i = self
                .cat
                .perms
                .get(r)
                .ok_or_else(|| CompileError::Unknown("permission", r.clone()))?;
            revoked.set(i as usize);
        }
        Ok(revoked)
    }

    /// Implication, in catalogue order so each permission is final before it flows on.
    fn implication(
        &self,
        mut reach: Vec<Reach>,
        revoked: BitSet,
        scope_values: Names,
    ) -> Permissions {
        let cat = self.cat;
        let n = cat.perms.len();
        let mut allow_any = BitSet::new(n);
        let mut allow_all_scopes = BitSet::new(n);
        let mut all_scopes_non_admin = BitSet::new(n);
        let mut perm_reason = vec![Reason::NotGranted; n];
        for &p in &cat.order {
            let i = p as usize;
            let Some(r) = reach.get(i) else { continue };
            let reason = if self.product_off(cat.perm_product.get(i).copied().flatten()) {
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
        Permissions {
            allow_any,
            allow_all_scopes,
            all_scopes_non_admin,
            perm_reason,
            perm_sources,
            perm_scopes,
            scope_values,
        }
    }

    /// Step 3: feature levels from roles (Administrator: the top level), the user and teams;
    /// zero where the product is off.
    fn feature_levels(&self) -> Result<Features, CompileError> {
        let cat = self.cat;
        let top = self.top_level();
        let nf = cat.features.len();
        let mut acc = FeatureRaise::new(nf);
        for &(r, via) in &self.held {
            let Some(def) = cat.role_defs.get(r as usize) else {
                continue;
            };
            if def.admin {
                for f in 0..nf as u32 {
                    acc.raise(f, top, self.role_source(r, via), true);
                }
            }
            for &(f, l) in &def.levels {
                acc.raise(f, l, self.role_source(r, via), false);
            }
        }
        for (f, l) in cat.level_map(&self.slip.user.levels)? {
            acc.raise(f, l, Source::User, false);
        }
        for t in &self.slip.teams {
            for (f, l) in cat.level_map(&t.levels)? {
                acc.raise(f, l, Source::Team { team: t.id.clone() }, false);
            }
        }
        let FeatureRaise {
            mut level,
            mut level_no_admin,
            contributions,
        } = acc;
        for (i, p) in cat.feature_product.iter().enumerate() {
            if self.product_off(*p) {
                for slot in [level.get_mut(i), level_no_admin.get_mut(i)]
                    .into_iter()
                    .flatten()
                {
                    *slot = 0;
                }
            }
        }
        let sources = contributions
            .into_iter()
            .zip(&level_no_admin)
            .map(|(list, best)| {
                list.into_iter()
                    .filter(|(l, _)| *l == *best && *best > 0)
                    .map(|(_, s)| s)
                    .collect()
            })
            .collect();
        Ok(Features {
            level,
            level_no_admin,
            sources,
        })
    }

    /// The highest level of the catalogue's scale, what Administrator holds everywhere.
    fn top_level(&self) -> u8 {
        u8::try_from(self.cat.levels.len()).unwrap_or(0)
    }

    /// Resource ids, features and parents, ordered parents first (a parent cycle is refused).
    fn resource_tree(&self) -> Result<ResourceTree, CompileError> {
        let cat = self.cat;
        let mut names = Names::default();
        for r in &self.slip.resources {
            names
                .insert(&r.id)
                .ok_or_else(|| CompileError::Duplicate("resource", r.id.clone()))?;
        }
        let nr = names.len();
        let mut parent = Vec::with_capacity(nr);
        let mut feature = Vec::with_capacity(nr);
        for r in &self.slip.resources {
            feature.push(
                cat.features
                    .get(&r.feature)
                    .ok_or_else(|| CompileError::Unknown("feature", r.feature.clone()))?,
            );
            parent.push(match &r.parent {
                None => None,
                Some(p) => Some(
                    names
                        .get(p)
                        .ok_or_else(|| CompileError::Unknown("resource", p.clone()))?,
                ),
            });
        }
        let child_to_parent: Vec<Vec<u32>> =
            parent.iter().map(|p| p.iter().copied().collect()).collect();
        // Children come before parents in this order; reversed, parents come first.
        let mut parents_first = topological_order(&child_to_parent)
            .map_err(|i| CompileError::Cycle("resource parent", names.name(i).to_owned()))?;
        parents_first.reverse();
        Ok(ResourceTree {
            names,
            feature,
            parent,
            parents_first,
        })
    }

    fn is_managed(&self, user: &str) -> bool {
        self.slip.user.manages.iter().any(|m| m == user)
    }

    /// The best level `r`'s own assignments give through the user or their teams, and through
    /// the users they manage.
    fn assignments(&self, r: &SlipResource) -> Result<(Best, Best), CompileError> {
        let mut own: Best = (0, Vec::new());
        let mut own_managed: Best = (0, Vec::new());
        for g in &r.grants {
            let level = self.cat.level(&g.level)?;
            let source = Source::Assignment {
                resource: r.id.clone(),
                via: g.via.clone(),
            };
            let slot = match Assignee::parse(&g.via) {
                Some(Assignee::User) => &mut own,
                Some(Assignee::Team(t)) => {
                    self.team_ids
                        .get(t)
                        .ok_or_else(|| CompileError::Unknown("team", t.to_owned()))?;
                    &mut own
                }
                Some(Assignee::Managed(u)) => {
                    if !self.is_managed(u) {
                        return Err(CompileError::Unknown("managed user", u.to_owned()));
                    }
                    &mut own_managed
                }
                None => return Err(CompileError::Unknown("assignment channel", g.via.clone())),
            };
            merge_best(slot, level, vec![source]);
        }
        Ok((own, own_managed))
    }

    /// Whether feature `f`'s row rule lets its level reach resource `r`.
    fn rows_reach(&self, r: &SlipResource, f: usize) -> bool {
        match self.cat.feature_rows.get(f).copied().unwrap_or_default() {
            RowRule::All => true,
            RowRule::OwnAndManaged => r
                .owner
                .as_deref()
                .is_some_and(|o| o == self.slip.user.id || self.is_managed(o)),
            RowRule::Assigned => false,
        }
    }

    /// Step 4: resource levels, parents first: assignments, inheritance or the parent cap,
    /// restriction, the feature level through row rules, Administrator, product toggles.
    fn resources(&self, features: &Features) -> Result<Resources, CompileError> {
        let ResourceTree {
            names,
            feature,
            parent,
            parents_first,
        } = self.resource_tree()?;
        let nr = names.len();
        let top = self.top_level();
        // Best assignment level through the user or their teams, and through reports.
        let mut direct: Vec<Best> = vec![(0, Vec::new()); nr];
        let mut managed: Vec<Best> = vec![(0, Vec::new()); nr];
        let mut restricted = vec![false; nr];
        let mut assigned = vec![false; nr];
        let mut level = vec![0u8; nr];
        let mut level_no_admin = vec![0u8; nr];
        let mut sources: Vec<Vec<Source>> = vec![Vec::new(); nr];
        for &ri in &parents_first {
            let i = ri as usize;
            let Some(r) = self.slip.resources.get(i) else {
                continue;
            };
            let (mut own, mut own_managed) = self.assignments(r)?;
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
            let f = feature.get(i).copied().unwrap_or(0) as usize;
            let mut best = own.clone();
            if is_restricted {
                merge_best(&mut best, own_managed.0, own_managed.1.clone());
            } else if self.rows_reach(r, f) {
                let feature_level = features.level_no_admin.get(f).copied().unwrap_or(0);
                let source = Source::Feature {
                    feature: self.cat.features.name(f as u32).to_owned(),
                };
                merge_best(&mut best, feature_level, vec![source]);
            }
            let assignment_reaches = own.0 > 0 || (is_restricted && own_managed.0 > 0);
            let mut l = if self.is_admin { top } else { best.0 };
            let mut l_no_admin = best.0;
            if let (false, Some(p)) = (r.inherit, par) {
                l = l.min(level.get(p as usize).copied().unwrap_or(0));
                l_no_admin = l_no_admin.min(level_no_admin.get(p as usize).copied().unwrap_or(0));
            }
            if self.product_off(self.cat.feature_product.get(f).copied().flatten()) {
                l = 0;
                l_no_admin = 0;
            }
            if let Some(slot) = level.get_mut(i) {
                *slot = l;
            }
            if let Some(slot) = level_no_admin.get_mut(i) {
                *slot = l_no_admin;
            }
            if let Some(slot) = sources.get_mut(i) {
                *slot = if l_no_admin > 0 { best.1 } else { Vec::new() };
            }
            if let Some(slot) = restricted.get_mut(i) {
                *slot = is_restricted;
            }
            if let Some(slot) = assigned.get_mut(i) {
                *slot = assignment_reaches;
            }
            if let Some(slot) = direct.get_mut(i) {
                *slot = own;
            }
            if let Some(slot) = managed.get_mut(i) {
                *slot = own_managed;
            }
        }
        Ok(Resources {
            names,
            feature,
            level,
            level_no_admin,
            restricted,
            assigned,
            sources,
        })
    }

    /// The checker the steps built; the channels become their `via` strings here.
    fn into_checker(self, p: Permissions, f: Features, r: Resources) -> Checker {
        let teams = self
            .slip
            .teams
            .iter()
            .map(|t| {
                let name = if t.name.is_empty() { &t.id } else { &t.name };
                (t.id.clone(), name.clone())
            })
            .collect();
        let user = &self.slip.user;
        Checker {
            cat: Arc::clone(self.cat),
            subject: user.id.clone(),
            subject_name: user.name.clone(),
            is_admin: self.is_admin,
            product_on: self.product_on,
            allow_any: p.allow_any,
            allow_all_scopes: p.allow_all_scopes,
            all_scopes_non_admin: p.all_scopes_non_admin,
            perm_reason: p.perm_reason,
            perm_sources: p.perm_sources,
            perm_scopes: p.perm_scopes,
            scope_values: p.scope_values,
            held_roles: self
                .held
                .iter()
                .map(|(r, via)| (*r, via.to_string()))
                .collect(),
            teams,
            manages: user.manages.clone(),
            feature_level: f.level,
            feature_level_no_admin: f.level_no_admin,
            feature_sources: f.sources,
            resources: r.names,
            resource_feature: r.feature,
            resource_level: r.level,
            resource_level_no_admin: r.level_no_admin,
            resource_restricted: r.restricted,
            resource_assigned: r.assigned,
            resource_sources: r.sources,
        }
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
    use super::{heap_sort, Assignee, Channel};

    /// The `via` strings are part of the public contract: the enums must write them exactly.
    #[test]
    fn channels_write_the_contract_strings_and_assignees_read_them() {
        assert_eq!(Channel::Base.to_string(), "base");
        assert_eq!(Channel::Direct.to_string(), "direct");
        assert_eq!(Channel::Team("all-users").to_string(), "team:all-users");
        assert_eq!(Channel::Team("").to_string(), "team:");
        assert_eq!(Assignee::parse("user"), Some(Assignee::User));
        assert_eq!(Assignee::parse("team:t:1"), Some(Assignee::Team("t:1")));
        assert_eq!(
            Assignee::parse("managed:ann"),
            Some(Assignee::Managed("ann"))
        );
        for other in ["", "users", "direct", "base", "Team:x", "user:ann"] {
            assert_eq!(Assignee::parse(other), None, "{other}");
        }
    }

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

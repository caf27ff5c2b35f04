//! "Why (not)?": structured explanations. These allocate; checks do not.

use super::{wording, Checker, Explanation, Reason, Source};

impl Checker {
    /// Explains `can(permission, scope)`.
    pub fn explain_permission(&self, permission: &str, scope: Option<&str>) -> Explanation {
        let query = wording::permission_query(permission, scope);
        let Some(p) = self.cat.perms.get(permission) else {
            let message =
                wording::permission_message(Reason::UnknownPermission, permission, scope, None);
            return Explanation::bare(false, Reason::UnknownPermission, query, message);
        };
        let i = p as usize;
        let mut reason = self
            .perm_reason
            .get(i)
            .copied()
            .unwrap_or(Reason::NotGranted);
        let allowed = self.can(permission, scope);
        if reason.allows() && !allowed {
            reason = Reason::ScopeNotGranted;
        }
        if let (true, Reason::Granted, Some(value)) = (allowed, reason, scope) {
            // Scoped grants never come from the Administrator flag; unscoped ones may.
            let covered = self.all_scopes_non_admin.get(i)
                || match (self.scope_values.get(value), self.perm_scopes.get(i)) {
                    (Some(v), Some(values)) => values.binary_search(&v).is_ok(),
                    _ => false,
                };
            if !covered {
                reason = Reason::Admin;
            }
        }
        let mut e = Explanation::bare(allowed, reason, query, String::new());
        match reason {
            Reason::Granted | Reason::Admin | Reason::ScopeNotGranted => {
                e.via = self.perm_sources.get(i).cloned().unwrap_or_default();
            }
            Reason::ProductOff => {
                e.product = self
                    .cat
                    .perm_product
                    .get(i)
                    .copied()
                    .flatten()
                    .map(|x| self.cat.products.name(x).to_owned());
            }
            Reason::Revoked => {}
            Reason::ExplicitOnly => e.granted_by = self.roles_granting(permission, true),
            _ => {
                e.granted_by = self.roles_granting(permission, self.cat.perm_explicit.get(i));
            }
        }
        e.message = wording::permission_message(reason, permission, scope, e.product.as_deref());
        e
    }

    /// Explains `can_feature(feature, action)`.
    pub fn explain_feature(&self, feature: &str, action: &str) -> Explanation {
        let query = wording::feature_query(feature, action);
        let Some(f) = self.cat.features.get(feature) else {
            return self.unknown(Reason::UnknownFeature, query, feature, action);
        };
        let Some(min) = self.action_min_level(f, action) else {
            return self.unknown(Reason::UnknownAction, query, feature, action);
        };
        let fi = f as usize;
        let held = self.feature_level.get(fi).copied().unwrap_or(0);
        let held_no_admin = self.feature_level_no_admin.get(fi).copied().unwrap_or(0);
        let product = self.cat.feature_product.get(fi).copied().flatten();
        let off =
            product.is_some_and(|p| !self.product_on.get(p as usize).copied().unwrap_or(false));
        let via = self.feature_sources.get(fi).cloned().unwrap_or_default();
        self.level_explanation(
            query,
            feature,
            action,
            held,
            held_no_admin,
            min,
            product.filter(|_| off),
            false,
            via,
        )
    }

    /// Explains `can_resource(id, action)`.
    pub fn explain_resource(&self, id: &str, action: &str) -> Explanation {
        let query = wording::resource_query(id, action);
        let Some(r) = self.resources.get(id) else {
            return self.unknown(Reason::UnknownResource, query, id, action);
        };
        let ri = r as usize;
        let f = self.resource_feature.get(ri).copied().unwrap_or(0);
        let Some(min) = self.action_min_level(f, action) else {
            return self.unknown(Reason::UnknownAction, query, id, action);
        };
        let held = self.resource_level.get(ri).copied().unwrap_or(0);
        let held_no_admin = self.resource_level_no_admin.get(ri).copied().unwrap_or(0);
        let product = self.cat.feature_product.get(f as usize).copied().flatten();
        let off =
            product.is_some_and(|p| !self.product_on.get(p as usize).copied().unwrap_or(false));
        // `restricted` only when no assignment reaches the user at all.
        let restricted = self.resource_restricted.get(ri).copied().unwrap_or(false)
            && !self.resource_assigned.get(ri).copied().unwrap_or(false);
        let via = self.resource_sources.get(ri).cloned().unwrap_or_default();
        self.level_explanation(
            query,
            id,
            action,
            held,
            held_no_admin,
            min,
            product.filter(|_| off),
            restricted,
            via,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn level_explanation(
        &self,
        query: String,
        target: &str,
        action: &str,
        held: u8,
        held_no_admin: u8,
        min: u8,
        product_off: Option<u32>,
        restricted: bool,
        via: Vec<Source>,
    ) -> Explanation {
        let allowed = held >= min && min > 0;
        let reason = if product_off.is_some() {
            Reason::ProductOff
        } else if allowed && held_no_admin >= min {
            Reason::Granted
        } else if allowed {
            Reason::Admin
        } else if restricted && held == 0 {
            Reason::Restricted
        } else {
            Reason::LevelTooLow
        };
        let mut e = Explanation::bare(allowed, reason, query, String::new());
        e.level = self.level_name(held).map(str::to_owned);
        e.needed = self.level_name(min).map(str::to_owned);
        match reason {
            Reason::ProductOff => {
                e.product = product_off.map(|p| self.cat.products.name(p).to_owned());
            }
            Reason::Granted => e.via = via,
            Reason::Admin => e.via = self.admin_sources(),
            Reason::Restricted => {}
            _ => e.granted_by = self.roles_with_level(target, min),
        }
        e.message = wording::level_message(
            reason,
            target,
            action,
            e.needed.as_deref(),
            e.product.as_deref(),
        );
        e
    }

    /// An unknown feature, resource or action: nothing to look up.
    fn unknown(&self, reason: Reason, query: String, target: &str, action: &str) -> Explanation {
        let message = wording::level_message(reason, target, action, None, None);
        Explanation::bare(false, reason, query, message)
    }

    fn admin_sources(&self) -> Vec<Source> {
        self.held_roles
            .iter()
            .filter(|(r, _)| self.cat.role_defs.get(*r as usize).is_some_and(|d| d.admin))
            .map(|(r, via)| Source::Role {
                role: self.cat.roles.name(*r).to_owned(),
                via: via.clone(),
            })
            .collect()
    }

    /// Role ids that grant `permission` (by name, wildcard, or Administrator unless explicit-only).
    fn roles_granting(&self, permission: &str, explicit: bool) -> Vec<String> {
        let mut out = Vec::new();
        for (i, def) in self.cat.role_defs.iter().enumerate() {
            let grants = def.grants.iter().any(|g| {
                let p = g.permission();
                p == permission
                    || (!explicit
                        && p.strip_suffix('*')
                            .is_some_and(|prefix| permission.starts_with(prefix)))
            });
            if grants || (def.admin && !explicit) {
                out.push(self.cat.roles.name(i as u32).to_owned());
            }
        }
        out
    }

    /// Role ids that give at least `min` on a feature (or on a resource's feature), Administrator
    /// included.
    fn roles_with_level(&self, target: &str, min: u8) -> Vec<String> {
        let feature = self.cat.features.get(target).or_else(|| {
            self.resources
                .get(target)
                .and_then(|r| self.resource_feature.get(r as usize).copied())
        });
        let mut out = Vec::new();
        for (i, def) in self.cat.role_defs.iter().enumerate() {
            let gives = def.admin
                || feature.is_some_and(|f| def.levels.iter().any(|(lf, l)| *lf == f && *l >= min));
            if gives {
                out.push(self.cat.roles.name(i as u32).to_owned());
            }
        }
        out
    }
}

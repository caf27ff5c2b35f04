//! Introspection: the user's roles, teams and effective permissions with provenance — what the
//! seeds' profile page shows.

use serde::Serialize;

use super::{Checker, Source};

/// A role the user holds, and through which channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoleAssignment {
    /// Role id.
    pub role: String,
    /// Display name.
    pub name: String,
    /// `direct`, `base` or `team:ID`.
    pub via: String,
    /// Whether the role is an Administrator role.
    pub admin: bool,
}

/// A team the user is in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TeamRef {
    /// Team id.
    pub id: String,
    /// Display name.
    pub name: String,
}

/// A permission the user effectively holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EffectivePermission {
    /// Permission id.
    pub permission: String,
    /// The values it is limited to; `None` means every value.
    pub scopes: Option<Vec<String>>,
    /// Where it comes from.
    pub via: Vec<Source>,
}

/// A level the user holds on a feature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeatureLevel {
    /// Feature id.
    pub feature: String,
    /// Level name.
    pub level: String,
    /// Where the level comes from.
    pub via: Vec<Source>,
}

/// Everything the profile page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Profile {
    /// User id.
    pub subject: String,
    /// Display name.
    pub name: String,
    /// Roles with their channel.
    pub roles: Vec<RoleAssignment>,
    /// Teams.
    pub teams: Vec<TeamRef>,
    /// Users this user manages.
    pub manages: Vec<String>,
    /// Effective permissions.
    pub permissions: Vec<EffectivePermission>,
    /// Feature levels.
    pub levels: Vec<FeatureLevel>,
}

impl Checker {
    /// The user's profile: roles, teams, effective permissions and levels, with provenance.
    pub fn profile(&self) -> Profile {
        let roles = self
            .held_roles
            .iter()
            .filter_map(|(r, via)| {
                let def = self.cat.role_defs.get(*r as usize)?;
                Some(RoleAssignment {
                    role: self.cat.roles.name(*r).to_owned(),
                    name: def.name.clone(),
                    via: via.clone(),
                    admin: def.admin,
                })
            })
            .collect();
        let teams = self
            .teams
            .iter()
            .map(|(id, name)| TeamRef {
                id: id.clone(),
                name: name.clone(),
            })
            .collect();
        let permissions = (0..self.cat.perms.len())
            .filter(|i| self.allow_any.get(*i))
            .map(|i| {
                let scopes = (!self.allow_all_scopes.get(i)).then(|| {
                    self.perm_scopes
                        .get(i)
                        .map(|v| {
                            v.iter()
                                .map(|s| self.scope_values.name(*s).to_owned())
                                .collect()
                        })
                        .unwrap_or_default()
                });
                EffectivePermission {
                    permission: self.cat.perms.name(i as u32).to_owned(),
                    scopes,
                    via: self.perm_sources.get(i).cloned().unwrap_or_default(),
                }
            })
            .collect();
        let levels = self
            .feature_level
            .iter()
            .enumerate()
            .filter_map(|(i, l)| {
                Some(FeatureLevel {
                    feature: self.cat.features.name(i as u32).to_owned(),
                    level: self.level_name(*l)?.to_owned(),
                    via: self.feature_sources.get(i).cloned().unwrap_or_default(),
                })
            })
            .collect();
        Profile {
            subject: self.subject.clone(),
            name: self.subject_name.clone(),
            roles,
            teams,
            manages: self.manages.clone(),
            permissions,
            levels,
        }
    }
}

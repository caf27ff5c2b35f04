//! The model file and the directory file: what an organisation writes down.
//!
//! A **model** is the product's permission language instance: products, the permission
//! catalogue, roles, the level scale, features and their row rules. A **directory** holds the
//! organisation's people and things: users, teams and resources. Nothing here evaluates anything;
//! the issuer (`crate::issue`) slices one user's part out of both into a [`crate::slip::Slip`].
//!
//! Both files are JSON; their JSON Schemas are `schema/model.schema.json` and
//! `schema/directory.schema.json`.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

/// A product's permission model (see `schema/model.schema.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Model {
    /// Format version; only `1` exists.
    pub version: u32,
    /// Human name of the product, e.g. `Amplify`.
    pub name: String,
    /// Products that can be enabled per account and toggled per user. Default: none.
    #[serde(default)]
    pub products: Vec<ProductDef>,
    /// The permission catalogue. Default: empty.
    #[serde(default)]
    pub permissions: Vec<PermissionDef>,
    /// Roles: named sets of permission grants and feature levels. Default: none.
    #[serde(default)]
    pub roles: Vec<RoleDef>,
    /// The role every user has, whatever else is assigned (AmpliFlow's `User`). Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_role: Option<String>,
    /// The team every user is a member of (AmpliFlow's `All users`). Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub everyone_team: Option<String>,
    /// The level scale, lowest first; each level implies all lower ones. Default: none.
    #[serde(default)]
    pub levels: Vec<String>,
    /// Action name → minimum level needed for it, for every feature. Default: none.
    #[serde(default)]
    pub actions: BTreeMap<String, String>,
    /// Features (functions) that carry levels and own resources. Default: none.
    #[serde(default)]
    pub features: Vec<FeatureDef>,
    /// The navigation tree the product shows, for demos and tests. Default: empty.
    #[serde(default)]
    pub nav: Vec<NavItem>,
}

/// A product that can be switched on or off (Connect, iFax...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductDef {
    /// Identifier used by permissions and features.
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// Whether the account has the product at all. Default: `true`.
    #[serde(default = "yes")]
    pub enabled: bool,
}

/// One permission of the catalogue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PermissionDef {
    /// Identifier, e.g. `numbers.manage`. Wildcard grants match it by `.`-separated prefix.
    pub id: String,
    /// Display name. Default: empty.
    #[serde(default)]
    pub label: String,
    /// Catalogue group for display, e.g. `Numbers`. Default: empty.
    #[serde(default)]
    pub group: String,
    /// The product this permission belongs to; off for the user means denied. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    /// Permissions this one implies (`numbers.manage` implies `numbers.access`). Default: none.
    #[serde(default)]
    pub implies: Vec<String>,
    /// Explicit-only: granted only when a role or user names it exactly; never by
    /// administrator, wildcard or implication. Default: `false`.
    #[serde(default)]
    pub explicit: bool,
    /// The kind of value grants of it may be limited to (`fax_number`, `form_type`...).
    /// Default: none (unscoped permission).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

/// A role: built-in default or custom; organisations edit either the same way.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleDef {
    /// Identifier.
    pub id: String,
    /// Display name. Default: empty.
    #[serde(default)]
    pub name: String,
    /// Administrator: every permission (except explicit-only ones), the top level on every
    /// feature and resource, restricted ones included. Default: `false`.
    #[serde(default)]
    pub admin: bool,
    /// Permission grants. Default: none.
    #[serde(default)]
    pub grants: Vec<Grant>,
    /// Feature id → level this role gives on it (general roles such as Mapper). Default: none.
    #[serde(default)]
    pub levels: BTreeMap<String, String>,
}

/// A permission grant: a permission id or wildcard, optionally limited to scope values.
///
/// Written either as a string (`"fax.send"`, `"fax.*"`, `"*"`) or as an object
/// `{"permission": "fax.send_from", "scope": ["+15550100"]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Grant {
    /// Unscoped grant of a permission or wildcard.
    Plain(String),
    /// Grant limited to the listed scope values.
    Scoped {
        /// Permission id (wildcards are not allowed with a scope).
        permission: String,
        /// The values covered.
        scope: Vec<String>,
    },
}

impl Grant {
    /// The permission id or wildcard pattern granted.
    pub fn permission(&self) -> &str {
        match self {
            Grant::Plain(p) => p,
            Grant::Scoped { permission, .. } => permission,
        }
    }

    /// The scope values, or `None` for an unscoped grant.
    pub fn scope(&self) -> Option<&[String]> {
        match self {
            Grant::Plain(_) => None,
            Grant::Scoped { scope, .. } => Some(scope),
        }
    }
}

/// Which resources of a feature a feature-wide level reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowRule {
    /// Every resource (a Reader on Customers sees all customers).
    #[default]
    All,
    /// Resources owned by the user or by users they manage (Employee Calls).
    OwnAndManaged,
    /// None: only levels granted on the resource itself count (checklist steps).
    Assigned,
}

/// A feature (function) users hold a level on, and which owns resources.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeatureDef {
    /// Identifier.
    pub id: String,
    /// Display name. Default: empty.
    #[serde(default)]
    pub label: String,
    /// Product the feature belongs to; off means no level. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    /// How a feature-wide level reaches its resources. Default: `all`.
    #[serde(default)]
    pub rows: RowRule,
    /// Per-feature overrides of the model's action → minimum level map. Default: none.
    #[serde(default)]
    pub actions: BTreeMap<String, String>,
}

/// A navigation entry: a leaf that requires something, or a group of entries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NavItem {
    /// Identifier.
    pub id: String,
    /// Display text. Default: empty.
    #[serde(default)]
    pub label: String,
    /// What the item needs to show. Default: nothing (a group shows when a child shows).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requires: Option<Requirement>,
    /// Child entries. Default: none.
    #[serde(default)]
    pub children: Vec<NavItem>,
}

/// What a check asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Requirement {
    /// A permission, optionally for one scope value.
    Permission {
        /// Permission id.
        permission: String,
        /// The scope value checked. Default: any value.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        scope: Option<String>,
    },
    /// At least a level on a feature.
    Feature {
        /// Feature id.
        feature: String,
        /// Minimum level. Default: the lowest level of the scale.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        level: Option<String>,
    },
}

/// The organisation's users, teams and resources (see `schema/directory.schema.json`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Directory {
    /// Users. Default: none.
    #[serde(default)]
    pub users: Vec<User>,
    /// Teams (the everyone team may be listed to give it roles and levels). Default: none.
    #[serde(default)]
    pub teams: Vec<Team>,
    /// Resources (custom lists, checklists, calls...). Default: none.
    #[serde(default)]
    pub resources: Vec<Resource>,
}

/// A user and everything assigned to them directly.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    /// Identifier; becomes the snapshot's `sub`.
    pub id: String,
    /// Display name. Default: empty.
    #[serde(default)]
    pub name: String,
    /// Directly assigned roles. Default: none.
    #[serde(default)]
    pub roles: Vec<String>,
    /// Teams the user is a member of (the everyone team is implied). Default: none.
    #[serde(default)]
    pub teams: Vec<String>,
    /// The user's manager. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager: Option<String>,
    /// Per-user product toggles; a product not listed follows the account. Default: none.
    #[serde(default)]
    pub products: BTreeMap<String, bool>,
    /// Extra grants for this user only. Default: none.
    #[serde(default)]
    pub grants: Vec<Grant>,
    /// Permissions revoked for this user only, whatever grants them. Default: none.
    #[serde(default)]
    pub revokes: Vec<String>,
    /// Feature id → level assigned to the user directly. Default: none.
    #[serde(default)]
    pub levels: BTreeMap<String, String>,
}

/// A team: roles and feature levels that every member receives.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Team {
    /// Identifier.
    pub id: String,
    /// Display name. Default: empty.
    #[serde(default)]
    pub name: String,
    /// Roles every member gets. Default: none.
    #[serde(default)]
    pub roles: Vec<String>,
    /// Feature id → level every member gets. Default: none.
    #[serde(default)]
    pub levels: BTreeMap<String, String>,
}

/// A resource owned by a feature: a custom list, a checklist, a call, a step.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Resource {
    /// Identifier, unique in the directory.
    pub id: String,
    /// The feature it belongs to.
    pub feature: String,
    /// Display name. Default: empty.
    #[serde(default)]
    pub name: String,
    /// The user it belongs to (for the `own_and_managed` row rule). Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Access Restriction: only assigned users, their managers and administrators see it.
    /// Default: `false`.
    #[serde(default)]
    pub restricted: bool,
    /// The containing resource (a checklist's list, a step's checklist). Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// Take the parent's assignments and restriction (a checklist started from a list);
    /// without it a child is only capped by its parent's level. Default: `false`.
    #[serde(default)]
    pub inherit: bool,
    /// Levels assigned on this resource. Default: none.
    #[serde(default)]
    pub grants: Vec<ResourceGrant>,
}

/// A level on one resource for a user or a team.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceGrant {
    /// `user:ID` or `team:ID`.
    pub to: String,
    /// Level name.
    pub level: String,
}

fn yes() -> bool {
    true
}

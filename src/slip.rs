//! The per-user slip: what a signed snapshot carries (the `slip` claim).
//!
//! A slip is one user's slice of a model and directory: the catalogue and roles (so checks and
//! explanations need nothing else), the user's own assignments, the teams they belong to, and
//! only the resources and resource assignments that can reach them. It never holds another
//! user's roles or assignments: resource assignments arrive already narrowed to the user, their
//! teams, or — on restricted resources — the users they manage.
//!
//! The JSON Schema is `schema/slip.schema.json`. Unknown fields are rejected so a newer issuer
//! cannot be silently half-understood; new fields come with a new `v`.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use crate::model::{Grant, RowRule};

/// The slip format version this build reads and writes.
pub const SLIP_VERSION: u32 = 1;

/// One user's permission slice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Slip {
    /// Format version; must be [`SLIP_VERSION`].
    pub v: u32,
    /// The model's catalogue, inline. Exactly one of `catalogue` and `catalogue_hash` is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalogue: Option<Catalogue>,
    /// The catalogue travels as its own signed bundle: base64url SHA-256 of that bundle's JWS
    /// payload segment (the exact bytes signed), binding the two together.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalogue_hash: Option<String>,
    /// Product → whether it is on for this user (account enabled and not toggled off). A
    /// catalogue product missing here is off.
    #[serde(default)]
    pub products: BTreeMap<String, bool>,
    /// The subject and what is assigned to them directly.
    pub user: SlipUser,
    /// The teams the user belongs to (the everyone team included).
    #[serde(default)]
    pub teams: Vec<SlipTeam>,
    /// Resources that can reach the user, with assignments narrowed to them.
    #[serde(default)]
    pub resources: Vec<SlipResource>,
}

/// What every user of a model shares: the permission catalogue, roles, levels and features.
/// Small models travel inline in each slip; large ones as a separately signed bundle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    /// Name of the model.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub model: String,
    /// Product ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub products: Vec<String>,
    /// Level scale, lowest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub levels: Vec<String>,
    /// Action → minimum level, model-wide.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub actions: BTreeMap<String, String>,
    /// The permission catalogue.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub permissions: Vec<SlipPermission>,
    /// Roles (all of the model's, so a denial can name the roles that would grant).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<SlipRole>,
    /// The role everyone has, if the model has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_role: Option<String>,
    /// Features.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<SlipFeature>,
}

/// A catalogue entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlipPermission {
    /// Identifier.
    pub id: String,
    /// Owning product. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    /// Implied permissions. Default: none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub implies: Vec<String>,
    /// Explicit-only. Default: `false`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub explicit: bool,
}

/// A role definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlipRole {
    /// Identifier.
    pub id: String,
    /// Display name. Default: the id.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Administrator. Default: `false`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub admin: bool,
    /// Permission grants. Default: none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<Grant>,
    /// Feature → level. Default: none.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub levels: BTreeMap<String, String>,
}

/// A feature definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlipFeature {
    /// Identifier.
    pub id: String,
    /// Owning product. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    /// Row rule. Default: `all`.
    #[serde(default, skip_serializing_if = "is_default_rows")]
    pub rows: RowRule,
    /// Action overrides. Default: none.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub actions: BTreeMap<String, String>,
}

/// The subject.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlipUser {
    /// User id; equals the token's `sub`.
    pub id: String,
    /// Display name. Default: empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Directly assigned roles. Default: none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    /// Users this user manages, directly or further down. Default: none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub manages: Vec<String>,
    /// Extra grants. Default: none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<Grant>,
    /// Revoked permissions. Default: none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub revokes: Vec<String>,
    /// Feature → level assigned directly. Default: none.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub levels: BTreeMap<String, String>,
}

/// One of the user's teams.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlipTeam {
    /// Identifier.
    pub id: String,
    /// Display name. Default: the id.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Roles every member gets. Default: none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    /// Feature → level every member gets. Default: none.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub levels: BTreeMap<String, String>,
}

/// A resource that can reach the user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlipResource {
    /// Identifier.
    pub id: String,
    /// Owning feature.
    pub feature: String,
    /// Owner: the user or one they manage. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Access Restriction. Default: `false`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub restricted: bool,
    /// Containing resource. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// Inherit the parent's assignments and restriction. Default: `false`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub inherit: bool,
    /// Assignments that reach the user. Default: none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<SlipResourceGrant>,
}

/// An assignment on a resource, already narrowed to the user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlipResourceGrant {
    /// Level name.
    pub level: String,
    /// `user` (the subject), `team:ID` (one of the subject's teams) or `managed:ID` (a user the
    /// subject manages; honoured on restricted resources only).
    pub via: String,
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_default_rows(r: &RowRule) -> bool {
    *r == RowRule::All
}

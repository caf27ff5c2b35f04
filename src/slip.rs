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

use crate::json::read::Kind::{Any, Bool, BoolMap, Str, StrMap, Strings, Uint32};
use crate::json::read::Presence::{Optional, Required};
use crate::json::read::{invalid_type, string, Field, Fields};
use crate::json::{Error, Printable, Value};
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

// ---------------------------------------------------------------------------------------------
// Reading, for the verifying path (native and wasm alike): the strict reader of `crate::json`
// rather than serde, which stays for the issuer. Each reader mirrors the serde attributes
// above: same names, same defaults, unknown fields refused. Unlike serde, `null` is never
// accepted for an optional field (the schema allows none) and objects are never read from
// arrays.

impl Slip {
    /// Reads a slip from parsed JSON.
    pub(crate) fn from_json(value: Value<'_>) -> Result<Slip, Error> {
        const SCHEMA: &[Field] = &[
            Field("v", Uint32("a format version number"), Required),
            Field("catalogue", Any, Optional),
            Field("catalogue_hash", Str, Optional),
            Field("products", BoolMap, Optional),
            Field("user", Any, Required),
            Field("teams", Any, Optional),
            Field("resources", Any, Optional),
        ];
        let mut f = Fields::of(value, SCHEMA, false)?;
        Ok(Slip {
            v: f.uint32("v"),
            catalogue: f.with("catalogue", Catalogue::from_json)?,
            catalogue_hash: f.opt_string("catalogue_hash"),
            products: f.bool_map("products"),
            user: f.required("user", SlipUser::from_json)?,
            teams: f.list("teams", SlipTeam::from_json)?,
            resources: f.list("resources", SlipResource::from_json)?,
        })
    }
}

impl Catalogue {
    /// Reads a catalogue from parsed JSON.
    pub(crate) fn from_json(value: Value<'_>) -> Result<Catalogue, Error> {
        const SCHEMA: &[Field] = &[
            Field("model", Str, Optional),
            Field("products", Strings, Optional),
            Field("levels", Strings, Optional),
            Field("actions", StrMap, Optional),
            Field("permissions", Any, Optional),
            Field("roles", Any, Optional),
            Field("base_role", Str, Optional),
            Field("features", Any, Optional),
        ];
        let mut f = Fields::of(value, SCHEMA, false)?;
        Ok(Catalogue {
            model: f.string("model"),
            products: f.strings("products"),
            levels: f.strings("levels"),
            actions: f.string_map("actions"),
            permissions: f.list("permissions", SlipPermission::from_json)?,
            roles: f.list("roles", SlipRole::from_json)?,
            base_role: f.opt_string("base_role"),
            features: f.list("features", SlipFeature::from_json)?,
        })
    }
}

impl SlipPermission {
    fn from_json(value: Value<'_>) -> Result<SlipPermission, Error> {
        const SCHEMA: &[Field] = &[
            Field("id", Str, Required),
            Field("product", Str, Optional),
            Field("implies", Strings, Optional),
            Field("explicit", Bool, Optional),
        ];
        let mut f = Fields::of(value, SCHEMA, false)?;
        Ok(SlipPermission {
            id: f.string("id"),
            product: f.opt_string("product"),
            implies: f.strings("implies"),
            explicit: f.flag("explicit"),
        })
    }
}

impl SlipRole {
    fn from_json(value: Value<'_>) -> Result<SlipRole, Error> {
        const SCHEMA: &[Field] = &[
            Field("id", Str, Required),
            Field("name", Str, Optional),
            Field("admin", Bool, Optional),
            Field("grants", Any, Optional),
            Field("levels", StrMap, Optional),
        ];
        let mut f = Fields::of(value, SCHEMA, false)?;
        Ok(SlipRole {
            id: f.string("id"),
            name: f.string("name"),
            admin: f.flag("admin"),
            grants: f.list("grants", grant_from_json)?,
            levels: f.string_map("levels"),
        })
    }
}

impl SlipFeature {
    fn from_json(value: Value<'_>) -> Result<SlipFeature, Error> {
        const SCHEMA: &[Field] = &[
            Field("id", Str, Required),
            Field("product", Str, Optional),
            Field("rows", Any, Optional),
            Field("actions", StrMap, Optional),
        ];
        let mut f = Fields::of(value, SCHEMA, false)?;
        Ok(SlipFeature {
            id: f.string("id"),
            product: f.opt_string("product"),
            rows: f.with("rows", row_rule_from_json)?.unwrap_or_default(),
            actions: f.string_map("actions"),
        })
    }
}

impl SlipUser {
    fn from_json(value: Value<'_>) -> Result<SlipUser, Error> {
        const SCHEMA: &[Field] = &[
            Field("id", Str, Required),
            Field("name", Str, Optional),
            Field("roles", Strings, Optional),
            Field("manages", Strings, Optional),
            Field("grants", Any, Optional),
            Field("revokes", Strings, Optional),
            Field("levels", StrMap, Optional),
        ];
        let mut f = Fields::of(value, SCHEMA, false)?;
        Ok(SlipUser {
            id: f.string("id"),
            name: f.string("name"),
            roles: f.strings("roles"),
            manages: f.strings("manages"),
            grants: f.list("grants", grant_from_json)?,
            revokes: f.strings("revokes"),
            levels: f.string_map("levels"),
        })
    }
}

impl SlipTeam {
    fn from_json(value: Value<'_>) -> Result<SlipTeam, Error> {
        const SCHEMA: &[Field] = &[
            Field("id", Str, Required),
            Field("name", Str, Optional),
            Field("roles", Strings, Optional),
            Field("levels", StrMap, Optional),
        ];
        let mut f = Fields::of(value, SCHEMA, false)?;
        Ok(SlipTeam {
            id: f.string("id"),
            name: f.string("name"),
            roles: f.strings("roles"),
            levels: f.string_map("levels"),
        })
    }
}

impl SlipResource {
    fn from_json(value: Value<'_>) -> Result<SlipResource, Error> {
        const SCHEMA: &[Field] = &[
            Field("id", Str, Required),
            Field("feature", Str, Required),
            Field("owner", Str, Optional),
            Field("restricted", Bool, Optional),
            Field("parent", Str, Optional),
            Field("inherit", Bool, Optional),
            Field("grants", Any, Optional),
        ];
        let mut f = Fields::of(value, SCHEMA, false)?;
        Ok(SlipResource {
            id: f.string("id"),
            feature: f.string("feature"),
            owner: f.opt_string("owner"),
            restricted: f.flag("restricted"),
            parent: f.opt_string("parent"),
            inherit: f.flag("inherit"),
            grants: f.list("grants", SlipResourceGrant::from_json)?,
        })
    }
}

impl SlipResourceGrant {
    fn from_json(value: Value<'_>) -> Result<SlipResourceGrant, Error> {
        const SCHEMA: &[Field] = &[Field("level", Str, Required), Field("via", Str, Required)];
        let mut f = Fields::of(value, SCHEMA, false)?;
        Ok(SlipResourceGrant {
            level: f.string("level"),
            via: f.string("via"),
        })
    }
}

/// A [`Grant`]: a string, or an object with exactly `permission` and `scope`. (Here rather
/// than in `model.rs`, which holds the issuer's serde types.)
fn grant_from_json(value: Value<'_>) -> Result<Grant, Error> {
    match value {
        Value::Str(permission) => Ok(Grant::Plain(permission.into_owned())),
        Value::Object(_) => {
            const SCHEMA: &[Field] = &[
                Field("permission", Str, Required),
                Field("scope", Strings, Required),
            ];
            let mut f = Fields::of(value, SCHEMA, false)?;
            Ok(Grant::Scoped {
                permission: f.string("permission"),
                scope: f.strings("scope"),
            })
        }
        other => Err(invalid_type(
            &other,
            "a permission or an object with `permission` and `scope`",
        )),
    }
}

/// A [`RowRule`] by its snake_case name.
fn row_rule_from_json(value: Value<'_>) -> Result<RowRule, Error> {
    match string(value)?.as_str() {
        "all" => Ok(RowRule::All),
        "own_and_managed" => Ok(RowRule::OwnAndManaged),
        "assigned" => Ok(RowRule::Assigned),
        other => Err(Error::new(format!(
            "unknown variant `{}`, expected one of `all`, `own_and_managed`, `assigned`",
            Printable(other)
        ))),
    }
}

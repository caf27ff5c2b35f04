//! The core's answer types as UniFFI records and enums. Each mirrors the core definition
//! field for field (`uniffi::remote`: a mismatch does not compile), so nothing is converted by
//! hand and nothing can drift.

use permslip::engine::{
    EffectivePermission, Explanation, FeatureLevel, Profile, Reason, RoleAssignment, Source,
    TeamRef,
};
use permslip::model::{NavItem, Requirement};
use permslip::verified::{Format, Query};

/// What `explain` asks about.
pub type ExplainQuery = Query;

#[uniffi::remote(Enum)]
pub enum ExplainQuery {
    Permission {
        permission: String,
        scope: Option<String>,
    },
    Feature {
        feature: String,
        action: String,
    },
    Resource {
        id: String,
        action: String,
    },
}

#[uniffi::remote(Enum)]
pub enum Format {
    Full,
    Lite,
}

#[uniffi::remote(Enum)]
pub enum Reason {
    Granted,
    Admin,
    UnknownPermission,
    ProductOff,
    Revoked,
    ExplicitOnly,
    ScopeNotGranted,
    NotGranted,
    LevelTooLow,
    Restricted,
    UnknownFeature,
    UnknownResource,
    UnknownAction,
    Expired,
    Invalid,
}

#[uniffi::remote(Enum)]
pub enum Source {
    Role { role: String, via: String },
    User,
    Team { team: String },
    Implied { by: String },
    Assignment { resource: String, via: String },
    Feature { feature: String },
}

#[uniffi::remote(Record)]
pub struct Explanation {
    pub allowed: bool,
    pub reason: Reason,
    pub query: String,
    pub via: Vec<Source>,
    pub level: Option<String>,
    pub needed: Option<String>,
    pub product: Option<String>,
    pub granted_by: Vec<String>,
    pub message: String,
}

#[uniffi::remote(Record)]
pub struct RoleAssignment {
    pub role: String,
    pub name: String,
    pub via: String,
    pub admin: bool,
}

#[uniffi::remote(Record)]
pub struct TeamRef {
    pub id: String,
    pub name: String,
}

#[uniffi::remote(Record)]
pub struct EffectivePermission {
    pub permission: String,
    pub scopes: Option<Vec<String>>,
    pub via: Vec<Source>,
}

#[uniffi::remote(Record)]
pub struct FeatureLevel {
    pub feature: String,
    pub level: String,
    pub via: Vec<Source>,
}

#[uniffi::remote(Record)]
pub struct Profile {
    pub subject: String,
    pub name: String,
    pub roles: Vec<RoleAssignment>,
    pub teams: Vec<TeamRef>,
    pub manages: Vec<String>,
    pub permissions: Vec<EffectivePermission>,
    pub levels: Vec<FeatureLevel>,
}

#[uniffi::remote(Enum)]
pub enum Requirement {
    Permission {
        permission: String,
        scope: Option<String>,
    },
    Feature {
        feature: String,
        level: Option<String>,
    },
}

#[uniffi::remote(Record)]
pub struct NavItem {
    pub id: String,
    #[uniffi(default = "")]
    pub label: String,
    #[uniffi(default = None)]
    pub requires: Option<Requirement>,
    #[uniffi(default = [])]
    pub children: Vec<NavItem>,
}

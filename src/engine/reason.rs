//! Decisions and their reasons, as values (a deny is not an error).

use serde::Serialize;

/// Why a check was allowed or denied. Serialised in snake_case; the codes are stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum Reason {
    /// Allowed by at least one grant that is not only Administrator.
    Granted = 0,
    /// Allowed only because the user is an Administrator.
    Admin = 1,
    /// The name is not in the catalogue.
    UnknownPermission = 2,
    /// The product is off for the account or the user.
    ProductOff = 3,
    /// A per-user revocation removes it.
    Revoked = 4,
    /// Explicit-only and nothing names it exactly.
    ExplicitOnly = 5,
    /// Granted, but not for the value checked.
    ScopeNotGranted = 6,
    /// Nothing grants it.
    NotGranted = 7,
    /// The level held is below the level the action needs.
    LevelTooLow = 8,
    /// A restricted resource the user is not assigned to.
    Restricted = 9,
    /// The feature is not in the model.
    UnknownFeature = 10,
    /// The resource is not in the slip (not visible to this user).
    UnknownResource = 11,
    /// The action is not in the model's action map.
    UnknownAction = 12,
    /// The snapshot has expired: every check denies. Never in a slip or a lite token: a
    /// checker that outlives its snapshot answers with it (`crate::verified`).
    Expired = 13,
    /// No valid snapshot: a deny-all checker's answer. Never in a slip or a lite token.
    Invalid = 14,
}

impl Reason {
    /// The stable snake_case code (`permslip_lite::facts::REASON_CODES`, by number).
    pub fn code(self) -> &'static str {
        permslip_lite::facts::REASON_CODES
            .get(self as usize)
            .copied()
            .unwrap_or_default()
    }

    /// Every reason, in number order (`ALL[r as usize] == r`).
    pub const ALL: [Reason; 15] = [
        Reason::Granted,
        Reason::Admin,
        Reason::UnknownPermission,
        Reason::ProductOff,
        Reason::Revoked,
        Reason::ExplicitOnly,
        Reason::ScopeNotGranted,
        Reason::NotGranted,
        Reason::LevelTooLow,
        Reason::Restricted,
        Reason::UnknownFeature,
        Reason::UnknownResource,
        Reason::UnknownAction,
        Reason::Expired,
        Reason::Invalid,
    ];

    /// The reason with this number (`Reason as u8`), as lite tokens carry it.
    pub fn from_number(n: u8) -> Option<Reason> {
        Reason::ALL.get(usize::from(n)).copied()
    }

    /// Whether this reason allows.
    pub fn allows(self) -> bool {
        matches!(self, Reason::Granted | Reason::Admin)
    }
}

/// Where a grant or level came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Source {
    /// A role, reached through `via` (`direct`, `base` or `team:ID`).
    Role {
        /// Role id.
        role: String,
        /// Channel.
        via: String,
    },
    /// A per-user grant or level.
    User,
    /// A team's own level.
    Team {
        /// Team id.
        team: String,
    },
    /// Implied by another granted permission.
    Implied {
        /// The implying permission.
        by: String,
    },
    /// An assignment on the resource (or an inherited one from `resource`).
    Assignment {
        /// The resource carrying the assignment.
        resource: String,
        /// `user`, `team:ID` or `managed:ID`.
        via: String,
    },
    /// The feature-wide level, reaching the resource through the feature's row rule.
    Feature {
        /// Feature id.
        feature: String,
    },
}

impl Explanation {
    /// An explanation with no provenance, levels or product: what a denial for an unknown name,
    /// or a checker that cannot answer at all, says.
    pub fn bare(allowed: bool, reason: Reason, query: String, message: String) -> Explanation {
        Explanation {
            allowed,
            reason,
            query,
            via: Vec::new(),
            level: None,
            needed: None,
            product: None,
            granted_by: Vec::new(),
            message,
        }
    }
}

/// A structured answer to "why (not)?".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explanation {
    /// The decision.
    pub allowed: bool,
    /// Its reason code.
    pub reason: Reason,
    /// What was asked, e.g. `permission fax.send` or `edit on feature competencies`.
    pub query: String,
    /// Where the grant or level came from (empty when denied by a missing grant).
    pub via: Vec<Source>,
    /// The level held, for level checks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// The level needed, for level checks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub needed: Option<String>,
    /// The product that is off, for `product_off`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    /// Roles that would grant what is missing (for `not_granted`, `level_too_low`, `explicit_only`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub granted_by: Vec<String>,
    /// One human sentence, e.g. `reader needed on competencies`.
    pub message: String,
}

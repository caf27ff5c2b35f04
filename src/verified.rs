//! One verified snapshot of either format, and the rule every binding follows once it has one:
//! after expiry every check denies with reason `expired`.
//!
//! [`Verified::load`] tells a lite token (`docs/LITE.md`) from a full one by its header and
//! verifies it the way its format is verified ([`Snapshot::verify_with`],
//! [`LiteSnapshot::verify`]). The answers then come through [`Verified::at`], which takes the
//! time: a binding that holds a clock (the mobile crate, later the JS wrapper) passes its
//! reading and never words or decides anything itself.

use std::sync::atomic::{AtomicBool, Ordering};

use crate::engine::menu::{self, MenuError};
use crate::engine::{wording, Explanation, Profile, Reason, HANDLE_DENY};
use crate::lite::{is_lite_token, LiteSnapshot};
use crate::model::{NavItem, Requirement};
use crate::snapshot::{LoadError, Snapshot};
use crate::token::{Jwks, VerifiedCatalogue, VerifyOptions};

/// Which token format a snapshot came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A JWS whose slip the client compiles (`Snapshot`).
    Full,
    /// An issuer-compiled lite token (`LiteSnapshot`): no provenance, no profile.
    Lite,
}

#[derive(Debug)]
enum Inner {
    // Boxed: a compiled snapshot is large beside a lite one's two pointers.
    Full(Box<Snapshot>),
    Lite(LiteSnapshot),
}

/// What an explanation asks about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Query {
    /// `can(permission, scope)`.
    Permission {
        /// Permission id.
        permission: String,
        /// The value checked; `None`: any value.
        scope: Option<String>,
    },
    /// `can_feature(feature, action)`.
    Feature {
        /// Feature id.
        feature: String,
        /// Action name.
        action: String,
    },
    /// `can_resource(id, action)`.
    Resource {
        /// Resource id.
        id: String,
        /// Action name.
        action: String,
    },
}

/// A verified snapshot of either format, with the leeway its expiry is judged by.
///
/// Safe to share across threads: answers read immutable tables; the only state is the latch
/// that keeps an expired snapshot expired when a clock steps back.
#[derive(Debug)]
pub struct Verified {
    inner: Inner,
    leeway: u64,
    expired: AtomicBool,
}

impl Verified {
    /// Verifies `token` of either format against `keys` and `opts` (`opts.now` is the load
    /// time). `catalogue` is for full slips that name a separately signed bundle; lite tokens
    /// carry everything and ignore it.
    pub fn load(
        token: &str,
        catalogue: Option<&VerifiedCatalogue>,
        keys: &Jwks,
        opts: &VerifyOptions,
    ) -> Result<Verified, LoadError> {
        let inner = if is_lite_token(token) {
            Inner::Lite(LiteSnapshot::verify(token, keys, opts)?)
        } else {
            Inner::Full(Box::new(Snapshot::verify_with(
                token, catalogue, keys, opts,
            )?))
        };
        Ok(Verified {
            inner,
            leeway: opts.leeway,
            expired: AtomicBool::new(false),
        })
    }

    /// The token's format.
    pub fn format(&self) -> Format {
        match self.inner {
            Inner::Full(_) => Format::Full,
            Inner::Lite(_) => Format::Lite,
        }
    }

    /// The user (`sub`).
    pub fn subject(&self) -> &str {
        match &self.inner {
            Inner::Full(s) => s.subject(),
            Inner::Lite(l) => l.slip().subject(),
        }
    }

    /// The issuer (`iss`).
    pub fn issuer(&self) -> &str {
        match &self.inner {
            Inner::Full(s) => s.issuer(),
            Inner::Lite(l) => l.slip().issuer(),
        }
    }

    /// The issue counter (`serial`).
    pub fn serial(&self) -> u64 {
        match &self.inner {
            Inner::Full(s) => s.serial(),
            Inner::Lite(l) => l.slip().serial,
        }
    }

    /// When the snapshot expires (`exp`, Unix seconds, without the leeway).
    pub fn expires_at(&self) -> u64 {
        match &self.inner {
            Inner::Full(s) => s.expires_at(),
            Inner::Lite(l) => l.slip().exp,
        }
    }

    /// The id of the key that signed it.
    pub fn kid(&self) -> &str {
        match &self.inner {
            Inner::Full(s) => s.kid(),
            Inner::Lite(l) => l.kid(),
        }
    }

    /// The level scale, lowest first.
    pub fn level_names(&self) -> Vec<String> {
        match &self.inner {
            Inner::Full(s) => s.checker().level_names().map(str::to_owned).collect(),
            Inner::Lite(l) => {
                let slip = l.slip();
                (1..)
                    .map_while(|n| slip.level_name(n))
                    .map(str::to_owned)
                    .collect()
            }
        }
    }

    /// Whether the snapshot has expired at `now` (Unix seconds): `now >= exp + leeway`, or it
    /// was found expired before (a clock that steps back does not revive it).
    pub fn is_expired(&self, now: u64) -> bool {
        if self.expired.load(Ordering::Relaxed) {
            return true;
        }
        let expired = crate::token::is_expired(self.expires_at(), now, self.leeway);
        if expired {
            self.expired.store(true, Ordering::Relaxed);
        }
        expired
    }

    /// Resolves a permission (and scope value) to a handle for [`Answers::check`].
    pub fn permission_handle(&self, permission: &str, scope: Option<&str>) -> u32 {
        match &self.inner {
            Inner::Full(s) => s.checker().permission_handle(permission, scope),
            Inner::Lite(l) => l
                .slip()
                .permission_handle(permission.as_bytes(), scope.map(str::as_bytes)),
        }
    }

    /// Resolves "at least `level` (`None`: the lowest) on a feature" to a handle.
    pub fn feature_handle(&self, feature: &str, level: Option<&str>) -> u32 {
        match &self.inner {
            Inner::Full(s) => s.checker().feature_handle(feature, level),
            Inner::Lite(l) => l
                .slip()
                .feature_handle(feature.as_bytes(), level.map(str::as_bytes)),
        }
    }

    /// Resolves "at least `level` (`None`: the lowest) on a resource" to a handle.
    pub fn resource_handle(&self, id: &str, level: Option<&str>) -> u32 {
        match &self.inner {
            Inner::Full(s) => s.checker().resource_handle(id, level),
            Inner::Lite(l) => l
                .slip()
                .resource_handle(id.as_bytes(), level.map(str::as_bytes)),
        }
    }

    /// Resolves a navigation requirement to a handle.
    pub fn requirement_handle(&self, requirement: &Requirement) -> u32 {
        match requirement {
            Requirement::Permission { permission, scope } => {
                self.permission_handle(permission, scope.as_deref())
            }
            Requirement::Feature { feature, level } => {
                self.feature_handle(feature, level.as_deref())
            }
        }
    }

    /// The answers at `now` (Unix seconds): live ones, or, once expired, denials with reason
    /// `expired`.
    pub fn at(&self, now: u64) -> Answers<'_> {
        Answers {
            verified: self,
            live: !self.is_expired(now),
        }
    }

    fn check_live(&self, handle: u32) -> bool {
        match &self.inner {
            Inner::Full(s) => s.checker().check(handle),
            Inner::Lite(l) => l.slip().check(handle),
        }
    }
}

/// A snapshot's answers at one instant. Every method denies once the snapshot has expired.
#[derive(Debug, Clone, Copy)]
pub struct Answers<'a> {
    verified: &'a Verified,
    live: bool,
}

impl Answers<'_> {
    /// Whether the snapshot still answers (it has not expired).
    pub fn live(&self) -> bool {
        self.live
    }

    /// May the user do `permission`, for `scope` if given (some value otherwise)?
    pub fn can(&self, permission: &str, scope: Option<&str>) -> bool {
        self.live
            && match &self.verified.inner {
                Inner::Full(s) => s.checker().can(permission, scope),
                Inner::Lite(l) => l
                    .slip()
                    .can(permission.as_bytes(), scope.map(str::as_bytes)),
            }
    }

    /// Answers a handle; a foreign or corrupt one denies.
    pub fn check(&self, handle: u32) -> bool {
        self.live && handle != HANDLE_DENY && self.verified.check_live(handle)
    }

    /// Answers every handle: `true` allows.
    pub fn check_many(&self, handles: &[u32]) -> Vec<bool> {
        handles.iter().map(|h| self.check(*h)).collect()
    }

    /// The name of the level held on a feature (`None`: none, unknown, or expired).
    pub fn feature_level_name(&self, feature: &str) -> Option<String> {
        self.level_of(feature, false)
    }

    /// The name of the level held on a resource (`None`: none, not visible, or expired).
    pub fn resource_level_name(&self, id: &str) -> Option<String> {
        self.level_of(id, true)
    }

    fn level_of(&self, name: &str, resource: bool) -> Option<String> {
        if !self.live {
            return None;
        }
        match &self.verified.inner {
            Inner::Full(s) => {
                let c = s.checker();
                let n = if resource {
                    c.resource_level(name)
                } else {
                    c.feature_level(name)
                };
                c.level_name(n).map(str::to_owned)
            }
            Inner::Lite(l) => {
                let slip = l.slip();
                let n = if resource {
                    slip.resource_level(name.as_bytes())
                } else {
                    slip.feature_level(name.as_bytes())
                };
                slip.level_name(u32::from(n)).map(str::to_owned)
            }
        }
    }

    /// Whether the user sees a feature (holds at least its lowest level).
    pub fn visible(&self, feature: &str) -> bool {
        self.feature_level_name(feature).is_some()
    }

    /// May the user do `action` on a feature?
    pub fn can_feature(&self, feature: &str, action: &str) -> bool {
        self.live
            && match &self.verified.inner {
                Inner::Full(s) => s.checker().can_feature(feature, action),
                Inner::Lite(l) => l.slip().can_feature(feature.as_bytes(), action.as_bytes()),
            }
    }

    /// May the user do `action` on a resource?
    pub fn can_resource(&self, id: &str, action: &str) -> bool {
        self.live
            && match &self.verified.inner {
                Inner::Full(s) => s.checker().can_resource(id, action),
                Inner::Lite(l) => l.slip().can_resource(id.as_bytes(), action.as_bytes()),
            }
    }

    /// The feature's resources the user may do `action` on, in snapshot order.
    pub fn list(&self, feature: &str, action: &str) -> Vec<String> {
        if !self.live {
            return Vec::new();
        }
        match &self.verified.inner {
            Inner::Full(s) => s
                .checker()
                .list(feature, action)
                .into_iter()
                .map(str::to_owned)
                .collect(),
            Inner::Lite(l) => l
                .slip()
                .list(feature.as_bytes(), action.as_bytes())
                .map(str::to_owned)
                .collect(),
        }
    }

    /// Why (not)? Lite snapshots carry no provenance (`via`, `granted_by` stay empty).
    pub fn explain(&self, query: &Query) -> Explanation {
        if !self.live {
            return Explanation::bare(
                false,
                Reason::Expired,
                query_words(query),
                wording::expired_message(self.verified.expires_at()),
            );
        }
        match (&self.verified.inner, query) {
            (Inner::Full(s), Query::Permission { permission, scope }) => {
                s.checker().explain_permission(permission, scope.as_deref())
            }
            (Inner::Full(s), Query::Feature { feature, action }) => {
                s.checker().explain_feature(feature, action)
            }
            (Inner::Full(s), Query::Resource { id, action }) => {
                s.checker().explain_resource(id, action)
            }
            (Inner::Lite(l), Query::Permission { permission, scope }) => {
                l.explain_permission(permission, scope.as_deref())
            }
            (Inner::Lite(l), Query::Feature { feature, action }) => {
                l.explain_feature(feature, action)
            }
            (Inner::Lite(l), Query::Resource { id, action }) => l.explain_resource(id, action),
        }
    }

    /// Roles, teams, effective permissions and levels with provenance; `None` for a lite
    /// snapshot, which carries no provenance. Once expired, `permissions` and `levels` are
    /// empty (the roles and teams still say who the user was).
    pub fn profile(&self) -> Option<Profile> {
        let Inner::Full(s) = &self.verified.inner else {
            return None;
        };
        let mut profile = s.checker().profile();
        if !self.live {
            profile.permissions.clear();
            profile.levels.clear();
        }
        Some(profile)
    }

    /// The visible part of a navigation tree (every item hidden once expired).
    pub fn filter_menu(&self, items: &[NavItem]) -> Result<Vec<NavItem>, MenuError> {
        menu::filter_by(items, |r| self.check(self.verified.requirement_handle(r)))
    }
}

/// What an explanation of `query` says it asked.
pub fn query_words(query: &Query) -> String {
    match query {
        Query::Permission { permission, scope } => {
            wording::permission_query(permission, scope.as_deref())
        }
        Query::Feature { feature, action } => wording::feature_query(feature, action),
        Query::Resource { id, action } => wording::resource_query(id, action),
    }
}

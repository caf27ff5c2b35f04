//! One user's verified permissions: `Permslip` in Kotlin and Swift.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use permslip::engine::{EffectivePermission, Explanation, Profile};
use permslip::model::NavItem;
use permslip::verified::{Answers, Format, Verified};

use crate::clock::{now_secs, Clock};
use crate::error::PermslipError;
use crate::keys::LoadOptions;
use crate::types::ExplainQuery;

/// One user's verified permissions, from a full or a lite token. Immutable and safe to share
/// across threads. Once the snapshot expires every check denies with reason `expired`.
#[derive(uniffi::Object)]
pub struct Permslip {
    verified: Verified,
    clock: Option<Arc<dyn Clock>>,
}

impl Permslip {
    /// The answers now.
    fn now(&self) -> Answers<'_> {
        self.verified.at(now_secs(self.clock.as_ref()))
    }
}

#[uniffi::export]
impl Permslip {
    /// Verifies a snapshot token (full or lite) and compiles it. Fails with the code of the
    /// first check that refused it.
    #[uniffi::constructor]
    pub fn load(token: String, options: LoadOptions) -> Result<Arc<Permslip>, PermslipError> {
        let opts = options.verify_options()?;
        let catalogue = options.catalogue.as_ref().map(|c| &c.verified);
        let verified = Verified::load(&token, catalogue, &options.jwks.jwks, &opts)?;
        Ok(Arc::new(Permslip {
            verified,
            clock: options.clock.clone(),
        }))
    }

    /// Which token format it came in.
    pub fn format(&self) -> Format {
        self.verified.format()
    }

    /// The user (`sub`).
    pub fn subject(&self) -> String {
        self.verified.subject().to_owned()
    }

    /// The issuer (`iss`).
    pub fn issuer(&self) -> String {
        self.verified.issuer().to_owned()
    }

    /// The issue counter: store the highest seen and pass it as `minSerial`.
    pub fn serial(&self) -> u64 {
        self.verified.serial()
    }

    /// When the snapshot expires (`exp`, without the leeway).
    pub fn expires_at(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(self.verified.expires_at())
    }

    /// Whether the snapshot has expired (then every check denies with reason `expired`).
    pub fn expired(&self) -> bool {
        !self.now().live()
    }

    /// The level scale, lowest first.
    pub fn levels(&self) -> Vec<String> {
        self.verified.level_names()
    }

    /// May the user do `permission` (for `scope` if given, for some value otherwise)?
    #[uniffi::method(default(scope = None))]
    pub fn can(&self, permission: String, scope: Option<String>) -> bool {
        self.now().can(&permission, scope.as_deref())
    }

    /// Resolves a permission to a handle for `check` / `checkMany` (unknown names deny).
    #[uniffi::method(default(scope = None))]
    pub fn handle(&self, permission: String, scope: Option<String>) -> u32 {
        self.verified
            .permission_handle(&permission, scope.as_deref())
    }

    /// Resolves "at least `level` (default: the lowest) on a feature" to a handle.
    #[uniffi::method(default(level = None))]
    pub fn feature_handle(&self, feature: String, level: Option<String>) -> u32 {
        self.verified.feature_handle(&feature, level.as_deref())
    }

    /// Resolves "at least `level` (default: the lowest) on a resource" to a handle.
    #[uniffi::method(default(level = None))]
    pub fn resource_handle(&self, id: String, level: Option<String>) -> u32 {
        self.verified.resource_handle(&id, level.as_deref())
    }

    /// Answers a handle.
    pub fn check(&self, handle: u32) -> bool {
        self.now().check(handle)
    }

    /// Answers many handles in one call.
    pub fn check_many(&self, handles: Vec<u32>) -> Vec<bool> {
        self.now().check_many(&handles)
    }

    /// The level held on a feature, or `null`.
    pub fn feature_level(&self, feature: String) -> Option<String> {
        self.now().feature_level_name(&feature)
    }

    /// The level held on a resource, or `null` (none, or not visible).
    pub fn resource_level(&self, id: String) -> Option<String> {
        self.now().resource_level_name(&id)
    }

    /// Whether the user sees a feature (holds at least its lowest level).
    pub fn visible(&self, feature: String) -> bool {
        self.now().visible(&feature)
    }

    /// May the user do `action` on a feature?
    pub fn can_feature(&self, feature: String, action: String) -> bool {
        self.now().can_feature(&feature, &action)
    }

    /// May the user do `action` on a resource?
    pub fn can_resource(&self, id: String, action: String) -> bool {
        self.now().can_resource(&id, &action)
    }

    /// The feature's resources the user may do `action` on, in snapshot order.
    pub fn list(&self, feature: String, action: String) -> Vec<String> {
        self.now().list(&feature, &action)
    }

    /// Why (not)? Lite snapshots carry no provenance (`via` and `grantedBy` stay empty).
    pub fn explain(&self, query: ExplainQuery) -> Explanation {
        self.now().explain(&query)
    }

    /// Roles, teams, effective permissions and levels with provenance; `null` for a lite
    /// snapshot, which carries none.
    pub fn profile(&self) -> Option<Profile> {
        self.now().profile()
    }

    /// Effective permissions with provenance (`profile().permissions`; empty for lite).
    pub fn permissions(&self) -> Vec<EffectivePermission> {
        self.profile().map(|p| p.permissions).unwrap_or_default()
    }

    /// The visible part of a navigation tree, in one call. Fails with `limit_exceeded` over
    /// the menu limits.
    pub fn filter_menu(&self, tree: Vec<NavItem>) -> Result<Vec<NavItem>, PermslipError> {
        Ok(self.now().filter_menu(&tree)?)
    }
}

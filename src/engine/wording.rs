//! The words of an explanation: its query and its one-sentence message, from the decision's
//! facts. Shared by the engine's explanations and native lite ones (`crate::lite`); the lite
//! JS wrapper words them the same way, and `tests/js/lite.test.mjs` compares.

use super::Reason;

/// `permission ID` or `permission ID for `VALUE``.
pub fn permission_query(permission: &str, scope: Option<&str>) -> String {
    match scope {
        Some(v) => format!("permission {permission} for `{v}`"),
        None => format!("permission {permission}"),
    }
}

/// `ACTION on feature ID`.
pub fn feature_query(feature: &str, action: &str) -> String {
    format!("{action} on feature {feature}")
}

/// `ACTION on ID`.
pub fn resource_query(id: &str, action: &str) -> String {
    format!("{action} on {id}")
}

/// The message of a permission check's explanation.
pub fn permission_message(
    reason: Reason,
    permission: &str,
    scope: Option<&str>,
    product: Option<&str>,
) -> String {
    match reason {
        Reason::UnknownPermission => format!("unknown permission `{permission}`"),
        Reason::Granted | Reason::Admin => format!("{permission} granted"),
        Reason::ProductOff => format!("product {} is off", product.unwrap_or("?")),
        Reason::Revoked => format!("{permission} is revoked for this user"),
        Reason::ScopeNotGranted => {
            format!("{permission} is not granted for `{}`", scope.unwrap_or(""))
        }
        Reason::ExplicitOnly => format!("{permission} must be enabled explicitly"),
        _ => format!("missing permission {permission}"),
    }
}

/// The message of a feature or resource check's explanation; `target` is the feature or
/// resource id.
pub fn level_message(
    reason: Reason,
    target: &str,
    action: &str,
    needed: Option<&str>,
    product: Option<&str>,
) -> String {
    let needed = needed.unwrap_or("");
    match reason {
        Reason::UnknownFeature => format!("unknown feature `{target}`"),
        Reason::UnknownResource => format!("`{target}` is not visible to this user"),
        Reason::UnknownAction => format!("unknown action `{action}`"),
        Reason::ProductOff => format!("product {} is off", product.unwrap_or("?")),
        Reason::Granted => format!("{needed} or higher on {target}"),
        Reason::Admin => format!("administrator on {target}"),
        Reason::Restricted => format!("{target} is restricted to its assigned users"),
        _ => format!("{needed} needed on {target}"),
    }
}

/// The message of every explanation once the snapshot has expired (`exp` in Unix seconds).
pub fn expired_message(exp: u64) -> String {
    format!("snapshot expired at {}", iso_instant(exp))
}

/// The message of every explanation of a checker without a valid snapshot.
pub const INVALID_MESSAGE: &str = "no valid snapshot";

/// `exp` as an RFC 3339 instant in UTC with milliseconds (`2026-01-01T00:00:00.000Z`), as JS's
/// `Date.prototype.toISOString` writes it, so explanations read the same in every binding.
pub fn iso_instant(secs: u64) -> String {
    let days = secs / 86_400;
    let rem = secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.000Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 → (year, month, day) in the proleptic Gregorian calendar (Howard
/// Hinnant's `civil_from_days`, for days on or after the epoch).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::iso_instant;

    #[test]
    fn instants_read_as_javascript_writes_them() {
        assert_eq!(iso_instant(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso_instant(951_782_400), "2000-02-29T00:00:00.000Z");
        assert_eq!(iso_instant(1_764_000_000), "2025-11-24T16:00:00.000Z");
        assert_eq!(iso_instant(4_102_444_799), "2099-12-31T23:59:59.000Z");
    }
}

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

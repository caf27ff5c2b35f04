//! Documented maximum sizes of a slip. Checked at issue time and again at load, so evaluation
//! is bounded by structure, never by a clock.

use super::CompileError;

/// Permissions in the catalogue.
pub const MAX_PERMISSIONS: usize = 4096;
/// Roles.
pub const MAX_ROLES: usize = 1024;
/// Teams the user belongs to.
pub const MAX_TEAMS: usize = 1024;
/// Features.
pub const MAX_FEATURES: usize = 1024;
/// Resources in one slip.
pub const MAX_RESOURCES: usize = 16384;
/// Levels in the scale (a level must fit in 4 bits of a handle).
pub const MAX_LEVELS: usize = 15;
/// Products.
pub const MAX_PRODUCTS: usize = 256;
/// Grants, implications, resource assignments and scope values, counted together.
pub const MAX_EDGES: usize = 65536;
/// Depth and items of a navigation tree: facts every binding shares.
pub use permslip_lite::facts::{MAX_MENU_DEPTH, MAX_MENU_ITEMS};

/// `TooMany` when `count > max`.
pub(crate) fn at_most(what: &'static str, count: usize, max: usize) -> Result<(), CompileError> {
    if count > max {
        Err(CompileError::TooMany(what, count, max))
    } else {
        Ok(())
    }
}

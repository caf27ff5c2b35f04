//! The handle layout both builds use: a kind in the top 4 bits, a payload in the other 28
//! (permission ids fit 12 bits and scope value ids 16, see the engine's limits; feature and
//! resource handles keep the level in the low 4 bits). The full engine (`src/engine/mod.rs`)
//! and the lite checker read these same constants.

/// A handle that always denies: what an unknown name resolves to.
pub const HANDLE_DENY: u32 = u32::MAX;
/// Where the kind starts.
pub const KIND_SHIFT: u32 = 28;
/// The payload bits.
pub const PAYLOAD_MASK: u32 = (1 << KIND_SHIFT) - 1;
/// A permission, for some value.
pub const KIND_PERMISSION: u32 = 0;
/// A permission and a scope value: `(permission << 16) | value`.
pub const KIND_SCOPED: u32 = 1;
/// At least a level on a feature: `(feature << 4) | level`.
pub const KIND_FEATURE: u32 = 2;
/// At least a level on a resource: `(resource << 4) | level`.
pub const KIND_RESOURCE: u32 = 3;
/// A permission for a value no grant lists: only an every-value grant allows it.
pub const KIND_ALL_SCOPES: u32 = 4;

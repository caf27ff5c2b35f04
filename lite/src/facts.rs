//! Every fact that crosses a language: error codes, reason codes, defaults, limits and the
//! handle layout (in [`crate::handle`]). Rust reads them from here; the JS constants
//! (`pkg/src/facts.js`), the TypeScript unions (`pkg/facts.d.ts`) and the mobile bindings'
//! error cases are generated from them (`tests/facts.rs` in the main crate checks the generated
//! files are fresh). To add a code or a reason: add it here, add its variant where it is raised,
//! regenerate.

/// How long after `exp` (and before `nbf`) a snapshot is still accepted, in seconds.
pub const DEFAULT_LEEWAY: u64 = 60;
/// The largest token accepted by default, in bytes: a cookie's size.
pub const DEFAULT_MAX_TOKEN_BYTES: usize = 16 * 1024;
/// Depth of a navigation tree.
pub const MAX_MENU_DEPTH: usize = 32;
/// Items in a navigation tree.
pub const MAX_MENU_ITEMS: usize = 4096;

/// What a code says about the call that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A snapshot, catalogue bundle or key set that cannot be trusted: nothing was loaded.
    Refusal,
    /// The caller passed something unusable (an option, a menu).
    Usage,
    /// The runtime cannot do it (no module, no platform Ed25519) or a bug.
    Runtime,
}

/// A stable error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Code {
    /// The snake_case code, as every binding spells it.
    pub code: &'static str,
    /// What kind of failure it is.
    pub kind: Kind,
    /// When it is given (one line, for generated docs).
    pub doc: &'static str,
}

macro_rules! codes {
    ($($name:ident = $code:literal, $kind:ident, $doc:literal;)*) => {
        /// Every code, by name.
        pub mod code {
            $(#[doc = $doc] pub const $name: &str = $code;)*
        }
        /// Every code, in declaration order: the refusals first.
        pub const CODES: &[Code] = &[$(Code { code: $code, kind: Kind::$kind, doc: $doc }),*];
    };
}

codes! {
    MALFORMED = "malformed", Refusal, "the token is not a well-formed snapshot";
    BAD_SIGNATURE = "bad_signature", Refusal, "the signature does not verify";
    UNKNOWN_KEY = "unknown_key", Refusal, "the key set holds no key with the token's `kid`";
    UNSUPPORTED_ALGORITHM = "unsupported_algorithm", Refusal, "the header's `alg` is not `EdDSA`";
    EXPIRED = "expired", Refusal, "the token has expired (`now >= exp + leeway`)";
    NOT_YET_VALID = "not_yet_valid", Refusal, "the token is not valid yet (`now + leeway < nbf`)";
    WRONG_AUDIENCE = "wrong_audience", Refusal, "the token is for another audience";
    WRONG_ISSUER = "wrong_issuer", Refusal, "the token is from another issuer";
    WRONG_SUBJECT = "wrong_subject", Refusal, "the token is for another subject";
    ROLLBACK = "rollback", Refusal, "the token's serial is below the lowest accepted";
    TOO_LARGE = "too_large", Refusal, "the token is over the size limit";
    UNSUPPORTED_VERSION = "unsupported_version", Refusal, "a payload or slip version this build does not read";
    INVALID_KEY_SET = "invalid_key_set", Refusal, "the key set (JWKS) or a key in it is unusable";
    DUPLICATE_NAME = "duplicate_name", Refusal, "the slip defines a name twice";
    UNKNOWN_REFERENCE = "unknown_reference", Refusal, "the slip refers to something it does not define";
    BAD_WILDCARD = "bad_wildcard", Refusal, "a wildcard grant is not `*` or `prefix.*`";
    IMPLIES_EXPLICIT = "implies_explicit", Refusal, "an implication points at an explicit-only permission";
    CYCLE = "cycle", Refusal, "implication or inheritance loops";
    LIMIT_EXCEEDED = "limit_exceeded", Refusal, "a count is over a documented limit (a slip's or a menu's)";
    MISSING_CATALOGUE = "missing_catalogue", Refusal, "the slip names a catalogue bundle and none was given";
    CATALOGUE_MISMATCH = "catalogue_mismatch", Refusal, "the catalogue given is not the one the slip names";
    INVALID_ARGUMENT = "invalid_argument", Usage, "an argument or option is unusable";
    INVALID_MENU = "invalid_menu", Usage, "a navigation tree is not an array of items";
    PLATFORM_UNAVAILABLE = "platform_unavailable", Runtime, "the runtime lacks what was asked for (a platform Ed25519, WebAssembly)";
    NOT_INITIALIZED = "not_initialized", Runtime, "the module is not initialised yet";
    INIT_FAILED = "init_failed", Runtime, "the module could not be initialised";
    FREED = "freed", Runtime, "the checker was freed";
    INTERNAL = "internal", Runtime, "a bug in permslip: please report it";
}

/// A decision's reason: its number (what lite tokens carry) is its index in [`REASONS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReasonFact {
    /// The snake_case code.
    pub code: &'static str,
    /// Whether it allows.
    pub allows: bool,
    /// When it is given.
    pub doc: &'static str,
}

macro_rules! reasons {
    ($($name:ident = $code:literal, $allows:literal, $doc:literal;)*) => {
        /// Every reason code, by name.
        pub mod reason {
            $(#[doc = $doc] pub const $name: &str = $code;)*
        }
        /// The reason codes in number order, without their docs: what a build that answers
        /// links (the docs are for generated files).
        pub const REASON_CODES: &[&str] = &[$($code),*];
        /// Every reason, in number order. The first [`ENGINE_REASONS`] are the engine's own
        /// (what a slip or a lite token can say); the rest are a checker's once it cannot
        /// answer.
        pub const REASONS: &[ReasonFact] = &[$(ReasonFact { code: $code, allows: $allows, doc: $doc }),*];
    };
}

reasons! {
    GRANTED = "granted", true, "allowed by a grant that is not only Administrator";
    ADMIN = "admin", true, "allowed only because the user is an Administrator";
    UNKNOWN_PERMISSION = "unknown_permission", false, "the permission is not in the catalogue";
    PRODUCT_OFF = "product_off", false, "the product is off for the account or the user";
    REVOKED = "revoked", false, "a per-user revocation removes it";
    EXPLICIT_ONLY = "explicit_only", false, "explicit-only and nothing names it exactly";
    SCOPE_NOT_GRANTED = "scope_not_granted", false, "granted, but not for the value checked";
    NOT_GRANTED = "not_granted", false, "nothing grants it";
    LEVEL_TOO_LOW = "level_too_low", false, "the level held is below the level the action needs";
    RESTRICTED = "restricted", false, "a restricted resource the user is not assigned to";
    UNKNOWN_FEATURE = "unknown_feature", false, "the feature is not in the model";
    UNKNOWN_RESOURCE = "unknown_resource", false, "the resource is not in the slip (not visible to this user)";
    UNKNOWN_ACTION = "unknown_action", false, "the action is not in the model's action map";
    EXPIRED = "expired", false, "the snapshot has expired: every check denies";
    INVALID = "invalid", false, "no valid snapshot: every check denies";
}

/// How many of [`REASONS`] a slip or a lite token may carry.
pub const ENGINE_REASONS: usize = 13;

/// The code of a kind of failure, in declaration order (for generated unions).
pub fn codes_of(kind: Kind) -> impl Iterator<Item = &'static str> {
    CODES.iter().filter(move |c| c.kind == kind).map(|c| c.code)
}

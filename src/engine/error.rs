//! Why a slip could not be compiled into a checker.

use std::fmt;

use permslip_lite::facts::code;

/// A slip that is inconsistent or over a limit: no checker, nothing granted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompileError {
    /// The slip's format version is not one this build reads.
    UnsupportedVersion(u32),
    /// A name is defined twice (`kind`, `name`).
    Duplicate(&'static str, String),
    /// A reference names something the slip does not define (`kind`, `name`).
    Unknown(&'static str, String),
    /// A wildcard grant is not `*` or `prefix.*`, or carries a scope.
    BadWildcard(String),
    /// An implication points at an explicit-only permission, which nothing may imply.
    ImpliesExplicit(String, String),
    /// Implication or inheritance loops back on itself at the named entry.
    Cycle(&'static str, String),
    /// A count is over its documented limit (`what`, `count`, `max`).
    TooMany(&'static str, usize, usize),
    /// The slip names a separately signed catalogue, and none was given.
    MissingCatalogue,
    /// The catalogue given is not the one the slip was issued against.
    CatalogueMismatch,
}

impl CompileError {
    /// A stable code for this error, mirrored in JS as `PermslipError.code`.
    pub fn code(&self) -> &'static str {
        match self {
            CompileError::UnsupportedVersion(_) => code::UNSUPPORTED_VERSION,
            CompileError::Duplicate(..) => code::DUPLICATE_NAME,
            CompileError::Unknown(..) => code::UNKNOWN_REFERENCE,
            CompileError::BadWildcard(_) => code::BAD_WILDCARD,
            CompileError::ImpliesExplicit(..) => code::IMPLIES_EXPLICIT,
            CompileError::Cycle(..) => code::CYCLE,
            CompileError::TooMany(..) => code::LIMIT_EXCEEDED,
            CompileError::MissingCatalogue => code::MISSING_CATALOGUE,
            CompileError::CatalogueMismatch => code::CATALOGUE_MISMATCH,
        }
    }
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CompileError::UnsupportedVersion(v) => write!(f, "unsupported slip version `{v}`"),
            CompileError::Duplicate(kind, name) => write!(f, "duplicate {kind} `{name}`"),
            CompileError::Unknown(kind, name) => write!(f, "unknown {kind} `{name}`"),
            CompileError::BadWildcard(p) => {
                write!(
                    f,
                    "bad wildcard `{p}`: use `*` or `prefix.*`, without a scope"
                )
            }
            CompileError::ImpliesExplicit(from, to) => {
                write!(f, "`{from}` implies explicit-only permission `{to}`")
            }
            CompileError::Cycle(kind, name) => write!(f, "{kind} cycle through `{name}`"),
            CompileError::TooMany(what, n, max) => {
                write!(f, "too many {what}: {n} (limit {max})")
            }
            CompileError::MissingCatalogue => {
                write!(f, "the slip names a separate catalogue and none was given")
            }
            CompileError::CatalogueMismatch => {
                write!(
                    f,
                    "the catalogue is not the one the slip was issued against"
                )
            }
        }
    }
}

impl std::error::Error for CompileError {}

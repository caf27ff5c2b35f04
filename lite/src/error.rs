//! Why a lite token was refused: a status code (mirrored in JS) and a short detail.

/// A load outcome. The numbers are the module's ABI (`docs/LITE.md`) and never change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum Status {
    /// Accepted.
    Ok = 0,
    /// Not a well-formed lite token.
    Malformed = 1,
    /// The signature fails the strict checks (or, decided by the host, the equation).
    BadSignature = 2,
    /// `now >= exp + leeway`.
    Expired = 3,
    /// `now + leeway < nbf`.
    NotYetValid = 4,
    /// The expected audience is not among `aud`.
    WrongAudience = 5,
    /// `iss` is not the expected issuer.
    WrongIssuer = 6,
    /// `sub` is not the expected subject.
    WrongSubject = 7,
    /// `serial` is below the lowest accepted.
    Rollback = 8,
    /// A payload version this build does not read.
    UnsupportedVersion = 9,
    /// A table is larger than the engine's limits.
    LimitExceeded = 10,
    /// The header names another algorithm than EdDSA.
    UnsupportedAlgorithm = 11,
    /// A public key that is not a canonical encoding of a point of large order.
    InvalidKey = 12,
}

/// A refused token: the status and a short English detail for the error message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Error {
    /// The status code.
    pub status: Status,
    /// What exactly was wrong, e.g. `permissions: names out of order`; for
    /// [`Status::LimitExceeded`], what there are too many of.
    pub detail: &'static str,
    /// For [`Status::LimitExceeded`]: how many there are, and the limit.
    pub count: u32,
    /// The limit exceeded.
    pub max: u32,
}

impl Error {
    pub(crate) const fn malformed(detail: &'static str) -> Error {
        Error::new(Status::Malformed, detail)
    }

    pub(crate) const fn new(status: Status, detail: &'static str) -> Error {
        Error {
            status,
            detail,
            count: 0,
            max: 0,
        }
    }

    pub(crate) const fn limit(detail: &'static str, count: u32, max: u32) -> Error {
        Error {
            status: Status::LimitExceeded,
            detail,
            count,
            max,
        }
    }
}

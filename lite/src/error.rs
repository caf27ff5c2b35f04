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

impl Status {
    /// Every status, in number order (`ALL[s as usize] == s`).
    pub const ALL: [Status; 13] = [
        Status::Ok,
        Status::Malformed,
        Status::BadSignature,
        Status::Expired,
        Status::NotYetValid,
        Status::WrongAudience,
        Status::WrongIssuer,
        Status::WrongSubject,
        Status::Rollback,
        Status::UnsupportedVersion,
        Status::LimitExceeded,
        Status::UnsupportedAlgorithm,
        Status::InvalidKey,
    ];

    /// The error code a refusal with this status is reported with (`""` for [`Status::Ok`]).
    pub const fn code(self) -> &'static str {
        use crate::facts::code;
        match self {
            Status::Ok => "",
            Status::Malformed => code::MALFORMED,
            Status::BadSignature => code::BAD_SIGNATURE,
            Status::Expired => code::EXPIRED,
            Status::NotYetValid => code::NOT_YET_VALID,
            Status::WrongAudience => code::WRONG_AUDIENCE,
            Status::WrongIssuer => code::WRONG_ISSUER,
            Status::WrongSubject => code::WRONG_SUBJECT,
            Status::Rollback => code::ROLLBACK,
            Status::UnsupportedVersion => code::UNSUPPORTED_VERSION,
            Status::LimitExceeded => code::LIMIT_EXCEEDED,
            Status::UnsupportedAlgorithm => code::UNSUPPORTED_ALGORITHM,
            Status::InvalidKey => code::INVALID_KEY_SET,
        }
    }
}

/// A refused token: the status and, except in the browser module, a short English detail.
///
/// The module (feature `module`) keeps only the status: the details and limit counts cost
/// ~1 KiB of brotli'd module, and whoever needs them (an issuer debugging a token) gets them
/// from the native build: `permslip verify` on the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Error {
    /// The status code.
    pub status: Status,
    #[cfg(not(feature = "module"))]
    detail: &'static str,
    #[cfg(not(feature = "module"))]
    count: u32,
    #[cfg(not(feature = "module"))]
    max: u32,
}

impl Error {
    pub(crate) const fn malformed(detail: &'static str) -> Error {
        Error::new(Status::Malformed, detail)
    }

    #[cfg_attr(feature = "module", allow(unused_variables))]
    pub(crate) const fn new(status: Status, detail: &'static str) -> Error {
        Error::limit_of(status, detail, 0, 0)
    }

    pub(crate) const fn limit(detail: &'static str, count: u32, max: u32) -> Error {
        Error::limit_of(Status::LimitExceeded, detail, count, max)
    }

    #[cfg_attr(feature = "module", allow(unused_variables))]
    const fn limit_of(status: Status, detail: &'static str, count: u32, max: u32) -> Error {
        Error {
            status,
            #[cfg(not(feature = "module"))]
            detail,
            #[cfg(not(feature = "module"))]
            count,
            #[cfg(not(feature = "module"))]
            max,
        }
    }

    /// What exactly was wrong, e.g. `permissions: names out of order`; for
    /// [`Status::LimitExceeded`], what there are too many of. Empty in the module.
    pub fn detail(&self) -> &'static str {
        #[cfg(not(feature = "module"))]
        return self.detail;
        #[cfg(feature = "module")]
        ""
    }

    /// For [`Status::LimitExceeded`]: how many there are (0 in the module).
    pub fn count(&self) -> u32 {
        #[cfg(not(feature = "module"))]
        return self.count;
        #[cfg(feature = "module")]
        0
    }

    /// For [`Status::LimitExceeded`]: the limit (0 in the module).
    pub fn max(&self) -> u32 {
        #[cfg(not(feature = "module"))]
        return self.max;
        #[cfg(feature = "module")]
        0
    }
}

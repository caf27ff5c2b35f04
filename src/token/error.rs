//! Why a token or key set was rejected.

use std::fmt;

use permslip_lite::facts::code;

use crate::json::{NoControl, Printable};

/// A snapshot token that cannot be trusted, or a key set that cannot be used.
///
/// Every variant means "no decision possible": the caller gets no claims. [`TokenError::code`]
/// is stable and mirrored in JS; messages are for people and may change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenError {
    /// The token is not a well-formed snapshot (structure, encoding, JSON or claims shape).
    Malformed(String),
    /// The signature does not verify with the key the header names.
    BadSignature,
    /// The header names a key id the key set does not hold.
    UnknownKey(String),
    /// The header's `alg` is not `EdDSA`.
    UnsupportedAlgorithm(String),
    /// The token expired: `now >= exp + leeway`.
    Expired {
        /// The token's `exp`, in Unix seconds.
        exp: u64,
        /// The time the check ran at, in Unix seconds.
        now: u64,
    },
    /// The token is not valid yet: `now + leeway < nbf`.
    NotYetValid {
        /// The token's `nbf` (or `iat` when `nbf` is absent), in Unix seconds.
        nbf: u64,
        /// The time the check ran at, in Unix seconds.
        now: u64,
    },
    /// The expected audience is not among the token's `aud`.
    WrongAudience,
    /// The token's `iss` is not the expected issuer.
    WrongIssuer,
    /// The token's `sub` is not the expected subject.
    WrongSubject,
    /// The token is older than one already seen: `serial < min`.
    Rollback {
        /// The token's `serial`.
        serial: u64,
        /// The lowest serial still accepted.
        min: u64,
    },
    /// The token is longer than the configured limit; nothing of it was parsed.
    TooLarge {
        /// The token's length in bytes.
        len: usize,
        /// The limit in bytes.
        max: usize,
    },
    /// The payload format version (`psv`) is not one this build reads.
    UnsupportedVersion(u64),
    /// The key set (JWKS) or a key in it is unusable.
    InvalidKeySet(String),
}

impl TokenError {
    /// A stable snake_case code for this error (`permslip_lite::facts`), `PermslipError.code` in JS.
    pub fn code(&self) -> &'static str {
        match self {
            TokenError::Malformed(_) => code::MALFORMED,
            TokenError::BadSignature => code::BAD_SIGNATURE,
            TokenError::UnknownKey(_) => code::UNKNOWN_KEY,
            TokenError::UnsupportedAlgorithm(_) => code::UNSUPPORTED_ALGORITHM,
            TokenError::Expired { .. } => code::EXPIRED,
            TokenError::NotYetValid { .. } => code::NOT_YET_VALID,
            TokenError::WrongAudience => code::WRONG_AUDIENCE,
            TokenError::WrongIssuer => code::WRONG_ISSUER,
            TokenError::WrongSubject => code::WRONG_SUBJECT,
            TokenError::Rollback { .. } => code::ROLLBACK,
            TokenError::TooLarge { .. } => code::TOO_LARGE,
            TokenError::UnsupportedVersion(_) => code::UNSUPPORTED_VERSION,
            TokenError::InvalidKeySet(_) => code::INVALID_KEY_SET,
        }
    }
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // Unsigned token text reaches these messages, and messages reach logs: control
            // characters are escaped and quoted values shortened (see `crate::json::Printable`).
            TokenError::Malformed(reason) => write!(f, "malformed token: {}", NoControl(reason)),
            // Opaque on purpose: which step of verification failed helps only an attacker.
            TokenError::BadSignature => f.write_str("invalid signature"),
            TokenError::UnknownKey(kid) => write!(f, "unknown key `{}`", Printable(kid)),
            TokenError::UnsupportedAlgorithm(alg) => {
                write!(
                    f,
                    "unsupported algorithm `{}`, expected `EdDSA`",
                    Printable(alg)
                )
            }
            TokenError::Expired { exp, now } => write!(f, "token expired at {exp} (now {now})"),
            TokenError::NotYetValid { nbf, now } => {
                write!(f, "token not valid before {nbf} (now {now})")
            }
            TokenError::WrongAudience => f.write_str("token is for another audience"),
            TokenError::WrongIssuer => f.write_str("token is from another issuer"),
            TokenError::WrongSubject => f.write_str("token is for another subject"),
            TokenError::Rollback { serial, min } => {
                write!(f, "token serial {serial} is older than the minimum {min}")
            }
            TokenError::TooLarge { len, max } => {
                write!(f, "token is {len} bytes, over the limit of {max}")
            }
            TokenError::UnsupportedVersion(v) => write!(f, "unsupported payload version `{v}`"),
            TokenError::InvalidKeySet(reason) => {
                write!(f, "invalid key set: {}", NoControl(reason))
            }
        }
    }
}

impl std::error::Error for TokenError {}

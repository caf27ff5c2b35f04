//! One error type for the whole API: `PermslipException` in Kotlin (one subclass per code),
//! `PermslipError` in Swift (one case per code). The codes are `permslip_lite::facts`', the
//! same as JS's `PermslipError.code`; messages are the core's `Display` text.

use permslip::engine::MenuError;
use permslip::facts::code;
use permslip::snapshot::LoadError;
use permslip::token::{CatalogueError, TokenError};

/// Declares the error enum, one variant per stable code, and the code of each.
macro_rules! codes {
    ($($(#[doc = $doc:literal])* $variant:ident => $code:ident,)*) => {
        /// Why a snapshot, catalogue or key set was refused, or an argument was unusable.
        /// Nothing was loaded: every check on a snapshot that failed to load must deny.
        #[derive(Debug, Clone, PartialEq, Eq, uniffi::Error)]
        #[uniffi::export(Display)]
        pub enum PermslipError {
            $($(#[doc = $doc])* $variant {
                /// One sentence for people; may change between versions.
                detail: String,
            },)*
        }

        impl PermslipError {
            /// The variant for a core error's `code`, with `detail` as its detail.
            fn from_code(code: &str, detail: String) -> PermslipError {
                match code {
                    $(code::$code => PermslipError::$variant { detail },)*
                    _ => PermslipError::Internal { detail },
                }
            }

            /// The sentence for people, whatever the variant.
            fn detail_str(&self) -> &str {
                match self {
                    $(PermslipError::$variant { detail } => detail,)*
                }
            }

            /// The stable code.
            pub fn code_str(&self) -> &'static str {
                match self {
                    $(PermslipError::$variant { .. } => code::$code,)*
                }
            }

            /// Every code this error has, in declaration order (for tests).
            #[cfg(test)]
            const CODES: &'static [&'static str] = &[$(code::$code),*];
        }
    };
}

codes! {
    /// The token is not a well-formed snapshot.
    Malformed => MALFORMED,
    /// The signature does not verify (opaque on purpose).
    BadSignature => BAD_SIGNATURE,
    /// The key set holds no key with the token's `kid`.
    UnknownKey => UNKNOWN_KEY,
    /// The header's `alg` is not `EdDSA`.
    UnsupportedAlgorithm => UNSUPPORTED_ALGORITHM,
    /// The token has expired (`now >= exp + leeway`).
    Expired => EXPIRED,
    /// The token is not valid yet.
    NotYetValid => NOT_YET_VALID,
    /// The token is for another audience.
    WrongAudience => WRONG_AUDIENCE,
    /// The token is from another issuer.
    WrongIssuer => WRONG_ISSUER,
    /// The token is for another subject.
    WrongSubject => WRONG_SUBJECT,
    /// The token's serial is below `minSerial`.
    Rollback => ROLLBACK,
    /// The token is over `maxTokenBytes`.
    TooLarge => TOO_LARGE,
    /// A payload or slip version this build does not read.
    UnsupportedVersion => UNSUPPORTED_VERSION,
    /// The key set (JWKS) is unusable.
    InvalidKeySet => INVALID_KEY_SET,
    /// The slip defines a name twice.
    DuplicateName => DUPLICATE_NAME,
    /// The slip refers to something it does not define.
    UnknownReference => UNKNOWN_REFERENCE,
    /// A wildcard grant is not `*` or `prefix.*`.
    BadWildcard => BAD_WILDCARD,
    /// An implication points at an explicit-only permission.
    ImpliesExplicit => IMPLIES_EXPLICIT,
    /// Implication or inheritance loops.
    Cycle => CYCLE,
    /// A count is over a documented limit (a slip's, or a menu's).
    LimitExceeded => LIMIT_EXCEEDED,
    /// The slip names a catalogue bundle and none was given.
    MissingCatalogue => MISSING_CATALOGUE,
    /// The catalogue given is not the one the slip names.
    CatalogueMismatch => CATALOGUE_MISMATCH,
    /// An argument is out of range.
    InvalidArgument => INVALID_ARGUMENT,
    /// A bug in permslip: please report it.
    Internal => INTERNAL,
}

#[uniffi::export]
impl PermslipError {
    /// The stable snake_case code, as in JS (`bad_signature`, `expired`, …).
    pub fn code(&self) -> String {
        self.code_str().to_owned()
    }

    /// The sentence for people, whatever the variant.
    pub fn detail(&self) -> String {
        self.detail_str().to_owned()
    }
}

/// `detail (code)`: what Kotlin's `toString()` and Swift's `description` print.
impl std::fmt::Display for PermslipError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.detail_str(), self.code_str())
    }
}

impl std::error::Error for PermslipError {}

impl From<LoadError> for PermslipError {
    fn from(e: LoadError) -> PermslipError {
        PermslipError::from_code(e.code(), e.to_string())
    }
}

impl From<TokenError> for PermslipError {
    fn from(e: TokenError) -> PermslipError {
        PermslipError::from_code(e.code(), e.to_string())
    }
}

impl From<CatalogueError> for PermslipError {
    fn from(e: CatalogueError) -> PermslipError {
        PermslipError::from_code(e.code(), e.to_string())
    }
}

impl From<MenuError> for PermslipError {
    fn from(e: MenuError) -> PermslipError {
        PermslipError::from_code(e.code(), e.to_string())
    }
}

/// An argument out of range (a number that does not fit).
pub(crate) fn invalid_argument(detail: impl Into<String>) -> PermslipError {
    PermslipError::from_code("invalid_argument", detail.into())
}

#[cfg(test)]
mod tests {
    use super::PermslipError;
    use permslip::facts::{codes_of, Kind};

    #[test]
    fn every_code_maps_to_its_own_variant() {
        for code in PermslipError::CODES {
            let e = PermslipError::from_code(code, "x".to_owned());
            assert_eq!(e.code(), *code);
            assert_eq!(e.to_string(), format!("x ({code})"));
        }
        let unknown = PermslipError::from_code("no_such_code", "x".to_owned());
        assert_eq!(unknown.code(), "internal");
        // Every refusal a load can give has a case of its own.
        for refusal in codes_of(Kind::Refusal) {
            assert!(
                PermslipError::CODES.contains(&refusal),
                "no variant for `{refusal}`"
            );
        }
    }
}

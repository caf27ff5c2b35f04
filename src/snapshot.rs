//! The one way in: verify a snapshot token and compile its slip into a [`Checker`].
//!
//! Applications come through [`Snapshot::verify`]: it is the only path that checks the
//! signature, the audience, the time window and the serial before anything is compiled, so an
//! unverified slip can never answer a check. Compiling without verifying is possible only
//! through [`crate::dangerous`], for the issuer and for tests.

use std::fmt;

use crate::engine::{Checker, CompileError};
use crate::token::{
    self, Audience, Equation, Jwks, Signed, TokenError, VerifiedCatalogue, VerifyOptions,
};

/// A verified, compiled snapshot: the token's metadata and the user's checker.
#[derive(Debug, Clone)]
pub struct Snapshot {
    iss: String,
    sub: String,
    aud: Audience,
    iat: u64,
    nbf: u64,
    exp: u64,
    jti: Option<String>,
    serial: u64,
    kid: String,
    checker: Checker,
}

impl Snapshot {
    /// Verifies `token` against `keys` and `opts` (see [`crate::token`] for the criteria), then
    /// compiles its slip once. Check many times with [`Snapshot::checker`].
    pub fn verify(token: &str, keys: &Jwks, opts: &VerifyOptions) -> Result<Snapshot, LoadError> {
        Snapshot::verify_with(token, None, keys, opts)
    }

    /// [`Snapshot::verify`] for a slip whose catalogue travels as a separately signed bundle
    /// (verified once with [`token::verify_catalogue`] and shared). A slip with an inline
    /// catalogue ignores `catalogue`; one naming a bundle needs the bundle with that hash.
    pub fn verify_with(
        token: &str,
        catalogue: Option<&VerifiedCatalogue>,
        keys: &Jwks,
        opts: &VerifyOptions,
    ) -> Result<Snapshot, LoadError> {
        let signed = token::inspect_snapshot(token, keys, opts.max_token_bytes)?;
        Snapshot::from_signed(token, signed, Equation::Builtin, catalogue, keys, opts)
    }

    /// The rest of [`Snapshot::verify_with`] once [`token::inspect_snapshot`] has returned
    /// `signed` for `token`, the group equation checked by `equation`.
    pub(crate) fn from_signed(
        token: &str,
        signed: Signed,
        equation: Equation,
        catalogue: Option<&VerifiedCatalogue>,
        keys: &Jwks,
        opts: &VerifyOptions,
    ) -> Result<Snapshot, LoadError> {
        let (kid, claims) = token::verify_signed(token, signed, equation, keys, opts)?;
        let slip = &claims.slip;
        let checker = match (&slip.catalogue, &slip.catalogue_hash, catalogue) {
            (Some(_), None, _) => Checker::compile_unverified(slip)?,
            (None, Some(hash), Some(bundle)) if bundle.hash() == hash => {
                Checker::compile_unverified_with(bundle.compiled(), slip)?
            }
            (None, Some(_), Some(_)) => return Err(CompileError::CatalogueMismatch.into()),
            (None, Some(_), None) | (None, None, _) => {
                return Err(CompileError::MissingCatalogue.into())
            }
            (Some(_), Some(_), _) => {
                return Err(TokenError::Malformed(
                    "claims: a slip has either `catalogue` or `catalogue_hash`, not both".into(),
                )
                .into())
            }
        };
        Ok(Snapshot {
            nbf: claims.not_before(),
            iss: claims.iss,
            sub: claims.sub,
            aud: claims.aud,
            iat: claims.iat,
            exp: claims.exp,
            jti: claims.jti,
            serial: claims.serial,
            kid,
            checker,
        })
    }

    /// The issuer (`iss`).
    pub fn issuer(&self) -> &str {
        &self.iss
    }

    /// The user the snapshot is about (`sub`).
    pub fn subject(&self) -> &str {
        &self.sub
    }

    /// The audiences the token names (`aud`).
    pub fn audience(&self) -> &Audience {
        &self.aud
    }

    /// When it was issued (`iat`), in Unix seconds.
    pub fn issued_at(&self) -> u64 {
        self.iat
    }

    /// When it became valid (`nbf`, or `iat` without one), in Unix seconds.
    pub fn not_before(&self) -> u64 {
        self.nbf
    }

    /// When it expires (`exp`), in Unix seconds.
    pub fn expires_at(&self) -> u64 {
        self.exp
    }

    /// The token id (`jti`), if the issuer set one.
    pub fn token_id(&self) -> Option<&str> {
        self.jti.as_deref()
    }

    /// The issue counter; store the highest seen and pass it as
    /// [`VerifyOptions::min_serial`] to refuse replays of older snapshots.
    pub fn serial(&self) -> u64 {
        self.serial
    }

    /// The id of the key that signed it.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// Whether it has expired at `now` (Unix seconds) with `leeway` seconds of clock skew, by
    /// the rule verification used: `now >= exp + leeway`. A long-lived page should ask this
    /// before trusting an old snapshot, since verification happened only at load.
    pub fn is_expired(&self, now: u64, leeway: u64) -> bool {
        token::is_expired(self.exp, now, leeway)
    }

    /// The compiled permissions.
    pub fn checker(&self) -> &Checker {
        &self.checker
    }

    /// The compiled permissions, dropping the metadata.
    pub fn into_checker(self) -> Checker {
        self.checker
    }
}

/// Why a snapshot could not be loaded: no checker, so every check must deny.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    /// The token was refused (signature, time, audience, shape...).
    Token(TokenError),
    /// The token verified but its slip is inconsistent or over a limit.
    Slip(CompileError),
}

impl LoadError {
    /// A stable snake_case code: the [`TokenError::code`] or [`CompileError::code`] inside.
    pub fn code(&self) -> &'static str {
        match self {
            LoadError::Token(e) => e.code(),
            LoadError::Slip(e) => e.code(),
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Token(e) => e.fmt(f),
            LoadError::Slip(e) => write!(f, "invalid slip: {e}"),
        }
    }
}

// No `source()`: the message already includes the inner error's, and repeating it in the chain
// would print it twice.
impl std::error::Error for LoadError {}

impl From<TokenError> for LoadError {
    fn from(e: TokenError) -> LoadError {
        LoadError::Token(e)
    }
}

impl From<CompileError> for LoadError {
    fn from(e: CompileError) -> LoadError {
        LoadError::Slip(e)
    }
}

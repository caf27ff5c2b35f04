//! Catalogue bundles: a model's shared catalogue as its own signed token, for models whose
//! catalogue would make every snapshot too large for a cookie.
//!
//! A bundle is a JWS like a snapshot, with `typ` `permslip-catalogue+jwt` (required, so neither
//! kind can stand in for the other) and claims `iss`, `aud`, `iat`, optional `exp`, `psv` and
//! `catalogue`. A slip names its bundle by `catalogue_hash`: the base64url SHA-256 of the
//! bundle's payload segment, exactly as signed.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::claims::{Audience, SECONDS, VERSION};
use super::{base64url, inspect, is_expired, Equation, Jwks, Signed, TokenError, VerifyOptions};
use crate::engine::{CompileError, CompiledCatalogue};
use crate::json::read::Kind::{Any, Str, Uint, Uint32};
use crate::json::read::Presence::{Optional, Required};
use crate::json::read::{Field, Fields};
use crate::json::{Error, Value};
use crate::slip::{Catalogue, SLIP_VERSION};

/// The `typ` of a catalogue bundle.
pub const CATALOGUE_TYPE: &str = "permslip-catalogue+jwt";

/// The claims of a catalogue bundle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogueClaims {
    /// Issuer.
    pub iss: String,
    /// Audience(s), checked like a snapshot's.
    pub aud: Audience,
    /// Issued at (Unix seconds).
    pub iat: u64,
    /// Expiry (Unix seconds). Default: none; a slip's own expiry still bounds its use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exp: Option<u64>,
    /// Payload format version; must equal [`SLIP_VERSION`].
    pub psv: u32,
    /// The catalogue.
    pub catalogue: Catalogue,
}

impl CatalogueClaims {
    /// Reads the claims of a bundle from its parsed payload.
    pub(crate) fn from_json(value: Value<'_>) -> Result<CatalogueClaims, Error> {
        const SCHEMA: &[Field] = &[
            Field("iss", Str, Required),
            Field("aud", Any, Required),
            Field("iat", Uint(SECONDS), Required),
            Field("exp", Uint(SECONDS), Optional),
            Field("psv", Uint32(VERSION), Required),
            Field("catalogue", Any, Required),
        ];
        let mut f = Fields::of(value, SCHEMA, false)?;
        Ok(CatalogueClaims {
            iss: f.string("iss"),
            aud: f.required("aud", Audience::from_json)?,
            iat: f.uint("iat"),
            exp: f.opt_uint("exp"),
            psv: f.uint32("psv"),
            catalogue: f.required("catalogue", Catalogue::from_json)?,
        })
    }
}

/// A verified, compiled catalogue bundle; share it between the snapshots of its model.
#[derive(Debug, Clone)]
pub struct VerifiedCatalogue {
    hash: String,
    compiled: Arc<CompiledCatalogue>,
}

impl VerifiedCatalogue {
    /// The binding hash slips name in `catalogue_hash`.
    pub fn hash(&self) -> &str {
        &self.hash
    }

    /// The compiled catalogue.
    pub fn compiled(&self) -> &Arc<CompiledCatalogue> {
        &self.compiled
    }
}

/// Why a catalogue bundle was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CatalogueError {
    /// The token was refused.
    Token(TokenError),
    /// It verified but the catalogue is inconsistent or over a limit.
    Invalid(CompileError),
}

impl CatalogueError {
    /// A stable code: the inner error's.
    pub fn code(&self) -> &'static str {
        match self {
            CatalogueError::Token(e) => e.code(),
            CatalogueError::Invalid(e) => e.code(),
        }
    }
}

impl std::fmt::Display for CatalogueError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CatalogueError::Token(e) => write!(f, "catalogue: {e}"),
            CatalogueError::Invalid(e) => write!(f, "catalogue: {e}"),
        }
    }
}

impl std::error::Error for CatalogueError {}

/// The base64url SHA-256 of a payload segment.
pub fn catalogue_hash(payload_segment: &str) -> String {
    base64url::encode(&Sha256::digest(payload_segment.as_bytes()))
}

fn catalogue_typ(typ: &str) -> bool {
    typ.eq_ignore_ascii_case(CATALOGUE_TYPE)
}

/// Verifies and compiles a catalogue bundle. Uses `opts`' audience, issuer, clock, leeway and
/// size limit; its subject and serial do not apply.
pub fn verify_catalogue(
    token: &str,
    keys: &Jwks,
    opts: &VerifyOptions,
) -> Result<VerifiedCatalogue, CatalogueError> {
    let signed =
        inspect_catalogue(token, keys, opts.max_token_bytes).map_err(CatalogueError::Token)?;
    verify_signed_catalogue(token, signed, Equation::Builtin, keys, opts)
}

/// Steps 1–5 and the signature pre-checks of a catalogue bundle.
pub(crate) fn inspect_catalogue(
    token: &str,
    keys: &Jwks,
    max_token_bytes: usize,
) -> Result<Signed, TokenError> {
    inspect(token, keys, max_token_bytes, catalogue_typ)
}

/// The rest of [`verify_catalogue`] for a token [`inspect_catalogue`] returned `signed` for.
pub(crate) fn verify_signed_catalogue(
    token: &str,
    signed: Signed,
    equation: Equation,
    keys: &Jwks,
    opts: &VerifyOptions,
) -> Result<VerifiedCatalogue, CatalogueError> {
    let malformed = TokenError::Malformed;
    let opened = signed
        .open(token, keys, equation)
        .map_err(CatalogueError::Token)?;
    let payload = opened.payload().map_err(CatalogueError::Token)?;
    // `typ` is optional in `open` (snapshots may omit it); a bundle must carry it.
    if !opened.typ_present {
        return Err(CatalogueError::Token(malformed(format!(
            "header: a catalogue bundle needs type `{CATALOGUE_TYPE}`"
        ))));
    }
    let claims = CatalogueClaims::from_json(payload)
        .map_err(|e| CatalogueError::Token(malformed(format!("catalogue: {e}"))))?;
    if claims.psv != SLIP_VERSION {
        return Err(CatalogueError::Token(TokenError::UnsupportedVersion(
            u64::from(claims.psv),
        )));
    }
    if !claims.aud.contains(&opts.audience) {
        return Err(CatalogueError::Token(TokenError::WrongAudience));
    }
    if opts.issuer.as_ref().is_some_and(|iss| *iss != claims.iss) {
        return Err(CatalogueError::Token(TokenError::WrongIssuer));
    }
    if let Some(exp) = claims.exp {
        if is_expired(exp, opts.now, opts.leeway) {
            return Err(CatalogueError::Token(TokenError::Expired {
                exp,
                now: opts.now,
            }));
        }
    }
    let compiled =
        CompiledCatalogue::compile(&claims.catalogue).map_err(CatalogueError::Invalid)?;
    Ok(VerifiedCatalogue {
        hash: catalogue_hash(opened.payload_segment),
        compiled,
    })
}

/// Signs a catalogue bundle; returns the token and the hash slips must name.
#[cfg(feature = "issue")]
pub fn sign_catalogue(claims: &CatalogueClaims, key: &super::SigningKey) -> (String, String) {
    let header =
        serde_json::json!({"alg": super::ALGORITHM, "kid": key.kid(), "typ": CATALOGUE_TYPE});
    let payload = serde_json::to_vec(claims).unwrap_or_default();
    let token = super::sign_compact(header.to_string().as_bytes(), &payload, key);
    let segment = token.split('.').nth(1).unwrap_or("");
    let hash = catalogue_hash(segment);
    (token, hash)
}

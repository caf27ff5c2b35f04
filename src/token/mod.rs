//! The JWS layer: signed snapshot tokens, the key set that verifies them, and their claims.
//!
//! A snapshot is a JWS in compact serialization (RFC 7515) signed with EdDSA over Ed25519
//! (RFC 8037), so any backend can issue one with an ordinary JOSE library:
//!
//! ```text
//! base64url({"alg":"EdDSA","kid":"k1","typ":"permslip+jwt"}) . base64url(claims) . base64url(sig)
//! ```
//!
//! Applications do not call [`verify`] directly: [`crate::snapshot::Snapshot::verify`] verifies
//! and compiles in one step, so nothing unverified can reach the engine.
//!
//! # Validation criteria
//! In this order, the first failure deciding the error:
//! 1. Size: at most [`VerifyOptions::max_token_bytes`], checked before any parsing.
//! 2. Structure: three canonical unpadded base64url parts (see [`base64url`]).
//! 3. Header: a JSON object without duplicate members or `crit` (no extension is understood);
//!    `typ`, when present, is `permslip+jwt` or `JWT`.
//! 4. `alg` is exactly `EdDSA`: `none`, HMAC and RSA are refused whatever the key set holds.
//! 5. `kid` names a key of the [`Jwks`].
//! 6. The signature verifies over the ASCII `header.payload` with `verify_strict`'s policy: `S`
//!    canonical, `R` a canonical encoding of a point not of small order (byte checks in
//!    [`strict`]), then the cofactorless equation: ed25519-dalek's `verify_strict` by default,
//!    permslip's own with fixed-base tables when the key set asks for it
//!    ([`Jwks::with_equation`], [`Ed25519Equation`]), or the host's Ed25519 in the wasm build.
//!    So one signature cannot be malleated into a second valid one and a weak key cannot sign
//!    for every message.
//! 7. Payload: a JSON object without duplicate members at any depth (a parser that kept the
//!    first of two `sub`s would read a different token than one that kept the last).
//! 8. `psv` equals [`crate::slip::SLIP_VERSION`], read before the strict parse of the claims.
//! 9. Claims: exactly the known claims, well typed, and `slip.user.id == sub`.
//! 10. Audience, then issuer, then subject, then time (`exp`, `nbf`, with leeway), then serial.
//!
//! Header, payload and key set are read by the crate's own strict JSON reader (`src/json/`),
//! on every target, so native and wasm verifiers decide identically on the same bytes; serde
//! stays on the issuing side. Messages quote token text with control characters escaped.

pub mod base64url;
mod catalogue;
mod claims;
mod equation;
mod error;
mod jwks;
#[cfg(feature = "issue")]
mod sign;
use permslip_lite::strict;

use crate::json::read::Kind::{Any, Str};
use crate::json::read::Presence::{Optional, Required};
use crate::json::read::{invalid_type, Field, Fields};
use crate::json::{self, Printable, Value};

#[cfg(feature = "issue")]
pub use catalogue::sign_catalogue;
pub use catalogue::{
    catalogue_hash, verify_catalogue, CatalogueClaims, CatalogueError, VerifiedCatalogue,
    CATALOGUE_TYPE,
};
#[cfg(target_arch = "wasm32")]
pub(crate) use catalogue::{inspect_catalogue, verify_signed_catalogue};
pub use claims::{Audience, Claims};
pub use equation::Ed25519Equation;
pub use error::TokenError;
pub use jwks::Jwks;
#[cfg(feature = "issue")]
pub use sign::{jwks_json, sign, sign_compact, sign_lite, SigningKey};

use crate::slip::SLIP_VERSION;

/// The only accepted `alg`.
pub const ALGORITHM: &str = "EdDSA";
/// The `typ` the issuer writes.
pub const TOKEN_TYPE: &str = "permslip+jwt";
/// The defaults of the leeway (seconds) and of the size limit (bytes): facts every binding
/// shares.
pub use permslip_lite::facts::{DEFAULT_LEEWAY, DEFAULT_MAX_TOKEN_BYTES};

/// What a token must satisfy besides its signature. Time and audience are inputs: this crate
/// reads no clock.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifyOptions {
    /// This application's audience; the token's `aud` must contain it. Required.
    pub audience: String,
    /// The expected `iss`. Default: `None` (any issuer the key set trusts).
    pub issuer: Option<String>,
    /// The current time, in Unix seconds. Required.
    pub now: u64,
    /// Clock-skew allowance applied to `exp` and `nbf`, in seconds. Default: 60
    /// ([`DEFAULT_LEEWAY`]).
    pub leeway: u64,
    /// The lowest `serial` accepted; set it to the highest serial seen to refuse replays of
    /// older snapshots. Default: 0 (every serial).
    pub min_serial: u64,
    /// The largest token accepted, in bytes. Default: 16 KiB ([`DEFAULT_MAX_TOKEN_BYTES`]).
    pub max_token_bytes: usize,
    /// The expected `sub` (the signed-in user). Default: `None` (any subject).
    pub subject: Option<String>,
}

impl VerifyOptions {
    /// Options for `audience` at `now` (Unix seconds), every other option at its default.
    pub fn new(audience: impl Into<String>, now: u64) -> VerifyOptions {
        VerifyOptions {
            audience: audience.into(),
            issuer: None,
            now,
            leeway: DEFAULT_LEEWAY,
            min_serial: 0,
            max_token_bytes: DEFAULT_MAX_TOKEN_BYTES,
            subject: None,
        }
    }
}

/// Verifies a compact JWS snapshot token and returns its claims (see the module docs for the
/// validation criteria and their order).
///
/// Applications should use [`crate::snapshot::Snapshot::verify`], which also compiles the slip.
pub fn verify(token: &str, keys: &Jwks, opts: &VerifyOptions) -> Result<Claims, TokenError> {
    verify_with_kid(token, keys, opts).map(|(_, claims)| claims)
}

/// [`verify`], also returning the id of the key that signed.
pub(crate) fn verify_with_kid(
    token: &str,
    keys: &Jwks,
    opts: &VerifyOptions,
) -> Result<(String, Claims), TokenError> {
    let signed = inspect_snapshot(token, keys, opts.max_token_bytes)?;
    verify_signed(token, signed, Equation::Builtin, keys, opts)
}

/// Steps 1–5 and the signature pre-checks of a snapshot token.
pub(crate) fn inspect_snapshot(
    token: &str,
    keys: &Jwks,
    max_token_bytes: usize,
) -> Result<Signed, TokenError> {
    inspect(token, keys, max_token_bytes, type_accepted)
}

/// The rest of [`verify_with_kid`] for a token [`inspect_snapshot`] returned `signed` for.
pub(crate) fn verify_signed(
    token: &str,
    signed: Signed,
    equation: Equation,
    keys: &Jwks,
    opts: &VerifyOptions,
) -> Result<(String, Claims), TokenError> {
    let malformed = TokenError::Malformed;
    let opened = signed.open(token, keys, equation)?;
    // Signed from here on: the issuer wrote this, so errors below are issuer bugs or version
    // skew, not tampering.
    let payload = opened.payload()?;
    check_version(&payload)?;
    let claims = Claims::from_json(payload).map_err(|e| malformed(format!("claims: {e}")))?;
    if claims.slip.user.id != claims.sub {
        return Err(malformed(format!(
            "claims: slip user `{}` is not the subject `{}`",
            Printable(&claims.slip.user.id),
            Printable(&claims.sub)
        )));
    }

    if !claims.aud.contains(&opts.audience) {
        return Err(TokenError::WrongAudience);
    }
    if let Some(issuer) = &opts.issuer {
        if claims.iss != *issuer {
            return Err(TokenError::WrongIssuer);
        }
    }
    if let Some(subject) = &opts.subject {
        if claims.sub != *subject {
            return Err(TokenError::WrongSubject);
        }
    }
    if is_expired(claims.exp, opts.now, opts.leeway) {
        return Err(TokenError::Expired {
            exp: claims.exp,
            now: opts.now,
        });
    }
    let nbf = claims.not_before();
    if opts.now.saturating_add(opts.leeway) < nbf {
        return Err(TokenError::NotYetValid { nbf, now: opts.now });
    }
    if claims.serial < opts.min_serial {
        return Err(TokenError::Rollback {
            serial: claims.serial,
            min: opts.min_serial,
        });
    }
    Ok((opened.kid, claims))
}

impl Jwks {
    /// Verifies this key set's signatures with `equation` (default:
    /// [`Ed25519Equation::Strict`], ed25519-dalek's `verify_strict`). Both equations decide
    /// every signature the same way; see [`Ed25519Equation`] for what the tables gain.
    ///
    /// A key set's clones share its keys (and their tables), so a clone made before this call
    /// follows the choice too.
    pub fn with_equation(self, equation: Ed25519Equation) -> Jwks {
        let mut index = 0;
        while let Some(key) = self.key(index) {
            key.set_equation(equation);
            index += 1;
        }
        self
    }
}

/// Who checks the Ed25519 group equation of a signature that passed the strict pre-checks
/// (see [`strict`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Equation {
    /// permslip, here, with the key's [`Ed25519Equation`] (`verify_strict` unless the key set
    /// chose the fixed-base tables).
    Builtin,
    /// The host's Ed25519 (`node:crypto`, WebCrypto) checked it over [`Signed::signing_input`]
    /// with the key at [`Signed::key_index`] and found it valid. Only the wasm bindings say
    /// this, for the JS wrapper that asked the host.
    #[cfg_attr(
        not(target_arch = "wasm32"),
        expect(dead_code, reason = "only the wasm bindings relay a host verdict")
    )]
    CheckedByHost,
    /// The host checked it and found it invalid.
    #[cfg_attr(
        not(target_arch = "wasm32"),
        expect(dead_code, reason = "only the wasm bindings relay a host verdict")
    )]
    RefusedByHost,
}

/// A token whose size, structure, header, algorithm and key checked out, and whose signature
/// passed the strict pre-checks: all that is left of steps 1–6 is the group equation. Holds
/// positions rather than slices so the wasm bindings can keep it beside the token they own.
#[derive(Debug, Clone)]
pub(crate) struct Signed {
    pub(crate) kid: String,
    key_index: usize,
    /// Whether the header has a `typ` (then an accepted one).
    typ_present: bool,
    signature: [u8; 64],
    /// Length of `header.payload`, the signing input.
    signing_len: usize,
    /// Where the payload segment starts.
    payload_start: usize,
}

/// A token whose size, structure, header, algorithm, key and signature checked out.
pub(crate) struct Opened<'t> {
    pub(crate) kid: String,
    /// Whether the header has a `typ` (then an accepted one).
    pub(crate) typ_present: bool,
    /// The decoded payload; [`Opened::payload`] parses it (step 7).
    payload: Vec<u8>,
    /// The payload segment as signed (base64url), for binding by hash.
    pub(crate) payload_segment: &'t str,
}

/// Steps 1–5, and the part of step 6 that needs no curve arithmetic.
pub(crate) fn inspect(
    token: &str,
    keys: &Jwks,
    max_token_bytes: usize,
    typ_accepted: fn(&str) -> bool,
) -> Result<Signed, TokenError> {
    let malformed = TokenError::Malformed;
    if token.len() > max_token_bytes {
        return Err(TokenError::TooLarge {
            len: token.len(),
            max: max_token_bytes,
        });
    }
    let three_parts = || malformed("expected three parts separated by `.`".into());
    let (signing_input, signature_b64) = token.rsplit_once('.').ok_or_else(three_parts)?;
    let (header_b64, payload_b64) = signing_input.split_once('.').ok_or_else(three_parts)?;
    if payload_b64.contains('.') {
        return Err(three_parts());
    }

    let header_json =
        base64url::decode(header_b64).map_err(|e| malformed(format!("header: {e}")))?;
    let header = json_object(&header_json)
        .and_then(Header::from_json)
        .map_err(|e| malformed(format!("header: {e}")))?;
    if header.crit {
        return Err(malformed(
            "header: `crit` extensions are not supported".into(),
        ));
    }
    if let Some(typ) = header.typ.as_deref() {
        if !typ_accepted(typ) {
            return Err(malformed(format!(
                "header: type `{}` is not `{TOKEN_TYPE}`",
                Printable(typ)
            )));
        }
    }
    if header.alg != ALGORITHM {
        return Err(TokenError::UnsupportedAlgorithm(header.alg));
    }
    let Some(kid) = header.kid else {
        return Err(malformed("header: missing `kid`".into()));
    };
    let Some(key_index) = keys.index_of(&kid) else {
        return Err(TokenError::UnknownKey(kid));
    };

    let signature =
        base64url::decode(signature_b64).map_err(|e| malformed(format!("signature: {e}")))?;
    let signature: [u8; 64] = signature.try_into().map_err(|_| TokenError::BadSignature)?;
    if !strict::signature_prechecks_pass(&signature) {
        return Err(TokenError::BadSignature);
    }
    Ok(Signed {
        kid,
        key_index,
        typ_present: header.typ.is_some(),
        signature,
        signing_len: signing_input.len(),
        payload_start: header_b64.len() + 1,
    })
}

impl Signed {
    /// The index in the key set of the key that must verify the signature.
    #[cfg(target_arch = "wasm32")]
    pub(crate) fn key_index(&self) -> usize {
        self.key_index
    }

    /// The signature, `R || S`.
    #[cfg(target_arch = "wasm32")]
    pub(crate) fn signature(&self) -> &[u8; 64] {
        &self.signature
    }

    /// `header.payload` of `token` (the token this was inspected from), as signed.
    pub(crate) fn signing_input<'t>(&self, token: &'t str) -> &'t str {
        token.get(..self.signing_len).unwrap_or("")
    }

    /// The rest of step 6 (the group equation, by `equation`) and the payload's decoding.
    /// `token` must be the token this was inspected from.
    pub(crate) fn open<'t>(
        self,
        token: &'t str,
        keys: &Jwks,
        equation: Equation,
    ) -> Result<Opened<'t>, TokenError> {
        let malformed = TokenError::Malformed;
        let valid = match equation {
            Equation::Builtin => {
                let key = keys.key(self.key_index).ok_or(TokenError::BadSignature)?;
                key.equation_holds(&self.signature, self.signing_input(token).as_bytes())
            }
            Equation::CheckedByHost => true,
            Equation::RefusedByHost => false,
        };
        if !valid {
            return Err(TokenError::BadSignature);
        }
        let payload_segment = token
            .get(self.payload_start..self.signing_len)
            .ok_or_else(|| malformed("expected three parts separated by `.`".into()))?;
        let payload =
            base64url::decode(payload_segment).map_err(|e| malformed(format!("payload: {e}")))?;
        Ok(Opened {
            kid: self.kid,
            typ_present: self.typ_present,
            payload,
            payload_segment,
        })
    }
}

impl Opened<'_> {
    /// Step 7: the payload as a JSON object without duplicate members at any depth. (Parsed
    /// here rather than in [`open`] because the parsed value borrows the decoded bytes.)
    pub(crate) fn payload(&self) -> Result<Value<'_>, TokenError> {
        json_object(&self.payload).map_err(|e| TokenError::Malformed(format!("payload: {e}")))
    }
}

/// Parses `bytes` as one JSON object without duplicate members at any depth.
pub(crate) fn json_object(bytes: &[u8]) -> Result<Value<'_>, json::Error> {
    let value = json::parse(bytes)?;
    if !matches!(value, Value::Object(_)) {
        return Err(invalid_type(&value, "a JSON object"));
    }
    Ok(value)
}

/// Step 8: a `psv` other than ours is reported as such before the claims are read strictly,
/// since a newer payload would otherwise show up as unknown or missing claims. An absent `psv`
/// is left to the strict read, which reports it missing.
fn check_version(payload: &Value<'_>) -> Result<(), TokenError> {
    let Value::Object(members) = payload else {
        return Ok(());
    };
    match members.iter().find(|(k, _)| k == "psv").map(|(_, v)| v) {
        Some(Value::Int(v)) if *v != u64::from(SLIP_VERSION) => {
            Err(TokenError::UnsupportedVersion(*v))
        }
        Some(Value::Int(_)) | None => Ok(()),
        Some(other) => Err(TokenError::Malformed(format!(
            "payload: {}",
            invalid_type(other, claims::VERSION).at_key("psv")
        ))),
    }
}

/// Expired when `now >= exp + leeway` (an `exp` of 100 is no longer valid at 100).
pub(crate) fn is_expired(exp: u64, now: u64, leeway: u64) -> bool {
    now >= exp.saturating_add(leeway)
}

/// `typ` is a media type (RFC 7515 §4.1.9): compared case-insensitively, with the
/// `application/` prefix optional.
fn type_accepted(typ: &str) -> bool {
    let prefix = "application/";
    let short = match typ.get(..prefix.len()) {
        Some(head) if head.eq_ignore_ascii_case(prefix) => typ.get(prefix.len()..).unwrap_or(""),
        _ => typ,
    };
    short.eq_ignore_ascii_case(TOKEN_TYPE) || short.eq_ignore_ascii_case("JWT")
}

/// The protected header. Unknown parameters are ignored (RFC 7515 §4), except that `crit`
/// makes them mandatory, which is why its mere presence is refused.
struct Header {
    alg: String,
    kid: Option<String>,
    typ: Option<String>,
    crit: bool,
}

impl Header {
    fn from_json(value: Value<'_>) -> Result<Header, json::Error> {
        const SCHEMA: &[Field] = &[
            Field("alg", Str, Required),
            // A present member must be a string: `"kid": null` is malformed, not absent.
            Field("kid", Str, Optional),
            Field("typ", Str, Optional),
            // Any value, `null` included, counts as present.
            Field("crit", Any, Optional),
        ];
        let mut f = Fields::of(value, SCHEMA, true)?;
        Ok(Header {
            alg: f.string("alg"),
            kid: f.opt_string("kid"),
            typ: f.opt_string("typ"),
            crit: f.has("crit"),
        })
    }
}

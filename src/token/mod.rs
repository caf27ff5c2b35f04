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
//! 6. The signature verifies over the ASCII `header.payload` with `verify_strict`, which refuses
//!    small-order keys and `R` values and non-canonical `S`, so one signature cannot be
//!    malleated into a second valid one and a weak key cannot sign for every message.
//! 7. Payload: a JSON object without duplicate members at any depth (a parser that kept the
//!    first of two `sub`s would read a different token than one that kept the last).
//! 8. `psv` equals [`crate::slip::SLIP_VERSION`], read before the strict parse of the claims.
//! 9. Claims: exactly the known claims, well typed, and `slip.user.id == sub`.
//! 10. Audience, then issuer, then subject, then time (`exp`, `nbf`, with leeway), then serial.

pub mod base64url;
mod catalogue;
mod claims;
mod error;
mod jwks;
#[cfg(feature = "issue")]
mod sign;

use ed25519_dalek::Signature;
use serde::de::{Deserializer, IgnoredAny};
use serde::Deserialize;

#[cfg(feature = "issue")]
pub use catalogue::sign_catalogue;
pub use catalogue::{
    catalogue_hash, verify_catalogue, CatalogueClaims, CatalogueError, VerifiedCatalogue,
    CATALOGUE_TYPE,
};
pub use claims::{Audience, Claims};
pub use error::TokenError;
pub use jwks::Jwks;
#[cfg(feature = "issue")]
pub use sign::{jwks_json, sign, sign_compact, SigningKey};

use crate::slip::SLIP_VERSION;

/// The only accepted `alg`.
pub const ALGORITHM: &str = "EdDSA";
/// The `typ` the issuer writes.
pub const TOKEN_TYPE: &str = "permslip+jwt";
/// Default clock-skew allowance, in seconds.
pub const DEFAULT_LEEWAY: u64 = 60;
/// Default size limit of a token, in bytes (16 KiB).
pub const DEFAULT_MAX_TOKEN_BYTES: usize = 16 * 1024;

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
    let malformed = TokenError::Malformed;
    let Opened { kid, payload, .. } = open(token, keys, opts.max_token_bytes, type_accepted)?;
    // Signed from here on: the issuer wrote this, so errors below are issuer bugs or version
    // skew, not tampering.
    let probe: claims::VersionProbe = serde_json::from_slice(&payload)
        .map_err(|e| malformed(format!("payload: {}", strict_json::reason(&e))))?;
    if let Some(v) = probe.psv {
        if v != u64::from(SLIP_VERSION) {
            return Err(TokenError::UnsupportedVersion(v));
        }
    }
    let claims: Claims = serde_json::from_slice(&payload)
        .map_err(|e| malformed(format!("claims: {}", strict_json::reason(&e))))?;
    if claims.slip.user.id != claims.sub {
        return Err(malformed(format!(
            "claims: slip user `{}` is not the subject `{}`",
            claims.slip.user.id, claims.sub
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
    Ok((kid, claims))
}

/// A token whose size, structure, header, algorithm, key and signature checked out, with its
/// payload parsed as a JSON object without duplicate members.
pub(crate) struct Opened<'t> {
    pub(crate) kid: String,
    pub(crate) payload: Vec<u8>,
    /// The payload segment as signed (base64url), for binding by hash.
    pub(crate) payload_segment: &'t str,
}

/// Steps 1–7 of the validation criteria, shared by snapshots and catalogue bundles.
pub(crate) fn open<'t>(
    token: &'t str,
    keys: &Jwks,
    max_token_bytes: usize,
    typ_accepted: fn(&str) -> bool,
) -> Result<Opened<'t>, TokenError> {
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
    strict_json::check_object(&header_json).map_err(|e| malformed(format!("header: {e}")))?;
    let header: Header = serde_json::from_slice(&header_json)
        .map_err(|e| malformed(format!("header: {}", strict_json::reason(&e))))?;
    if header.crit {
        return Err(malformed(
            "header: `crit` extensions are not supported".into(),
        ));
    }
    if let Some(typ) = header.typ.as_deref() {
        if !typ_accepted(typ) {
            return Err(malformed(format!(
                "header: type `{typ}` is not `{TOKEN_TYPE}`"
            )));
        }
    }
    if header.alg != ALGORITHM {
        return Err(TokenError::UnsupportedAlgorithm(header.alg));
    }
    let Some(kid) = header.kid else {
        return Err(malformed("header: missing `kid`".into()));
    };
    let Some(key) = keys.get(&kid) else {
        return Err(TokenError::UnknownKey(kid));
    };

    let signature =
        base64url::decode(signature_b64).map_err(|e| malformed(format!("signature: {e}")))?;
    let signature = Signature::from_slice(&signature).map_err(|_| TokenError::BadSignature)?;
    key.verify_strict(signing_input.as_bytes(), &signature)
        .map_err(|_| TokenError::BadSignature)?;

    let payload = base64url::decode(payload_b64).map_err(|e| malformed(format!("payload: {e}")))?;
    strict_json::check_object(&payload).map_err(|e| malformed(format!("payload: {e}")))?;
    Ok(Opened {
        kid,
        payload,
        payload_segment: payload_b64,
    })
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
#[derive(Deserialize)]
struct Header {
    alg: String,
    #[serde(default, deserialize_with = "some_string")]
    kid: Option<String>,
    #[serde(default, deserialize_with = "some_string")]
    typ: Option<String>,
    #[serde(default, deserialize_with = "present")]
    crit: bool,
}

/// A present member must be a string: `"kid": null` is malformed, not absent.
fn some_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    String::deserialize(d).map(Some)
}

/// Any value, `null` included, counts as present.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    IgnoredAny::deserialize(d).map(|_| true)
}

/// A validating pass over JSON that refuses duplicate object members at every depth.
///
/// serde_json keeps the last of two equal keys in maps; JOSE (RFC 7515 §5.2) requires rejecting
/// them, since two parsers could otherwise disagree on what a signed document says.
pub(crate) mod strict_json {
    use std::collections::BTreeSet;
    use std::fmt;

    use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

    /// `Ok` when `bytes` is one JSON object with no duplicate member at any depth; otherwise a
    /// reason in the crate's message style.
    pub(crate) fn check_object(bytes: &[u8]) -> Result<(), String> {
        serde_json::from_slice::<Object>(bytes)
            .map(|_| ())
            .map_err(|e| reason(&e))
    }

    /// A serde_json error without its position suffix: positions inside a base64url part mean
    /// nothing to the reader of the token.
    pub(crate) fn reason(e: &serde_json::Error) -> String {
        let full = e.to_string();
        let position = format!(" at line {} column {}", e.line(), e.column());
        match full.strip_suffix(&position) {
            Some(short) => short.to_owned(),
            None => full,
        }
    }

    struct Object;
    struct Value;
    struct ObjectVisitor;
    struct ValueVisitor;

    impl<'de> Deserialize<'de> for Object {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_map(ObjectVisitor).map(|()| Object)
        }
    }

    impl<'de> Deserialize<'de> for Value {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_any(ValueVisitor).map(|()| Value)
        }
    }

    fn members<'de, A: MapAccess<'de>>(mut map: A) -> Result<(), A::Error> {
        let mut seen = BTreeSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if seen.contains(&key) {
                return Err(de::Error::custom(format!("duplicate key `{key}`")));
            }
            map.next_value::<Value>()?;
            seen.insert(key);
        }
        Ok(())
    }

    impl<'de> Visitor<'de> for ObjectVisitor {
        type Value = ();

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a JSON object")
        }

        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
            members(map)
        }
    }

    impl<'de> Visitor<'de> for ValueVisitor {
        type Value = ();

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a JSON value")
        }

        fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
            Ok(())
        }

        fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
            Ok(())
        }

        fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
            Ok(())
        }

        fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
            Ok(())
        }

        fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
            Ok(())
        }

        fn visit_unit<E: de::Error>(self) -> Result<(), E> {
            Ok(())
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            while seq.next_element::<Value>()?.is_some() {}
            Ok(())
        }

        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
            members(map)
        }
    }
}

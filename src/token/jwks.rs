//! The verifier's key set: a standard JWKS (RFC 7517) holding Ed25519 public keys (RFC 8037).
//!
//! Several keys may be published at once so an issuer can rotate: publish the new key, start
//! signing with it, and drop the old one once its last tokens have expired.

use std::sync::Arc;

use ed25519_dalek::VerifyingKey;

use super::equation::PublicKey;
use super::{base64url, json_object, TokenError};
use crate::json::read::Kind::{Any, NullableStr, Str};
use crate::json::read::Presence::{Optional, Required};
use crate::json::read::{array, Field, Fields};
use crate::json::{self, Value};
use permslip_lite::strict;

/// Ed25519 public keys by key id, each decoded and checked once, when the set is loaded.
///
/// Decoding a public key is a point decompression, which costs about as much as a hash of a
/// few kilobytes; doing it at load keeps it out of every verification.
#[derive(Debug, Clone)]
pub struct Jwks {
    /// Shared by clones: a key's fixed-base table (see `equation.rs`) is built once.
    keys: Vec<(String, Arc<PublicKey>)>,
}

/// One JWK as published; only the members we look at. Others (`n`, `e`, `key_ops`...) are
/// ignored so a mixed key set with RSA or EC keys still loads. As with serde's defaults before,
/// a member that is `null` counts as absent: key sets come from other tools.
struct RawKey {
    kty: String,
    crv: Option<String>,
    x: Option<String>,
    /// Whether a non-null `d` (private material) is present, whatever its type.
    d: bool,
    kid: Option<String>,
    alg: Option<String>,
    use_: Option<String>,
}

impl RawKey {
    fn from_json(value: Value<'_>) -> Result<RawKey, json::Error> {
        const SCHEMA: &[Field] = &[
            Field("kty", Str, Required),
            Field("crv", NullableStr, Optional),
            Field("x", NullableStr, Optional),
            Field("d", Any, Optional),
            Field("kid", NullableStr, Optional),
            Field("alg", NullableStr, Optional),
            Field("use", NullableStr, Optional),
        ];
        let mut f = Fields::of(value, SCHEMA, true)?;
        Ok(RawKey {
            kty: f.string("kty"),
            crv: f.opt_string("crv"),
            x: f.opt_string("x"),
            d: f.with("d", |d| Ok(!matches!(d, Value::Null)))?
                .unwrap_or(false),
            kid: f.opt_string("kid"),
            alg: f.opt_string("alg"),
            use_: f.opt_string("use"),
        })
    }
}

/// The `keys` of a JWKS document; other members are ignored.
fn raw_keys(json: &str) -> Result<Vec<RawKey>, json::Error> {
    const SCHEMA: &[Field] = &[Field("keys", Any, Required)];
    let mut f = Fields::of(json_object(json.as_bytes())?, SCHEMA, true)?;
    f.required("keys", |keys| array(keys, RawKey::from_json))
}

impl Jwks {
    /// Parses a JWKS document, e.g. `{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"k1","x":"…"}]}`.
    ///
    /// Keys of other types (RSA, EC, X25519...) are skipped, not rejected. Everything that
    /// suggests a mistake is rejected with [`TokenError::InvalidKeySet`]: duplicate JSON members,
    /// any key carrying private material (`d`), an Ed25519 key without `kid`, with a malformed
    /// or weak (small-order) `x`, with an `alg` other than `EdDSA`/`Ed25519` or a `use` other
    /// than `sig`, two Ed25519 keys with one `kid`, and a set with no Ed25519 key at all.
    pub fn from_json(json: &str) -> Result<Jwks, TokenError> {
        let invalid = TokenError::InvalidKeySet;
        let raw = raw_keys(json).map_err(|e| invalid(e.to_string()))?;

        let mut keys: Vec<(String, Arc<PublicKey>)> = Vec::new();
        for key in raw {
            if key.d {
                // A private key in a published set is a leak; refusing it gets it noticed.
                return Err(invalid("a key includes private material `d`".into()));
            }
            if key.kty != "OKP" || key.crv.as_deref() != Some("Ed25519") {
                continue;
            }
            let Some(kid) = key.kid else {
                return Err(invalid("an Ed25519 key has no `kid`".into()));
            };
            if let Some(alg) = key.alg.as_deref() {
                // `Ed25519` is the fully-specified name of RFC 9864 for the same algorithm.
                if alg != "EdDSA" && alg != "Ed25519" {
                    return Err(invalid(format!(
                        "key `{kid}` has algorithm `{alg}`, expected `EdDSA`"
                    )));
                }
            }
            if let Some(use_) = key.use_.as_deref() {
                if use_ != "sig" {
                    return Err(invalid(format!(
                        "key `{kid}` has use `{use_}`, expected `sig`"
                    )));
                }
            }
            let verifying = parse_public_key(&kid, key.x.as_deref())?;
            if keys.iter().any(|(k, _)| *k == kid) {
                return Err(invalid(format!("duplicate key id `{kid}`")));
            }
            let key = PublicKey::new(verifying.to_bytes(), verifying.to_edwards());
            keys.push((kid, Arc::new(key)));
        }
        if keys.is_empty() {
            return Err(invalid("no Ed25519 signing key".into()));
        }
        Ok(Jwks { keys })
    }

    /// The key ids, in document order.
    pub fn kids(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().map(|(kid, _)| kid.as_str())
    }

    /// The position of the key `kid`. A linear scan: sets hold a handful of keys.
    pub(crate) fn index_of(&self, kid: &str) -> Option<usize> {
        self.keys.iter().position(|(k, _)| k == kid)
    }

    /// The key at `index` (see [`Jwks::index_of`]).
    pub(crate) fn key(&self, index: usize) -> Option<&PublicKey> {
        self.keys.get(index).map(|(_, key)| key.as_ref())
    }

    /// Builds the fixed-base table of the key at `index` now rather than after its first
    /// verifications (see `equation.rs`): for a host that verified those itself.
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    pub(crate) fn prepare_key(&self, index: usize) {
        if let Some(key) = self.key(index) {
            key.prepare_table();
        }
    }

    /// The 32-byte encoding of the key at `index`, for a host that verifies with its own
    /// Ed25519.
    pub fn public_key_bytes(&self, index: usize) -> Option<&[u8; 32]> {
        self.key(index).map(PublicKey::bytes)
    }
}

/// Decodes and checks an Ed25519 public key `x` (shared with the issuing side's JWK import).
pub(crate) fn parse_public_key(kid: &str, x: Option<&str>) -> Result<VerifyingKey, TokenError> {
    let invalid = TokenError::InvalidKeySet;
    let Some(x) = x else {
        return Err(invalid(format!("key `{kid}` has no `x`")));
    };
    let bytes = base64url::decode(x)
        .map_err(|e| invalid(format!("key `{kid}` has an invalid `x`: {e}")))?;
    let bytes: [u8; 32] = bytes
        .try_into()
        .map_err(|_| invalid(format!("key `{kid}` has an `x` that is not 32 bytes")))?;
    // A host's Ed25519 may read a non-canonical `y` differently from ours; no real key has one.
    if !strict::is_canonical_point(&bytes) {
        return Err(invalid(format!(
            "key `{kid}` is not a canonical Ed25519 point encoding"
        )));
    }
    let key = VerifyingKey::from_bytes(&bytes)
        .map_err(|_| invalid(format!("key `{kid}` is not an Ed25519 public key")))?;
    // Essential, not a courtesy: under a small-order key `[S]B = R + [k]A` holds for any
    // `R = [S]B`, so anyone could sign. This is where `verify_strict`'s small-order check on
    // the key lives for every equation permslip uses (its own and the host's); and refusing
    // the key at load tells the operator at once.
    if key.is_weak() {
        return Err(invalid(format!("key `{kid}` is a weak (small-order) key")));
    }
    Ok(key)
}

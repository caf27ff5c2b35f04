//! The issuing side of the JWS layer (feature `issue`): signing keys, JWK export and signing.
//!
//! Kept out of the verifier build so a browser bundle carries no signing code.

use std::fmt;

use ed25519_dalek::Signer;
use serde_json::{Map, Value};

use super::jwks::parse_public_key;
use super::{base64url, json_object, Claims, TokenError, ALGORITHM, TOKEN_TYPE};
use crate::json::read::Kind::{NullableStr, Str};
use crate::json::read::Presence::{Optional, Required};
use crate::json::read::{Field, Fields};

/// An Ed25519 private key with the key id that tokens signed by it name in their header.
#[derive(Clone)]
pub struct SigningKey {
    kid: String,
    key: ed25519_dalek::SigningKey,
}

/// A private OKP JWK (RFC 8037 §2); only the members we use (`null` counts as absent).
struct RawPrivateKey {
    kty: String,
    crv: Option<String>,
    d: Option<String>,
    x: Option<String>,
    kid: Option<String>,
}

impl RawPrivateKey {
    fn from_json(json: &str) -> Result<RawPrivateKey, crate::json::Error> {
        const SCHEMA: &[Field] = &[
            Field("kty", Str, Required),
            Field("crv", NullableStr, Optional),
            Field("d", NullableStr, Optional),
            Field("x", NullableStr, Optional),
            Field("kid", NullableStr, Optional),
        ];
        let mut f = Fields::of(json_object(json.as_bytes())?, SCHEMA, true)?;
        Ok(RawPrivateKey {
            kty: f.string("kty"),
            crv: f.opt_string("crv"),
            d: f.opt_string("d"),
            x: f.opt_string("x"),
            kid: f.opt_string("kid"),
        })
    }
}

impl SigningKey {
    /// A key from its 32-byte Ed25519 seed (the JWK `d`) and its key id.
    pub fn from_seed(kid: impl Into<String>, seed: &[u8; 32]) -> SigningKey {
        SigningKey {
            kid: kid.into(),
            key: ed25519_dalek::SigningKey::from_bytes(seed),
        }
    }

    /// A key from a private JWK: `{"kty":"OKP","crv":"Ed25519","kid":…,"d":…,"x":…}`.
    ///
    /// `x` is required and must be the public key of `d`, so a key file whose halves were
    /// mixed up is refused rather than publishing a JWKS that verifies nothing.
    pub fn from_jwk(json: &str) -> Result<SigningKey, TokenError> {
        let invalid = TokenError::InvalidKeySet;
        let raw = RawPrivateKey::from_json(json).map_err(|e| invalid(e.to_string()))?;
        if raw.kty != "OKP" || raw.crv.as_deref() != Some("Ed25519") {
            return Err(invalid("not an Ed25519 key".into()));
        }
        let Some(kid) = raw.kid else {
            return Err(invalid("the key has no `kid`".into()));
        };
        let Some(d) = raw.d else {
            return Err(invalid(format!("key `{kid}` has no private part `d`")));
        };
        let seed = base64url::decode(&d)
            .map_err(|e| invalid(format!("key `{kid}` has an invalid `d`: {e}")))?;
        let seed: [u8; 32] = seed
            .try_into()
            .map_err(|_| invalid(format!("key `{kid}` has a `d` that is not 32 bytes")))?;
        let public = parse_public_key(&kid, raw.x.as_deref())?;
        let key = SigningKey::from_seed(kid, &seed);
        if key.key.verifying_key() != public {
            return Err(invalid(format!(
                "key `{}`: `d` does not match `x`",
                key.kid
            )));
        }
        Ok(key)
    }

    /// The key id.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public JWK, for publishing in a JWKS: `kty`, `crv`, `x`, `kid`, `alg`, `use`.
    pub fn to_public_jwk(&self) -> String {
        Value::Object(self.public_members()).to_string()
    }

    /// The private JWK (the public members plus `d`). Store it as a secret.
    pub fn to_private_jwk(&self) -> String {
        let mut members = self.public_members();
        members.insert(
            "d".into(),
            Value::String(base64url::encode(self.key.as_bytes())),
        );
        Value::Object(members).to_string()
    }

    fn public_members(&self) -> Map<String, Value> {
        let x = base64url::encode(self.key.verifying_key().as_bytes());
        let mut m = Map::new();
        m.insert("kty".into(), Value::String("OKP".into()));
        m.insert("crv".into(), Value::String("Ed25519".into()));
        m.insert("x".into(), Value::String(x));
        m.insert("kid".into(), Value::String(self.kid.clone()));
        m.insert("alg".into(), Value::String(ALGORITHM.into()));
        m.insert("use".into(), Value::String("sig".into()));
        m
    }
}

impl fmt::Debug for SigningKey {
    // Never the seed: keys end up in logs through `{:?}` of whatever holds them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .field("x", &base64url::encode(self.key.verifying_key().as_bytes()))
            .finish_non_exhaustive()
    }
}

/// A JWKS document publishing the public halves of `keys`, e.g. the current and the next key
/// during a rotation.
pub fn jwks_json(keys: &[&SigningKey]) -> String {
    let keys = keys
        .iter()
        .map(|k| Value::Object(k.public_members()))
        .collect();
    let mut doc = Map::new();
    doc.insert("keys".into(), Value::Array(keys));
    Value::Object(doc).to_string()
}

/// Signs `claims` as a snapshot token with header `{"alg":"EdDSA","kid":…,"typ":"permslip+jwt"}`.
///
/// Does not check the claims: the issuer (`crate::issue`) builds them, and the verifier checks
/// everything again.
pub fn sign(claims: &Claims, key: &SigningKey) -> String {
    let mut header = Map::new();
    header.insert("alg".into(), Value::String(ALGORITHM.into()));
    header.insert("kid".into(), Value::String(key.kid.clone()));
    header.insert("typ".into(), Value::String(TOKEN_TYPE.into()));
    let header = Value::Object(header).to_string();
    #[expect(
        clippy::expect_used,
        reason = "serde_json fails only on non-string map keys or a failing custom `Serialize`, \
                  and `Claims` has neither"
    )]
    let payload = serde_json::to_vec(claims).expect("claims always serialize");
    sign_compact(header.as_bytes(), &payload, key)
}

/// Signs arbitrary header and payload bytes into a compact JWS: the primitive under [`sign`].
///
/// Nothing is checked, which is the point: test vectors use it to build tokens that must be
/// refused (`alg: none`, duplicate members, a payload that is not an object...).
pub fn sign_compact(header: &[u8], payload: &[u8], key: &SigningKey) -> String {
    let mut token = base64url::encode(header);
    token.push('.');
    token.push_str(&base64url::encode(payload));
    let signature = key.key.sign(token.as_bytes());
    token.push('.');
    token.push_str(&base64url::encode(&signature.to_bytes()));
    token
}

/// Signs a lite payload (`docs/LITE.md`) under the one header the lite module accepts.
/// Fails when the key id cannot be written there (1–128 bytes of `[A-Za-z0-9._~:/+=-]`).
pub fn sign_lite(payload: &[u8], key: &SigningKey) -> Result<String, TokenError> {
    use permslip_lite::token::{is_kid_byte, HEADER_PREFIX, HEADER_SUFFIX, MAX_KID};
    let kid = key.kid.as_bytes();
    if kid.is_empty() || kid.len() > MAX_KID || !kid.iter().all(|b| is_kid_byte(*b)) {
        return Err(TokenError::InvalidKeySet(format!(
            "key id `{}` cannot be written in a lite header (1-{MAX_KID} of A-Z a-z 0-9 . _ ~ : / + = -)",
            key.kid
        )));
    }
    let header = [HEADER_PREFIX, kid, HEADER_SUFFIX].concat();
    Ok(sign_compact(&header, payload, key))
}

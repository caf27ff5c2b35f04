//! The snapshot payload: registered JWT claims plus the versioned slip.
//!
//! Unknown claims are rejected, like unknown slip fields, so a newer issuer's meaning is never
//! silently half-understood: a new claim comes with a new `psv`.

use std::fmt;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::ser::{SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};

use crate::json::read::Kind::{Any, Str, Uint, Uint32};
use crate::json::read::Presence::{Optional, Required};
use crate::json::read::{array, invalid_type, string, Field, Fields};
use crate::json::{Error, Value};
use crate::slip::Slip;

/// The claims of a snapshot token (the JWS payload).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claims {
    /// Issuer: who cut and signed the snapshot.
    pub iss: String,
    /// Subject: the user the snapshot is about; equals `slip.user.id`.
    pub sub: String,
    /// Audience: the application(s) the snapshot is meant for.
    pub aud: Audience,
    /// Issued at, in Unix seconds.
    #[serde(deserialize_with = "seconds")]
    pub iat: u64,
    /// Not before, in Unix seconds. Default: `iat` (see [`Claims::not_before`]).
    #[serde(
        default,
        deserialize_with = "opt_seconds",
        skip_serializing_if = "Option::is_none"
    )]
    pub nbf: Option<u64>,
    /// Expires at, in Unix seconds.
    #[serde(deserialize_with = "seconds")]
    pub exp: u64,
    /// Token id, for the issuer's logs. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
    /// Issue counter, increasing per subject; verifiers refuse serials below the last one seen
    /// so an older, more generous snapshot cannot be replayed.
    #[serde(deserialize_with = "serial")]
    pub serial: u64,
    /// Payload format version; must equal [`crate::slip::SLIP_VERSION`].
    #[serde(deserialize_with = "version")]
    pub psv: u32,
    /// The user's permission slice.
    pub slip: Slip,
}

impl Claims {
    /// When the token becomes valid: `nbf`, or `iat` when `nbf` is absent.
    pub fn not_before(&self) -> u64 {
        self.nbf.unwrap_or(self.iat)
    }
}

/// The `aud` claim: one audience (a string) or several (an array of strings), as RFC 7519 allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// A single audience, written as a string.
    One(String),
    /// Several audiences, written as a non-empty array.
    Many(Vec<String>),
}

impl Audience {
    /// Whether `audience` is one of the token's audiences (exact, case-sensitive match).
    pub fn contains(&self, audience: &str) -> bool {
        self.iter().any(|a| a == audience)
    }

    /// The audiences, in token order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        let all: &[String] = match self {
            Audience::One(a) => std::slice::from_ref(a),
            Audience::Many(all) => all,
        };
        all.iter().map(String::as_str)
    }
}

impl Serialize for Audience {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Audience::One(a) => serializer.serialize_str(a),
            Audience::Many(all) => {
                let mut seq = serializer.serialize_seq(Some(all.len()))?;
                for a in all {
                    seq.serialize_element(a)?;
                }
                seq.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for Audience {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Hand-written rather than `#[serde(untagged)]`, whose error names the Rust type.
        struct AudienceVisitor;

        impl<'de> Visitor<'de> for AudienceVisitor {
            type Value = Audience;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or a non-empty array of strings")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Audience, E> {
                Ok(Audience::One(v.to_owned()))
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Audience, A::Error> {
                let mut all = Vec::new();
                while let Some(a) = seq.next_element::<String>()? {
                    all.push(a);
                }
                if all.is_empty() {
                    return Err(de::Error::invalid_length(0, &self));
                }
                Ok(Audience::Many(all))
            }
        }

        deserializer.deserialize_any(AudienceVisitor)
    }
}

/// A non-negative integer, with an error message that names no Rust type.
struct Unsigned(&'static str);

impl Visitor<'_> for Unsigned {
    type Value = u64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
        Ok(v)
    }
}

fn seconds<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    d.deserialize_u64(Unsigned("a non-negative integer number of seconds"))
}

fn opt_seconds<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    // Only reached when the claim is present; an explicit `null` is not a time.
    seconds(d).map(Some)
}

fn serial<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    d.deserialize_u64(Unsigned("a non-negative integer"))
}

fn version<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    const WHAT: &str = "a format version number";
    let v = d.deserialize_u64(Unsigned(WHAT))?;
    u32::try_from(v).map_err(|_| de::Error::invalid_value(de::Unexpected::Unsigned(v), &WHAT))
}

// ---------------------------------------------------------------------------------------------
// Reading, for the verifying path: the strict reader of `crate::json` (see `crate::slip`).

/// What `iat`, `nbf` and `exp` must be.
pub(crate) const SECONDS: &str = "a non-negative integer number of seconds";
/// What `psv` must be.
pub(crate) const VERSION: &str = "a format version number";

impl Claims {
    /// Reads the claims from a parsed payload.
    pub(crate) fn from_json(value: Value<'_>) -> Result<Claims, Error> {
        const SCHEMA: &[Field] = &[
            Field("iss", Str, Required),
            Field("sub", Str, Required),
            Field("aud", Any, Required),
            Field("iat", Uint(SECONDS), Required),
            Field("nbf", Uint(SECONDS), Optional),
            Field("exp", Uint(SECONDS), Required),
            Field("jti", Str, Optional),
            Field("serial", Uint("a non-negative integer"), Required),
            Field("psv", Uint32(VERSION), Required),
            Field("slip", Any, Required),
        ];
        let mut f = Fields::of(value, SCHEMA, false)?;
        Ok(Claims {
            iss: f.string("iss"),
            sub: f.string("sub"),
            aud: f.required("aud", Audience::from_json)?,
            iat: f.uint("iat"),
            nbf: f.opt_uint("nbf"),
            exp: f.uint("exp"),
            jti: f.opt_string("jti"),
            serial: f.uint("serial"),
            psv: f.uint32("psv"),
            slip: f.required("slip", Slip::from_json)?,
        })
    }
}

impl Audience {
    /// Reads `aud`: a string or a non-empty array of strings.
    pub(crate) fn from_json(value: Value<'_>) -> Result<Audience, Error> {
        const WHAT: &str = "a string or a non-empty array of strings";
        match value {
            Value::Str(one) => Ok(Audience::One(one.into_owned())),
            Value::Array(items) if !items.is_empty() => {
                array(Value::Array(items), string).map(Audience::Many)
            }
            Value::Array(_) => Err(Error::new(format!("invalid length 0, expected {WHAT}"))),
            other => Err(invalid_type(&other, WHAT)),
        }
    }
}

//! The lite token's envelope: a compact JWS with one exact header and a binary payload.

use crate::base64url::{decode_into, decoded_len, validate};
use crate::{strict, Error, Status};

/// The header before the key id. The whole header is fixed byte for byte (`docs/LITE.md`), so
/// there is exactly one way to write it and no JSON reader in the module.
pub const HEADER_PREFIX: &[u8] = br#"{"alg":"EdDSA","typ":"permslip-lite","kid":""#;
/// The header after the key id.
pub const HEADER_SUFFIX: &[u8] = br#""}"#;
/// The longest key id, in bytes.
pub const MAX_KID: usize = 128;
/// Room for the longest decoded header.
pub const HEADER_ROOM: usize = HEADER_PREFIX.len() + MAX_KID + HEADER_SUFFIX.len();

/// Whether a key id byte needs no escaping in JSON and is one the issuer writes.
pub fn is_kid_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"._~:/+=-".contains(&b)
}

/// A token split and pre-checked; the signature's equation is still to be checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Opened<'a> {
    /// The key id (a slice of the decoded header).
    pub kid: &'a [u8],
    /// The length of the signing input `header.payload`: the token's first bytes.
    pub signed_len: usize,
    /// `R || S`.
    pub signature: [u8; 64],
    /// The payload segment, still base64url.
    pub payload: &'a [u8],
}

/// Splits `token`, decodes its header into `header` and checks it, decodes the signature and
/// runs the strict checks.
pub fn open<'a>(token: &'a [u8], header: &'a mut [u8; HEADER_ROOM]) -> Result<Opened<'a>, Error> {
    let mut parts = token.split(|b| *b == b'.');
    let (Some(h64), Some(p64), Some(s64), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Error::malformed("not three dot-separated segments"));
    };
    let header_len = decoded_len(h64.len())
        .filter(|n| *n <= HEADER_ROOM)
        .ok_or(Error::malformed("header: not a permslip-lite header"))?;
    let decoded = header
        .get_mut(..header_len)
        .ok_or(Error::malformed("header: not a permslip-lite header"))?;
    decode_into(h64, decoded).map_err(|_| Error::malformed("header: invalid base64url"))?;
    let kid = kid_of(decoded)?;

    // As the full build: bad base64url is malformed, any other length a bad signature.
    let mut signature = [0u8; 64];
    match decoded_len(s64.len()) {
        Some(64) => decode_into(s64, &mut signature)
            .map_err(|_| Error::malformed("signature: invalid base64url"))?,
        _ if validate(s64).is_err() => {
            return Err(Error::malformed("signature: invalid base64url"))
        }
        _ => return Err(Error::new(Status::BadSignature, "signature: not 64 bytes")),
    }
    if !strict::signature_prechecks_pass(&signature) {
        return Err(Error::new(Status::BadSignature, "signature: not canonical"));
    }
    Ok(Opened {
        kid,
        signed_len: h64.len() + 1 + p64.len(),
        signature,
        payload: p64,
    })
}

/// The key id of an exact lite header.
fn kid_of(header: &[u8]) -> Result<&[u8], Error> {
    let Some(rest) = header.strip_prefix(HEADER_PREFIX) else {
        let alg = br#"{"alg":""#;
        return Err(match header.strip_prefix(&alg[..]) {
            Some(after) if !after.starts_with(b"EdDSA\"") => {
                Error::new(Status::UnsupportedAlgorithm, "header: alg is not EdDSA")
            }
            _ => Error::malformed("header: not a permslip-lite header"),
        });
    };
    match rest.strip_suffix(HEADER_SUFFIX) {
        Some(kid)
            if !kid.is_empty() && kid.len() <= MAX_KID && kid.iter().all(|b| is_kid_byte(*b)) =>
        {
            Ok(kid)
        }
        _ => Err(Error::malformed("header: bad kid")),
    }
}

/// Whether 32 bytes are a usable Ed25519 public key: canonical, not of small order.
pub fn key_usable(key: &[u8; 32]) -> bool {
    strict::is_canonical_point(key) && !strict::is_small_order_encoding(key)
}

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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    fn b64(bytes: &[u8]) -> std::string::String {
        const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut out = std::string::String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk.len();
            let v = (u32::from(chunk[0]) << 16)
                | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
                | u32::from(*chunk.get(2).unwrap_or(&0));
            for i in 0..=n {
                out.push(A[((v >> (18 - 6 * i)) & 63) as usize] as char);
            }
        }
        out
    }

    /// A token with `header`, a payload and a signature that passes the strict checks.
    fn token(header: &[u8]) -> std::string::String {
        let mut sig = [0u8; 64];
        sig[0] = 0x58; // R: the base point's encoding (large order, canonical)
        sig[1..32].copy_from_slice(&[0x66; 31]);
        format!("{}.{}.{}", b64(header), b64(b"PSL\x01"), b64(&sig))
    }

    fn status(t: &str) -> Result<std::vec::Vec<u8>, Status> {
        let mut header = [0u8; HEADER_ROOM];
        open(t.as_bytes(), &mut header)
            .map(|o| o.kid.to_vec())
            .map_err(|e| e.status)
    }

    #[test]
    fn only_the_exact_header_opens() {
        let ok = br#"{"alg":"EdDSA","typ":"permslip-lite","kid":"k-1"}"#;
        assert_eq!(status(&token(ok)), Ok(b"k-1".to_vec()));
        for (header, want) in [
            (
                &br#"{"alg":"EdDSA","kid":"k-1","typ":"permslip-lite"}"#[..],
                Status::Malformed,
            ),
            (
                br#"{"alg":"EdDSA","typ":"permslip+jwt","kid":"k-1"}"#,
                Status::Malformed,
            ),
            (
                br#"{"alg":"EdDSA","typ":"permslip-lite","kid":""}"#,
                Status::Malformed,
            ),
            (
                br#"{"alg":"EdDSA","typ":"permslip-lite","kid":"a b"}"#,
                Status::Malformed,
            ),
            (
                br#"{"alg":"EdDSA", "typ":"permslip-lite","kid":"k"}"#,
                Status::Malformed,
            ),
            (
                br#"{"alg":"none","typ":"permslip-lite","kid":"k"}"#,
                Status::UnsupportedAlgorithm,
            ),
            (
                br#"{"alg":"HS256","typ":"permslip-lite","kid":"k"}"#,
                Status::UnsupportedAlgorithm,
            ),
        ] {
            assert_eq!(
                status(&token(header)),
                Err(want),
                "{}",
                std::string::String::from_utf8_lossy(header)
            );
        }
        let long = format!(
            r#"{{"alg":"EdDSA","typ":"permslip-lite","kid":"{}"}}"#,
            "k".repeat(MAX_KID + 1)
        );
        assert_eq!(status(&token(long.as_bytes())), Err(Status::Malformed));
    }

    #[test]
    fn signatures_are_decoded_then_measured_then_checked() {
        let ok = token(br#"{"alg":"EdDSA","typ":"permslip-lite","kid":"k"}"#);
        let (head, sig) = ok.rsplit_once('.').unwrap();
        assert_eq!(status(&format!("{head}.{sig}A")), Err(Status::BadSignature));
        assert_eq!(status(&format!("{head}.{sig}!")), Err(Status::Malformed));
        assert_eq!(
            status(&format!("{head}.{}", &sig[..40])),
            Err(Status::BadSignature)
        );
        // S = L is not canonical.
        let mut bad = [0u8; 64];
        bad[0] = 0x58;
        bad[1..32].copy_from_slice(&[0x66; 31]);
        bad[32..].copy_from_slice(&crate::strict::tests_l());
        assert_eq!(
            status(&format!("{head}.{}", b64(&bad))),
            Err(Status::BadSignature)
        );
        assert_eq!(status("a.b"), Err(Status::Malformed));
        assert_eq!(status("a.b.c.d"), Err(Status::Malformed));
    }

    #[test]
    fn validate_refuses_what_decoding_refuses() {
        use crate::base64url::validate;
        assert!(validate(b"Zm9vYg").is_ok());
        assert!(validate(b"Zm9vY").is_err());
        assert!(validate(b"Zh").is_err());
        assert!(validate(b"Zg==").is_err());
        assert!(validate(b"+/8").is_err());
    }
}

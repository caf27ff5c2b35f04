//! Base64url for tokens: the strict decoder is the lite crate's (`permslip_lite::base64url`,
//! shared so both verifiers accept exactly the same spellings); encoding is issuer-side.

pub use permslip_lite::base64url::DecodeError;
use permslip_lite::base64url::{decode_into, decoded_len};

/// Decodes unpadded base64url, rejecting every non-canonical spelling (padding, the standard
/// alphabet, impossible lengths, non-zero trailing bits).
pub fn decode(input: &str) -> Result<Vec<u8>, DecodeError> {
    let bytes = input.as_bytes();
    let mut out = vec![0u8; decoded_len(bytes.len()).ok_or(DecodeError::InvalidLength)?];
    decode_into(bytes, &mut out)?;
    Ok(out)
}

/// The base64url character for the low 6 bits of `v` (a `match`, not a table, so no indexing).
fn symbol(v: u32) -> char {
    // Truncation is the point: only the low 6 bits are ever meaningful here.
    let v = (v & 0x3f) as u8;
    let c = match v {
        0..=25 => b'A' + v,
        26..=51 => b'a' + (v - 26),
        52..=61 => b'0' + (v - 52),
        62 => b'-',
        _ => b'_',
    };
    char::from(c)
}

/// Encodes bytes as unpadded base64url.
pub fn encode(input: &[u8]) -> String {
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let mut it = chunk.iter().map(|&b| u32::from(b));
        let b0 = it.next().unwrap_or(0);
        let b1 = it.next();
        let b2 = it.next();
        let acc = (b0 << 16) | (b1.unwrap_or(0) << 8) | b2.unwrap_or(0);
        out.push(symbol(acc >> 18));
        out.push(symbol(acc >> 12));
        if b1.is_some() {
            out.push(symbol(acc >> 6));
        }
        if b2.is_some() {
            out.push(symbol(acc));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 4648 §10 vectors, in the URL alphabet and without padding.
    const VECTORS: &[(&str, &str)] = &[
        ("", ""),
        ("f", "Zg"),
        ("fo", "Zm8"),
        ("foo", "Zm9v"),
        ("foob", "Zm9vYg"),
        ("fooba", "Zm9vYmE"),
        ("foobar", "Zm9vYmFy"),
    ];

    #[test]
    fn rfc4648_vectors_round_trip() {
        for (plain, encoded) in VECTORS {
            assert_eq!(encode(plain.as_bytes()), *encoded);
            assert_eq!(decode(encoded).unwrap(), plain.as_bytes());
        }
    }

    #[test]
    fn url_alphabet_both_ways() {
        assert_eq!(encode(&[0xfb, 0xff]), "-_8");
        assert_eq!(decode("-_8").unwrap(), vec![0xfb, 0xff]);
    }

    #[test]
    fn every_byte_value_round_trips() {
        let all: Vec<u8> = (0..=255).collect();
        for len in 0..all.len() {
            let data = &all[..len];
            assert_eq!(decode(&encode(data)).unwrap(), data);
        }
    }

    #[test]
    fn rejects_padding() {
        assert_eq!(decode("Zg=="), Err(DecodeError::InvalidByte(2)));
        assert_eq!(decode("Zm8="), Err(DecodeError::InvalidByte(3)));
    }

    #[test]
    fn rejects_standard_alphabet() {
        assert_eq!(decode("+/8"), Err(DecodeError::InvalidByte(0)));
        assert_eq!(decode("-/8"), Err(DecodeError::InvalidByte(1)));
    }

    #[test]
    fn rejects_whitespace_and_non_ascii() {
        assert_eq!(decode("Zm9v Yg"), Err(DecodeError::InvalidByte(4)));
        assert_eq!(decode("Zm9v\n"), Err(DecodeError::InvalidLength));
        assert_eq!(decode("Zm9vé"), Err(DecodeError::InvalidByte(4)));
    }

    #[test]
    fn rejects_impossible_length() {
        assert_eq!(decode("Z"), Err(DecodeError::InvalidLength));
        assert_eq!(decode("Zm9vY"), Err(DecodeError::InvalidLength));
    }

    #[test]
    fn rejects_non_canonical_trailing_bits() {
        // "Zg" is canonical for "f"; "Zh" decodes to the same byte with a low bit set.
        assert_eq!(decode("Zh"), Err(DecodeError::NonCanonical));
        assert_eq!(decode("Zm9"), Err(DecodeError::NonCanonical));
        // Every non-canonical spelling of one and two trailing bytes is caught.
        for c in 0u32..64 {
            let two = format!("Z{}", symbol(c));
            assert_eq!(decode(&two).is_ok(), c & 0xf == 0, "{two}");
            let three = format!("Zm{}", symbol(c));
            assert_eq!(decode(&three).is_ok(), c & 0x3 == 0, "{three}");
        }
    }

    #[test]
    fn messages_follow_the_style() {
        assert_eq!(
            DecodeError::InvalidByte(3).to_string(),
            "invalid base64url character at offset 3"
        );
        assert_eq!(
            DecodeError::InvalidLength.to_string(),
            "invalid base64url length"
        );
        assert_eq!(
            DecodeError::NonCanonical.to_string(),
            "non-canonical base64url trailing bits"
        );
    }
}

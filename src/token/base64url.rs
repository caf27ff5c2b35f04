//! Strict base64url without padding (RFC 4648 §5, as JWS requires in RFC 7515 §2).
//!
//! Hand-written rather than a dependency because the verifier ships in a browser bundle and
//! needs only these few dozen lines. Strict because a token must have exactly one spelling:
//! padding, the standard alphabet (`+`, `/`), impossible lengths and non-zero unused trailing
//! bits are all rejected, so two different strings never decode to the same bytes.

use std::fmt;

/// Why a string is not canonical unpadded base64url.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecodeError {
    /// A byte outside `A-Z a-z 0-9 - _` (padding `=` and `+`, `/` included) at this offset.
    InvalidByte(usize),
    /// A length that leaves a single character in the last group: no byte count encodes to it.
    InvalidLength,
    /// The unused low bits of the last character are not zero: a non-canonical spelling.
    NonCanonical,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::InvalidByte(at) => write!(f, "invalid base64url character at offset {at}"),
            DecodeError::InvalidLength => f.write_str("invalid base64url length"),
            DecodeError::NonCanonical => f.write_str("non-canonical base64url trailing bits"),
        }
    }
}

impl std::error::Error for DecodeError {}

/// The 6-bit value of each byte as a base64url character; [`INVALID`] for anything else.
#[expect(
    clippy::indexing_slicing,
    reason = "compile-time loop over 0..256 on a 256-entry table"
)]
const VALUES: [u8; 256] = {
    let mut table = [INVALID; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        table[i] = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => INVALID,
        };
        i += 1;
    }
    table
};
const INVALID: u8 = 0xff;

/// The 6-bit value of a base64url character, `None` for anything else.
#[inline(always)]
fn value(c: u8) -> Option<u32> {
    match VALUES.get(usize::from(c)) {
        Some(&v) if v != INVALID => Some(u32::from(v)),
        _ => None,
    }
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

/// Decodes unpadded base64url, rejecting every non-canonical spelling (see the module docs).
pub fn decode(input: &str) -> Result<Vec<u8>, DecodeError> {
    let bytes = input.as_bytes();
    let tail_bytes = match bytes.len() % 4 {
        0 => 0,
        2 => 1,
        3 => 2,
        // A lone trailing character: no byte count encodes to it.
        _ => return Err(DecodeError::InvalidLength),
    };
    let mut out = vec![0u8; bytes.len() / 4 * 3 + tail_bytes];
    // Whole groups first, written in place: the hot loop of token decoding.
    let mut groups = bytes.chunks_exact(4);
    let mut outs = out.chunks_exact_mut(3);
    for (group, (src, dst)) in groups.by_ref().zip(outs.by_ref()).enumerate() {
        let acc = sextets(src, group * 4)?;
        if let [a, b, c] = dst {
            // `acc` holds 24 bits; the casts keep one byte each on purpose.
            *a = (acc >> 16) as u8;
            *b = (acc >> 8) as u8;
            *c = acc as u8;
        }
    }
    let tail = groups.remainder();
    let acc = sextets(tail, bytes.len() - tail.len())?;
    match outs.into_remainder() {
        [] => {}
        [a] => {
            // 12 bits carry 1 byte; the low 4 bits must be zero.
            if acc & 0xf != 0 {
                return Err(DecodeError::NonCanonical);
            }
            *a = (acc >> 4) as u8;
        }
        [a, b] => {
            // 18 bits carry 2 bytes; the low 2 bits must be zero.
            if acc & 0x3 != 0 {
                return Err(DecodeError::NonCanonical);
            }
            *a = (acc >> 10) as u8;
            *b = (acc >> 2) as u8;
        }
        _ => return Err(DecodeError::InvalidLength),
    }
    Ok(out)
}

/// The characters of `chunk` (at most 4, starting at offset `at`) as 6-bit groups, big-endian.
#[inline(always)]
fn sextets(chunk: &[u8], at: usize) -> Result<u32, DecodeError> {
    let mut acc: u32 = 0;
    let mut invalid = false;
    for &c in chunk {
        let v = VALUES.get(usize::from(c)).copied().unwrap_or(INVALID);
        invalid |= v == INVALID;
        acc = (acc << 6) | u32::from(v & 0x3f);
    }
    if invalid {
        let i = chunk.iter().position(|&c| value(c).is_none()).unwrap_or(0);
        return Err(DecodeError::InvalidByte(at + i));
    }
    Ok(acc)
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

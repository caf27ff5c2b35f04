//! Strict base64url without padding (RFC 4648 §5, as JWS requires in RFC 7515 §2), decoding
//! into a caller's buffer (no allocation: the lite module has no allocator).
//!
//! Hand-written rather than a dependency because the verifier ships in a browser bundle and
//! needs only these few dozen lines. Strict because a token must have exactly one spelling:
//! padding, the standard alphabet (`+`, `/`), impossible lengths and non-zero unused trailing
//! bits are all rejected, so two different strings never decode to the same bytes.

use core::fmt;

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

impl core::error::Error for DecodeError {}

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

/// The number of bytes `len` characters of unpadded base64url decode to (`None`: no byte count
/// encodes to that length).
pub fn decoded_len(len: usize) -> Option<usize> {
    let tail = match len % 4 {
        0 => 0,
        2 => 1,
        3 => 2,
        // A lone trailing character: no byte count encodes to it.
        _ => return None,
    };
    Some(len / 4 * 3 + tail)
}

/// Decodes unpadded base64url into `out`, which must be exactly [`decoded_len`] bytes long,
/// rejecting every non-canonical spelling (see the module docs).
pub fn decode_into(bytes: &[u8], out: &mut [u8]) -> Result<(), DecodeError> {
    if decoded_len(bytes.len()) != Some(out.len()) {
        return Err(DecodeError::InvalidLength);
    }
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
    Ok(())
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

/// Checks that `bytes` is canonical unpadded base64url without keeping the bytes: the same
/// refusals as [`decode_into`], for a segment whose length is already known to be wrong.
pub fn validate(bytes: &[u8]) -> Result<(), DecodeError> {
    let mut out = [0u8; 3];
    for chunk in bytes.chunks(4) {
        let n = decoded_len(chunk.len()).ok_or(DecodeError::InvalidLength)?;
        decode_into(chunk, out.get_mut(..n).ok_or(DecodeError::InvalidLength)?)?;
    }
    Ok(())
}

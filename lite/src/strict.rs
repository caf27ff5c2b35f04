//! The strict part of Ed25519 verification that needs no curve arithmetic.
//!
//! permslip accepts exactly what `ed25519-dalek`'s `verify_strict` accepts, restricted to
//! canonical point encodings. Everything in that policy except the group equation
//! `[S]B = R + [k]A` is a byte comparison, done here, before the equation is checked by
//! permslip's own code (`src/token/equation.rs` of the full build) or by the host's Ed25519 (`node:crypto`,
//! WebCrypto: OpenSSL and BoringSSL check `S < L` and compare the encoding of `R`,
//! cofactorless, but accept small-order `R`). With these checks in front, every equation
//! accepts the same signatures: `tests/vectors/ed25519.json` holds the edge cases and every
//! runtime replays them.
//!
//! - `S` must be canonical (`S < L`), so a signature cannot be malleated into a second one.
//! - `R` must be a canonical encoding (`y < p`) of a point that is not of small order: a
//!   small-order `R` is how signatures that verify under several keys or messages are built.
//! - Keys (`A`) get the same encoding checks when the key set is loaded (`src/token/jwks.rs`, and the lite module's `check_key`).

/// The order of the prime-order subgroup, `L = 2^252 + 27742317777372353535851937790883648493`,
/// little-endian.
const L: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

/// The field prime `p = 2^255 - 19`, little-endian.
const P: [u8; 32] = [
    0xed, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f,
];

/// The `y` coordinates (little-endian, sign bit clear) of the eight points of small order:
/// 1 (the identity), `p - 1` (order 2), 0 (the two points of order 4) and `±y8` (the four of
/// order 8). `tests/token.rs` checks this list against curve25519-dalek's torsion points.
const SMALL_ORDER_Y: [[u8; 32]; 5] = [
    [
        0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0,
    ],
    [
        0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0x7f,
    ],
    [0; 32],
    [
        0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98,
        0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53,
        0xfc, 0x05,
    ],
    [
        0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67,
        0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac,
        0x03, 0x7a,
    ],
];

/// `a < b` for little-endian 256-bit numbers.
fn less_than(a: &[u8; 32], b: &[u8; 32]) -> bool {
    a.iter().rev().cmp(b.iter().rev()).is_lt()
}

/// The `y` coordinate of a point encoding: the encoding without its sign bit.
fn y_of(point: &[u8; 32]) -> [u8; 32] {
    let mut y = *point;
    y[31] &= 0x7f;
    y
}

/// Whether `point` encodes `y` canonically (`y < p`). Says nothing about being on the curve.
pub fn is_canonical_point(point: &[u8; 32]) -> bool {
    less_than(&y_of(point), &P)
}

/// Whether `point` is one of the encodings of a point of small order (canonical or not, with
/// either sign bit: the identity's "negative zero" encoding decompresses to it too).
pub fn is_small_order_encoding(point: &[u8; 32]) -> bool {
    let y = y_of(point);
    // Non-canonical encodings of 0 and 1 are y + p: p and p + 1.
    let reduced = if less_than(&y, &P) { y } else { subtract_p(&y) };
    SMALL_ORDER_Y.contains(&reduced)
}

/// `y - p` for `p <= y < 2^255`, which is below 19.
fn subtract_p(y: &[u8; 32]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut borrow = 0i16;
    for ((o, a), b) in out.iter_mut().zip(y).zip(P.iter()) {
        let d = i16::from(*a) - i16::from(*b) - borrow;
        borrow = i16::from(d < 0);
        // In range 0..=255 after adding the borrow back.
        *o = (d + (borrow << 8)) as u8;
    }
    out
}

/// The strict checks on a 64-byte signature `R || S` that need no curve arithmetic.
pub fn signature_prechecks_pass(signature: &[u8; 64]) -> bool {
    let (r, s) = signature.split_at(32);
    let (Ok(r), Ok(s)) = (<[u8; 32]>::try_from(r), <[u8; 32]>::try_from(s)) else {
        return false;
    };
    less_than(&s, &L) && is_canonical_point(&r) && !is_small_order_encoding(&r)
}

/// `L`, for tests elsewhere in the crate.
#[cfg(test)]
pub(crate) fn tests_l() -> [u8; 32] {
    L
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn l_and_p_bounds() {
        let mut below_l = L;
        below_l[0] -= 1;
        assert!(less_than(&below_l, &L));
        assert!(!less_than(&L, &L));
        let mut p_plus_1 = P;
        p_plus_1[0] += 1;
        assert!(!is_canonical_point(&P));
        assert!(is_small_order_encoding(&P), "p encodes y = 0");
        assert!(is_small_order_encoding(&p_plus_1), "p + 1 encodes y = 1");
        let mut p_plus_2 = P;
        p_plus_2[0] += 2;
        assert!(!is_small_order_encoding(&p_plus_2));
        assert_eq!(subtract_p(&p_plus_2)[0], 2);
    }

    /// The table is exactly the y coordinates of the curve's eight small-order points.
    #[test]
    fn small_order_table_matches_the_curve() {
        use curve25519_dalek::constants::EIGHT_TORSION;
        let mut ys: Vec<[u8; 32]> = EIGHT_TORSION
            .iter()
            .map(|t| y_of(&t.compress().to_bytes()))
            .collect();
        ys.sort();
        ys.dedup();
        let mut table = SMALL_ORDER_Y.to_vec();
        table.sort();
        assert_eq!(ys, table);
        for t in EIGHT_TORSION {
            assert!(is_small_order_encoding(&t.compress().to_bytes()));
        }
        // Points of large order are not in it.
        let mut point = curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
        for _ in 0..64 {
            assert!(!is_small_order_encoding(&point.compress().to_bytes()));
            point += curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
        }
    }

    #[test]
    fn sign_bit_is_ignored() {
        let mut negative_identity = SMALL_ORDER_Y[0];
        negative_identity[31] |= 0x80;
        assert!(is_small_order_encoding(&negative_identity));
        assert!(is_canonical_point(&negative_identity));
    }
}

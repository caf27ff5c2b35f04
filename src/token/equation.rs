//! The Ed25519 group equation, `[S]B = R + [k]A`, checked by permslip itself (every build; the
//! wasm wrapper may hand it to the host instead, see [`super::Equation`]).
//!
//! It is `verify_strict`'s equation computed the way a verifier of many tokens under one key
//! wants it: `R' = [S]B - [k]A` is compared with `R` by its encoding, which equals comparing
//! points because [`super::strict`] has already refused non-canonical and small-order `R`
//! (so `R` need not be decompressed: one square root saved per signature). After
//! [`TABLE_AFTER`] verifications with a key, that key and the base point get fixed-base tables
//! (radix 16, ~30 KB each, built once), which replace the doublings of the variable-base
//! multiplication with 64 table additions each: in wasm ~80 µs per verification against
//! ~110 µs without tables, and ~104 µs for OpenSSL through `node:crypto` here.
//!
//! Verification handles public data only, so the timing of either path reveals nothing secret.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
use curve25519_dalek::edwards::EdwardsBasepointTable;
use curve25519_dalek::traits::{BasepointTable, VartimeMultiscalarMul};
use curve25519_dalek::{EdwardsPoint, Scalar};
use sha2::{Digest, Sha512};

/// Verifications with one key before it gets its table. Building the two tables costs about
/// as much as 40 verifications save, so only processes that verify many tokens under one key
/// (servers, edge gates, long sessions) build them; a page that loads a snapshot or two never
/// does.
pub(crate) const TABLE_AFTER: u32 = 128;

/// The base point's table, shared by every key; built with the first key table.
static BASE_TABLE: OnceLock<Box<EdwardsBasepointTable>> = OnceLock::new();

/// A checked Ed25519 public key, ready for the equation.
#[derive(Debug)]
pub(crate) struct PublicKey {
    /// The encoding as published: `k` hashes these bytes.
    bytes: [u8; 32],
    /// `-A`.
    neg_a: EdwardsPoint,
    uses: AtomicU32,
    /// Boxed: the table is 30 KB, most keys never get one, and key sets are cloned and parsed
    /// often.
    table: OnceLock<Box<EdwardsBasepointTable>>,
}

impl PublicKey {
    /// `bytes` must be the encoding of `point`, already checked (canonical, not small order).
    pub(crate) fn new(bytes: [u8; 32], point: EdwardsPoint) -> PublicKey {
        PublicKey {
            bytes,
            neg_a: -point,
            uses: AtomicU32::new(0),
            table: OnceLock::new(),
        }
    }

    /// The key's encoding.
    pub(crate) fn bytes(&self) -> &[u8; 32] {
        &self.bytes
    }

    /// Whether `[S]B - [k]A` encodes to `R`, for a `signature` (`R || S`) that passed
    /// [`permslip_lite::strict::signature_prechecks_pass`].
    pub(crate) fn equation_holds(&self, signature: &[u8; 64], message: &[u8]) -> bool {
        let (r, s) = signature.split_at(32);
        let Ok(s) = <[u8; 32]>::try_from(s) else {
            return false;
        };
        let Some(s) = Option::<Scalar>::from(Scalar::from_canonical_bytes(s)) else {
            return false;
        };
        let mut hash = Sha512::new();
        hash.update(r);
        hash.update(self.bytes);
        hash.update(message);
        let k = Scalar::from_bytes_mod_order_wide(&hash.finalize().into());
        let expected = match self.table() {
            Some(a_table) => {
                let b_table = BASE_TABLE.get_or_init(|| {
                    Box::new(EdwardsBasepointTable::create(&ED25519_BASEPOINT_POINT))
                });
                b_table.mul_base(&s) + a_table.mul_base(&k)
            }
            None => {
                EdwardsPoint::vartime_multiscalar_mul([k, s], [self.neg_a, ED25519_BASEPOINT_POINT])
            }
        };
        expected.compress().as_bytes()[..] == *r
    }

    /// Builds the key's table (and the base point's) now, whatever the count: for a host that
    /// checked the key's first signatures with its own Ed25519 and hands the rest over.
    pub(crate) fn prepare_table(&self) {
        self.table
            .get_or_init(|| Box::new(EdwardsBasepointTable::create(&self.neg_a)));
        BASE_TABLE
            .get_or_init(|| Box::new(EdwardsBasepointTable::create(&ED25519_BASEPOINT_POINT)));
    }

    /// The key's table once it has been used [`TABLE_AFTER`] times.
    fn table(&self) -> Option<&EdwardsBasepointTable> {
        if let Some(table) = self.table.get() {
            return Some(table.as_ref());
        }
        if self.uses.fetch_add(1, Ordering::Relaxed) < TABLE_AFTER {
            return None;
        }
        let table = self
            .table
            .get_or_init(|| Box::new(EdwardsBasepointTable::create(&self.neg_a)));
        Some(table.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signer, SigningKey};

    #[test]
    fn both_paths_agree_and_the_table_is_built_once_used_enough() {
        let signing = SigningKey::from_bytes(&[9; 32]);
        let verifying = signing.verifying_key();
        let key = PublicKey::new(verifying.to_bytes(), verifying.to_edwards());
        let message = b"header.payload";
        let signature = signing.sign(message).to_bytes();
        let mut other = signature;
        other[0] ^= 1;
        let refused = |key: &PublicKey| {
            !key.equation_holds(&signature, b"header.payloaD")
                && !key.equation_holds(&other, message)
        };
        assert!(refused(&key), "without the table");
        // Two uses so far; the table comes with use TABLE_AFTER + 1.
        for use_ in 3..=TABLE_AFTER + 4 {
            assert!(key.equation_holds(&signature, message), "use {use_}");
            assert_eq!(key.table.get().is_some(), use_ > TABLE_AFTER, "use {use_}");
        }
        assert!(refused(&key), "with the table");
    }

    #[test]
    fn a_table_prepared_early_gives_the_same_answers() {
        let signing = SigningKey::from_bytes(&[11; 32]);
        let verifying = signing.verifying_key();
        let key = PublicKey::new(verifying.to_bytes(), verifying.to_edwards());
        key.prepare_table();
        assert!(key.table.get().is_some());
        let signature = signing.sign(b"m").to_bytes();
        assert!(key.equation_holds(&signature, b"m"));
        assert!(!key.equation_holds(&signature, b"n"));
    }
}

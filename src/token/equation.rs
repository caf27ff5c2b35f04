//! The Ed25519 group equation, `[S]B = R + [k]A`, for signatures that passed the strict
//! pre-checks: ed25519-dalek's `verify_strict` by default, or, when the caller picks
//! [`Ed25519Equation::FixedBaseTables`], permslip's own (every build; the wasm wrapper may hand
//! the equation to the host instead, see [`super::Equation`]).
//!
//! The own equation is `verify_strict`'s computed the way a verifier of many tokens under one
//! key wants it: `R' = [S]B - [k]A` is compared with `R` by its encoding, which equals
//! comparing points because [`super::strict`] has already refused non-canonical and
//! small-order `R` (so `R` need not be decompressed: one square root saved per signature).
//! After [`TABLE_AFTER`] verifications with a key, that key and the base point get fixed-base
//! tables (radix 16, ~30 KB each, built once), which replace the doublings of the
//! variable-base multiplication with 64 table additions each.
//!
//! Verification handles public data only, so the timing of either path reveals nothing secret.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::OnceLock;

use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
use curve25519_dalek::edwards::EdwardsBasepointTable;
use curve25519_dalek::traits::{BasepointTable, VartimeMultiscalarMul};
use curve25519_dalek::{EdwardsPoint, Scalar};
#[cfg(not(target_arch = "wasm32"))]
use ed25519_dalek::{Signature, VerifyingKey};
use sha2::{Digest, Sha512};

/// Which Ed25519 verification equation a key set checks signatures with (after the strict
/// byte checks every signature passes first: canonical `S`, canonical `R` not of small order).
/// Picked per key set with [`super::Jwks::with_equation`]; both accept and refuse exactly the
/// same signatures (a randomised differential test, `tests/ed25519_differential.rs`, holds
/// them to it), they differ only in speed.
///
/// What the tables gain, measured natively (x86-64, a shared 2-core machine under load, one
/// key verifying over and over so its tables are built), for a lite token, where the signature
/// is nearly all the work of verifying:
///
/// | measurement                                   | `Strict` | `FixedBaseTables` |
/// |-----------------------------------------------|----------|-------------------|
/// | `cargo bench --bench engine -- verify`, run 1 | 51.3 µs  | 44.0 µs           |
/// | the same, run 2                               | 45.0 µs  | 35.4 µs           |
/// | best of 25 interleaved rounds of 500 verifies | 38.1 µs  | 29.0 µs           |
///
/// So ~7 to 10 µs (15 to 25%) per signature. The full-snapshot row (verify + compile, ~100
/// µs) was within its noise (one run had `Strict` ahead). Earlier, in wasm (Node 20): ~80 µs
/// per verification with the tables against ~110 µs for the own equation without them, and
/// ~104 µs for OpenSSL through `node:crypto`. A page verifying a snapshot or two never
/// reaches the 128 uses that build the tables and gains nothing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Ed25519Equation {
    /// ed25519-dalek's `verify_strict`, the audited implementation. The default: a page or an
    /// app that loads a snapshot or two gains nothing from tables. Not in the wasm module, which
    /// carries the own equation only (it is 9.1 KiB of brotli smaller there; same answers).
    #[default]
    Strict,
    /// permslip's own cofactorless equation (`src/token/equation.rs`): `R` is compared by its
    /// encoding (no decompression), and after 128 verifications with a key that key and the
    /// base point get fixed-base tables (~30 KB each, built once). For processes that verify
    /// many tokens under one key: servers, edge gates, long sessions.
    FixedBaseTables,
}

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
    /// For `verify_strict` (not in the wasm module, see `equation_holds`).
    #[cfg(not(target_arch = "wasm32"))]
    verifying: VerifyingKey,
    /// `-A`.
    neg_a: EdwardsPoint,
    /// Whether the key set chose [`Ed25519Equation::FixedBaseTables`]. Shared, like the table,
    /// by the clones of a key set.
    own_equation: AtomicBool,
    uses: AtomicU32,
    /// Boxed: the table is 30 KB, most keys never get one, and key sets are cloned and parsed
    /// often.
    table: OnceLock<Box<EdwardsBasepointTable>>,
}

impl PublicKey {
    /// `bytes` must be the encoding of `point`, already checked (canonical, not small order).
    /// Verifies with [`Ed25519Equation::Strict`] until told otherwise.
    pub(crate) fn new(bytes: [u8; 32], point: EdwardsPoint) -> PublicKey {
        PublicKey {
            bytes,
            #[cfg(not(target_arch = "wasm32"))]
            verifying: VerifyingKey::from(point),
            neg_a: -point,
            own_equation: AtomicBool::new(false),
            uses: AtomicU32::new(0),
            table: OnceLock::new(),
        }
    }

    /// The key's encoding.
    pub(crate) fn bytes(&self) -> &[u8; 32] {
        &self.bytes
    }

    /// Switches the key to `equation`.
    pub(crate) fn set_equation(&self, equation: Ed25519Equation) {
        let own = equation == Ed25519Equation::FixedBaseTables;
        self.own_equation.store(own, Ordering::Relaxed);
    }

    /// The equation the key verifies with: a prepared table means the table equation (in the
    /// wasm module the own equation is the only one, whatever this says).
    #[cfg(any(not(target_arch = "wasm32"), test))]
    pub(crate) fn equation(&self) -> Ed25519Equation {
        if self.table.get().is_some() || self.own_equation.load(Ordering::Relaxed) {
            Ed25519Equation::FixedBaseTables
        } else {
            Ed25519Equation::Strict
        }
    }

    /// Whether the signature (`R || S`) of `message` verifies under this key, by the key's
    /// [`Ed25519Equation`]. Callers have applied
    /// [`permslip_lite::strict::signature_prechecks_pass`] already (`verify_strict` repeats
    /// them; the own equation relies on them).
    pub(crate) fn equation_holds(&self, signature: &[u8; 64], message: &[u8]) -> bool {
        // The wasm module carries the own equation only: `verify_strict` links curve25519-dalek's
        // static base-point tables, 9.1 KiB of brotli in the browser module (65.0 -> 74.1 KiB,
        // over its budget). tests/ed25519_differential.rs holds both to the same answers.
        #[cfg(target_arch = "wasm32")]
        return self.own_equation_holds(signature, message);
        #[cfg(not(target_arch = "wasm32"))]
        match self.equation() {
            Ed25519Equation::Strict => self.strict_holds(signature, message),
            Ed25519Equation::FixedBaseTables => self.own_equation_holds(signature, message),
        }
    }

    /// ed25519-dalek's `verify_strict`.
    #[cfg(not(target_arch = "wasm32"))]
    fn strict_holds(&self, signature: &[u8; 64], message: &[u8]) -> bool {
        self.verifying
            .verify_strict(message, &Signature::from_bytes(signature))
            .is_ok()
    }

    /// Whether `[S]B - [k]A` encodes to `R`, for a `signature` (`R || S`) that passed
    /// [`permslip_lite::strict::signature_prechecks_pass`].
    fn own_equation_holds(&self, signature: &[u8; 64], message: &[u8]) -> bool {
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

    /// Builds the key's table (and the base point's) now, whatever the count, and so switches
    /// the key to [`Ed25519Equation::FixedBaseTables`]: for a host that checked the key's first
    /// signatures with its own Ed25519 and hands the rest over to the tables.
    pub(crate) fn prepare_table(&self) {
        self.table
            .get_or_init(|| Box::new(EdwardsBasepointTable::create(&self.neg_a)));
        BASE_TABLE
            .get_or_init(|| Box::new(EdwardsBasepointTable::create(&ED25519_BASEPOINT_POINT)));
    }

    /// The key's table once it has been used [`TABLE_AFTER`] times by the own equation.
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
        key.set_equation(Ed25519Equation::FixedBaseTables);
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

    #[test]
    fn strict_is_the_default_and_builds_no_table() {
        let signing = SigningKey::from_bytes(&[13; 32]);
        let verifying = signing.verifying_key();
        let key = PublicKey::new(verifying.to_bytes(), verifying.to_edwards());
        assert_eq!(key.equation(), Ed25519Equation::Strict);
        let signature = signing.sign(b"m").to_bytes();
        for _ in 0..=TABLE_AFTER + 1 {
            assert!(key.equation_holds(&signature, b"m"));
        }
        assert!(!key.equation_holds(&signature, b"n"));
        assert!(key.table.get().is_none());
        key.prepare_table();
        assert_eq!(key.equation(), Ed25519Equation::FixedBaseTables);
    }
}

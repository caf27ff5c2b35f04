//! The two Ed25519 equations a key set can verify with ([`Ed25519Equation`]) must decide every
//! signature alike, and alike with ed25519-dalek's `verify_strict` called directly: random keys,
//! messages and signatures, and mutations of valid ones aimed at the edges (non-canonical and
//! out-of-range `S`, small-order and mixed-order `R`, non-canonical `R`, `R` off the curve, keys
//! with a small-order component), plus every case of `tests/vectors/ed25519.json`.
//!
//! Randomised: each run draws a new seed (printed on failure); `PERMSLIP_ED25519_SEED=<n>`
//! replays one. Each key verifies well over 128 signatures, so the own equation is exercised
//! both before and after its fixed-base tables are built.
#![expect(
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a test: a failed step should stop it loudly"
)]

use curve25519_dalek::constants::{ED25519_BASEPOINT_POINT as B, EIGHT_TORSION};
use curve25519_dalek::edwards::CompressedEdwardsY;
use curve25519_dalek::{EdwardsPoint, Scalar};
use ed25519_dalek::{Signature, VerifyingKey};
use permslip::snapshot::Snapshot;
use permslip::token::{base64url, Ed25519Equation, Jwks, VerifyOptions};
use serde_json::{json, Value};
use sha2::{Digest, Sha512};

const AUDIENCE: &str = "permslip-demo";
const NOW: u64 = 1_764_000_000;
const KID: &str = "diff";
/// Messages per key: each gives a dozen signatures, so a key's own equation passes its
/// 128-use table threshold early.
const MESSAGES_PER_KEY: usize = 120;

/// SplitMix64: small, seedable, good enough to pick test inputs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn bytes<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        for chunk in out.chunks_mut(8) {
            let word = self.next().to_le_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
        }
        out
    }

    fn scalar(&mut self) -> Scalar {
        Scalar::from_bytes_mod_order_wide(&self.bytes::<64>())
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn seed() -> u64 {
    match std::env::var("PERMSLIP_ED25519_SEED") {
        Ok(s) => s.parse().expect("PERMSLIP_ED25519_SEED is a u64"),
        Err(_) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64),
    }
}

fn jwks_json(a: &[u8; 32]) -> String {
    json!({ "keys": [{ "kty": "OKP", "crv": "Ed25519", "kid": KID, "x": base64url::encode(a) }] })
        .to_string()
}

/// `k = H(R || A || M) mod L`.
fn challenge(r: &[u8; 32], a: &[u8; 32], message: &[u8]) -> Scalar {
    let mut h = Sha512::new();
    h.update(r);
    h.update(a);
    h.update(message);
    Scalar::from_bytes_mod_order_wide(&h.finalize().into())
}

fn signature(r: &[u8; 32], s: &[u8; 32]) -> [u8; 64] {
    let mut sig = [0u8; 64];
    sig[..32].copy_from_slice(r);
    sig[32..].copy_from_slice(s);
    sig
}

/// `s + L` as a 256-bit little-endian integer: the same scalar, encoded non-canonically.
fn plus_l(s: &[u8; 32]) -> [u8; 32] {
    let l_minus_1 = Scalar::ZERO - Scalar::ONE;
    let mut out = [0u8; 32];
    let mut carry = 1u16;
    for ((o, a), b) in out.iter_mut().zip(s).zip(l_minus_1.as_bytes()) {
        let sum = u16::from(*a) + u16::from(*b) + carry;
        *o = sum as u8;
        carry = sum >> 8;
    }
    out
}

/// A key under test: its two key sets (one per equation) and its dalek key, if it loads.
struct Key {
    secret: Scalar,
    public: [u8; 32],
    strict: Jwks,
    tables: Jwks,
    dalek: VerifyingKey,
}

impl Key {
    fn new(secret: Scalar, point: EdwardsPoint) -> Key {
        let public = point.compress().to_bytes();
        let json = jwks_json(&public);
        Key {
            secret,
            public,
            strict: Jwks::from_json(&json).expect("a loadable key"),
            tables: Jwks::from_json(&json)
                .expect("a loadable key")
                .with_equation(Ed25519Equation::FixedBaseTables),
            dalek: VerifyingKey::from_bytes(&public).expect("a curve point"),
        }
    }

    /// `(R, S)` for `message` with nonce `r` and `R = [r]B + extra` (`extra` small order or
    /// the identity).
    fn sign(&self, message: &[u8], r: Scalar, extra: EdwardsPoint) -> ([u8; 32], [u8; 32]) {
        let big_r = (r * B + extra).compress().to_bytes();
        let s = r + challenge(&big_r, &self.public, message) * self.secret;
        (big_r, s.to_bytes())
    }
}

/// Accepted or refused by a key set, as a whole token: a signature that verifies gets past
/// step 6 and fails only later (the payload is random bytes), so anything but
/// `bad_signature` means accepted.
fn accepted_by(keys: &Jwks, token: &str) -> bool {
    match Snapshot::verify(token, keys, &VerifyOptions::new(AUDIENCE, NOW)) {
        Ok(_) => true,
        Err(e) => e.code() != "bad_signature",
    }
}

/// The three verdicts on one signature of `signing_input` must agree.
fn assert_agree(key: &Key, signing_input: &str, sig: &[u8; 64], what: &str, seed: u64) {
    let token = format!("{signing_input}.{}", base64url::encode(sig));
    let dalek = key
        .dalek
        .verify_strict(signing_input.as_bytes(), &Signature::from_bytes(sig))
        .is_ok();
    let strict = accepted_by(&key.strict, &token);
    let tables = accepted_by(&key.tables, &token);
    assert!(
        dalek == strict && strict == tables,
        "{what}: verify_strict {dalek}, key set with Strict {strict}, with FixedBaseTables \
         {tables} (replay with PERMSLIP_ED25519_SEED={seed})"
    );
}

#[test]
fn strict_and_fixed_base_tables_decide_random_and_edge_signatures_alike() {
    let seed = seed();
    let mut rng = Rng(seed);
    let header = base64url::encode(
        json!({ "alg": "EdDSA", "kid": KID, "typ": "permslip+jwt" })
            .to_string()
            .as_bytes(),
    );
    let identity = EdwardsPoint::default();
    let mut keys: Vec<Key> = (0..3)
        .map(|_| {
            let a = rng.scalar();
            Key::new(a, a * B)
        })
        .collect();
    // A key with a small-order component loads (it is not itself small order); the
    // cofactorless equation then holds only when 8 divides k, for both.
    let a = rng.scalar();
    keys.push(Key::new(a, a * B + EIGHT_TORSION[1]));

    let mut accepted = 0usize;
    let mut total = 0usize;
    for (ki, key) in keys.iter().enumerate() {
        for m in 0..MESSAGES_PER_KEY {
            let len = rng.below(200);
            let payload: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
            let input = format!("{header}.{}", base64url::encode(&payload));
            let message = input.as_bytes();
            let r = rng.scalar();
            let (big_r, s) = key.sign(message, r, identity);
            let torsion = EIGHT_TORSION[1 + rng.below(7)];
            let k = challenge(&big_r, &key.public, message);

            let mut cases: Vec<(&str, [u8; 64])> = vec![("valid", signature(&big_r, &s))];
            let mut flipped = signature(&big_r, &s);
            let bit = rng.below(512);
            flipped[bit / 8] ^= 1 << (bit % 8);
            cases.push(("one bit flipped", flipped));
            cases.push(("S + L", signature(&big_r, &plus_l(&s))));
            let mut high_s = s;
            high_s[31] |= 0x10 << rng.below(4);
            cases.push(("S with high bits set", signature(&big_r, &high_s)));
            cases.push(("random bytes", rng.bytes::<64>()));
            // Small-order R with S = k*a: the cofactorless equation holds; refused for R.
            for (name, small) in [("R identity", identity), ("R small order", torsion)] {
                let rb = small.compress().to_bytes();
                let k = challenge(&rb, &key.public, message);
                cases.push((name, signature(&rb, (k * key.secret).as_bytes())));
            }
            // Mixed-order R: [r]B + T, S = r + k*a: holds only for a cofactored equation.
            let (mixed_r, mixed_s) = key.sign(message, r, torsion);
            cases.push(("R mixed order", signature(&mixed_r, &mixed_s)));
            // The identity as y = p + 1, and R with its sign bit set on x = 0.
            let mut identity_p1 = [0xffu8; 32];
            identity_p1[0] = 0xee;
            identity_p1[31] = 0x7f;
            let kp = challenge(&identity_p1, &key.public, message);
            cases.push((
                "R identity non-canonical",
                signature(&identity_p1, (kp * key.secret).as_bytes()),
            ));
            let mut neg_zero = identity.compress().to_bytes();
            neg_zero[31] |= 0x80;
            cases.push(("R identity with the sign bit", signature(&neg_zero, &s)));
            // R off the curve (most random y are not on it).
            let off: [u8; 32] = loop {
                let y = rng.bytes::<32>();
                if CompressedEdwardsY(y).decompress().is_none() {
                    break y;
                }
            };
            cases.push(("R off the curve", signature(&off, &s)));
            // S = k*a with the honest R: off by [r]B.
            cases.push((
                "S without the nonce",
                signature(&big_r, (k * key.secret).as_bytes()),
            ));
            for (what, sig) in &cases {
                let what = format!("key {ki}, message {m}: {what}");
                assert_agree(key, &input, sig, &what, seed);
                total += 1;
                let token = format!("{input}.{}", base64url::encode(sig));
                accepted += usize::from(accepted_by(&key.strict, &token));
            }
            // A valid signature over another message.
            let mut other = input.clone();
            other.push('A');
            assert_agree(key, &other, &signature(&big_r, &s), "wrong message", seed);
        }
    }
    // Not vacuous: the valid signatures of the three ordinary keys verify.
    assert!(
        accepted >= 3 * MESSAGES_PER_KEY && accepted < total / 4,
        "{accepted} of {total} accepted (seed {seed})"
    );
}

/// Every case of the shared edge-case vectors, under both equations, 200 times each (across
/// the table threshold).
#[test]
fn the_shared_ed25519_vectors_decide_alike_under_both_equations() {
    let text = std::fs::read_to_string("tests/vectors/ed25519.json").expect("vectors");
    let vectors: Value = serde_json::from_str(&text).expect("JSON");
    let opts = VerifyOptions::new(
        vectors["audience"].as_str().expect("audience"),
        vectors["now"].as_u64().expect("now"),
    );
    let cases = vectors["cases"].as_array().expect("cases");
    assert!(cases.len() >= 10);
    for case in cases {
        let name = case["name"].as_str().unwrap_or_default();
        let expect = case["expect"].as_str().expect("expect");
        let token = case["token"].as_str().expect("token");
        let json = case["jwks"].to_string();
        let decide = |keys: &Jwks| match Snapshot::verify(token, keys, &opts) {
            Ok(_) => "ok".to_owned(),
            Err(e) => e.code().to_owned(),
        };
        let (strict, tables) = match Jwks::from_json(&json) {
            Ok(keys) => {
                let tables = Jwks::from_json(&json)
                    .expect("loads twice")
                    .with_equation(Ed25519Equation::FixedBaseTables);
                (keys, tables)
            }
            Err(e) => {
                assert_eq!(e.code(), expect, "{name}");
                continue;
            }
        };
        for i in 0..200 {
            assert_eq!(decide(&strict), expect, "{name}: Strict, verification {i}");
            assert_eq!(
                decide(&tables),
                expect,
                "{name}: FixedBaseTables, verification {i}"
            );
        }
    }
}

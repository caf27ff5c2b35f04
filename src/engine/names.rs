//! Name → index tables with a fast non-cryptographic hash.
//!
//! Keys come from a verified slip and lookups from the application, so hash flooding is not a
//! concern; speed is: a check by name is one lookup here plus a bit test.

use std::hash::Hasher;

/// The Fx hash (as used by rustc): a multiply-rotate per word.
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            for (dst, src) in word.iter_mut().zip(rest) {
                *dst = *src;
            }
            self.add(u64::from_le_bytes(word));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

/// Interned names: index ↔ name, with an open-addressing table of indexes (each name is
/// stored once, and no general-purpose hash map is linked into the wasm).
#[derive(Debug, Clone, Default)]
pub(crate) struct Names {
    names: Vec<Box<str>>,
    /// Power-of-two sized; `EMPTY` or an index into `names`. Kept at most half full.
    slots: Vec<u32>,
}

const EMPTY: u32 = u32::MAX;

fn hash(name: &str) -> u64 {
    let mut h = FxHasher::default();
    h.write(name.as_bytes());
    h.finish()
}

impl Names {
    /// The slot holding `name`, or the empty slot where it would go.
    fn slot(&self, name: &str) -> Option<usize> {
        let mask = self.slots.len().checked_sub(1)?;
        // Fx mixes into the high bits; the low ones cluster for names like `p1`, `p2`, ...
        let bits = self.slots.len().trailing_zeros();
        let mut at = (hash(name).checked_shr(64 - bits).unwrap_or(0) as usize) & mask;
        loop {
            match self.slots.get(at).copied() {
                Some(EMPTY) => return Some(at),
                Some(i) if self.names.get(i as usize).is_some_and(|n| &**n == name) => {
                    return Some(at)
                }
                Some(_) => at = (at + 1) & mask,
                None => return None,
            }
        }
    }

    /// Adds `name`; returns `None` when it is already present.
    pub(crate) fn insert(&mut self, name: &str) -> Option<u32> {
        if self.get(name).is_some() {
            return None;
        }
        let i = u32::try_from(self.names.len())
            .ok()
            .filter(|i| *i != EMPTY)?;
        self.names.push(name.into());
        if self.names.len() * 2 > self.slots.len() {
            self.rehash();
        } else if let Some(at) = self.slot(name) {
            if let Some(s) = self.slots.get_mut(at) {
                *s = i;
            }
        }
        Some(i)
    }

    fn rehash(&mut self) {
        let size = (self.names.len() * 4).next_power_of_two().max(8);
        self.slots = vec![EMPTY; size];
        for i in 0..self.names.len() {
            let name = self.names.get(i).map_or("", |n| n);
            if let Some(at) = self.slot(name) {
                if let Some(s) = self.slots.get_mut(at) {
                    *s = i as u32;
                }
            }
        }
    }

    /// The index of `name`.
    #[inline]
    pub(crate) fn get(&self, name: &str) -> Option<u32> {
        let at = self.slot(name)?;
        self.slots.get(at).copied().filter(|i| *i != EMPTY)
    }

    /// The name at `i`.
    pub(crate) fn name(&self, i: u32) -> &str {
        self.names.get(i as usize).map_or("", |n| n)
    }

    /// How many names.
    pub(crate) fn len(&self) -> usize {
        self.names.len()
    }

    /// All names in index order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(|n| &**n)
    }
}

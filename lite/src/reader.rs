//! Bounds-checked little-endian reads over the payload.

use crate::Error;

/// A cursor over the payload; every read checks bounds and fails with `what`.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    pub(crate) pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes, pos: 0 }
    }

    pub(crate) fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], Error> {
        let end = self.pos.checked_add(n).ok_or(Error::malformed(what))?;
        let out = self
            .bytes
            .get(self.pos..end)
            .ok_or(Error::malformed(what))?;
        self.pos = end;
        Ok(out)
    }

    pub(crate) fn u8(&mut self, what: &'static str) -> Result<u8, Error> {
        Ok(u8_at(self.take(1, what)?, 0))
    }

    pub(crate) fn u16(&mut self, what: &'static str) -> Result<u16, Error> {
        Ok(u16_at(self.take(2, what)?, 0))
    }

    pub(crate) fn u32(&mut self, what: &'static str) -> Result<u32, Error> {
        Ok(u32_at(self.take(4, what)?, 0))
    }

    pub(crate) fn u64(&mut self, what: &'static str) -> Result<u64, Error> {
        let b = self.take(8, what)?;
        Ok(u64::from(u32_at(b, 0)) | (u64::from(u32_at(b, 4)) << 32))
    }

    pub(crate) fn at_end(&self) -> bool {
        self.pos == self.bytes.len()
    }
}

/// The byte at `at`, 0 past the end (callers read only validated offsets).
#[inline]
pub(crate) fn u8_at(b: &[u8], at: usize) -> u8 {
    b.get(at).copied().unwrap_or(0)
}

/// The little-endian `u16` at `at`, 0 past the end.
#[inline]
pub(crate) fn u16_at(b: &[u8], at: usize) -> u16 {
    match b.get(at..at.wrapping_add(2)) {
        Some(&[x, y]) => u16::from_le_bytes([x, y]),
        _ => 0,
    }
}

/// The little-endian `u32` at `at`, 0 past the end.
#[inline]
pub(crate) fn u32_at(b: &[u8], at: usize) -> u32 {
    match b.get(at..at.wrapping_add(4)) {
        Some(&[w, x, y, z]) => u32::from_le_bytes([w, x, y, z]),
        _ => 0,
    }
}

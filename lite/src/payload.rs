//! The binary payload (`docs/LITE.md`, "Payload"): parsed and validated once, then read in
//! place. Every offset, index and run is checked here, so queries read without failing.

use crate::reader::{u16_at, u32_at, u8_at, Reader};
use crate::{Error, Status};

/// The payload version this build reads.
pub const VERSION: u8 = 1;
/// The payload's first bytes.
pub const MAGIC: &[u8; 3] = b"PSL";

/// The engine's limits (`src/engine/limits.rs`, which the issuer checked already; `tests/lite.rs`
/// holds the two lists equal): permissions, features, resources, levels, products, edges.
pub const MAX_PERMISSIONS: u32 = 4096;
/// See [`MAX_PERMISSIONS`].
pub const MAX_FEATURES: u32 = 1024;
/// See [`MAX_PERMISSIONS`].
pub const MAX_RESOURCES: u32 = 16384;
/// See [`MAX_PERMISSIONS`].
pub const MAX_LEVELS: u32 = 15;
/// See [`MAX_PERMISSIONS`].
pub const MAX_PRODUCTS: u32 = 256;
/// See [`MAX_PERMISSIONS`].
pub const MAX_EDGES: u32 = 65536;

/// "No product" in a permission's or feature's product field.
pub const NO_PRODUCT: u16 = 0xFFFF;

// Entry layouts: field offsets within an entry, and entry widths, in bytes. Every entry that
// has a name starts with it (a `Str`: u32 offset, u16 length).
const STR: usize = 6;
/// Action: name, minimum level.
pub(crate) const ACTION_MIN: usize = STR;
pub(crate) const ACTION: usize = STR + 1;
/// Permission: name, state bits, reason, product.
pub(crate) const PERM_STATE: usize = STR;
pub(crate) const PERM_REASON: usize = STR + 1;
pub(crate) const PERM_PRODUCT: usize = STR + 2;
pub(crate) const PERM: usize = STR + 4;
/// Scope run: the permission (its index), then the run in the scope refs (start, length). Only
/// permissions granted for some values have one.
pub(crate) const RUN_START: usize = 2;
pub(crate) const RUN_LEN: usize = 6;
pub(crate) const RUN: usize = 10;
/// Override: action, minimum level.
pub(crate) const OVERRIDE_MIN: usize = 2;
pub(crate) const OVERRIDE: usize = 3;
/// Feature: name, level, level without Administrator, product when off, override run.
pub(crate) const FEATURE_LEVEL: usize = STR;
pub(crate) const FEATURE_PRODUCT_OFF: usize = STR + 2;
pub(crate) const FEATURE_OVERRIDES: usize = STR + 4;
pub(crate) const FEATURE_OVERRIDES_LEN: usize = STR + 8;
pub(crate) const FEATURE: usize = STR + 10;
/// Resource: name, feature, level, level without Administrator, restricted and unassigned.
pub(crate) const RESOURCE_FEATURE: usize = STR;
pub(crate) const RESOURCE_LEVEL: usize = STR + 2;
pub(crate) const RESOURCE_RESTRICTED: usize = STR + 4;
pub(crate) const RESOURCE: usize = STR + 5;

/// Permission state bits.
pub(crate) const ALLOW_ANY: u8 = 1;
pub(crate) const ALLOW_ALL_SCOPES: u8 = 2;
pub(crate) const ALL_SCOPES_NON_ADMIN: u8 = 4;

/// A run of fixed-width entries in the payload.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Table {
    pub(crate) at: usize,
    pub(crate) count: u32,
    pub(crate) width: usize,
}

impl Table {
    /// The offset of entry `i` (callers pass `i < count`).
    #[inline]
    pub(crate) fn entry(&self, i: u32) -> usize {
        self.at + i as usize * self.width
    }
}

/// A validated payload, read in place.
#[derive(Debug, Clone, Copy)]
pub struct Slip<'a> {
    pub(crate) bytes: &'a [u8],
    pub(crate) strings: &'a str,
    /// Issued at (Unix seconds).
    pub iat: u64,
    /// Not before (Unix seconds).
    pub nbf: u64,
    /// Expires at (Unix seconds).
    pub exp: u64,
    /// The issue counter (anti-rollback).
    pub serial: u64,
    pub(crate) iss: usize,
    pub(crate) sub: usize,
    pub(crate) name: usize,
    pub(crate) aud: Table,
    /// Whether the user holds an Administrator role.
    pub admin: bool,
    pub(crate) levels: Table,
    pub(crate) products: Table,
    pub(crate) actions: Table,
    pub(crate) scope_values: Table,
    pub(crate) scope_refs: Table,
    pub(crate) perms: Table,
    pub(crate) runs: Table,
    pub(crate) overrides: Table,
    pub(crate) features: Table,
    pub(crate) resources: Table,
    pub(crate) order: Table,
}

impl<'a> Slip<'a> {
    /// Parses and validates a decoded payload.
    pub fn parse(bytes: &'a [u8]) -> Result<Slip<'a>, Error> {
        let mut r = Reader::new(bytes);
        let head = r.take(4, "payload: too short")?;
        if head.get(..3) != Some(&MAGIC[..]) {
            return Err(Error::malformed("payload: not a permslip-lite payload"));
        }
        if u8_at(head, 3) != VERSION {
            return Err(Error::new(
                Status::UnsupportedVersion,
                "payload: unsupported version",
            ));
        }
        let iat = r.u64("times")?;
        let nbf = r.u64("times")?;
        let exp = r.u64("times")?;
        let serial = r.u64("times")?;
        let strings_len = r.u32("strings")? as usize;
        let strings = core::str::from_utf8(r.take(strings_len, "strings")?)
            .map_err(|_| Error::malformed("strings: not UTF-8"))?;

        let mut slip = Slip {
            bytes,
            strings,
            iat,
            nbf,
            exp,
            serial,
            ..Slip::empty()
        };
        slip.iss = slip.str_field(&mut r, "claims")?;
        slip.sub = slip.str_field(&mut r, "claims")?;
        slip.name = slip.str_field(&mut r, "claims")?;
        let n = u32::from(r.u16("audience")?);
        if n == 0 {
            return Err(Error::malformed("audience: empty"));
        }
        slip.aud = slip.strs(&mut r, n, "audience")?;
        slip.admin = match r.u8("flags")? {
            0 => false,
            1 => true,
            _ => return Err(Error::malformed("flags: not 0 or 1")),
        };
        let n = u32::from(r.u8("levels")?);
        at_most(n, MAX_LEVELS, "levels")?;
        slip.levels = slip.strs(&mut r, n, "levels")?;
        let n = u32::from(r.u16("products")?);
        at_most(n, MAX_PRODUCTS, "products")?;
        slip.products = slip.strs(&mut r, n, "products")?;

        let n = u32::from(r.u16("actions")?);
        slip.actions = table(&mut r, n, ACTION, "actions")?;
        for i in 0..n {
            let at = slip.actions.entry(i);
            slip.check_str(at, "actions")?;
            slip.check_level(u8_at(bytes, at + ACTION_MIN), "actions: level out of range")?;
        }
        slip.check_ascending(slip.actions, "actions: names out of order")?;

        let n = r.u32("scope values")?;
        at_most(n, MAX_EDGES, "scope values")?;
        slip.scope_values = slip.strs(&mut r, n, "scope values")?;
        slip.check_ascending(slip.scope_values, "scope values: out of order")?;
        let n = r.u32("scope refs")?;
        at_most(n, MAX_EDGES, "scope refs")?;
        slip.scope_refs = table(&mut r, n, 4, "scope refs")?;

        let n = u32::from(r.u16("permissions")?);
        at_most(n, MAX_PERMISSIONS, "permissions")?;
        slip.perms = table(&mut r, n, PERM, "permissions")?;
        for i in 0..n {
            slip.check_perm(slip.perms.entry(i))?;
        }
        slip.check_ascending(slip.perms, "permissions: names out of order")?;
        let n = u32::from(r.u16("scope runs")?);
        slip.runs = table(&mut r, n, RUN, "scope runs")?;
        slip.check_runs()?;

        let n = r.u32("overrides")?;
        at_most(n, MAX_EDGES, "overrides")?;
        slip.overrides = table(&mut r, n, OVERRIDE, "overrides")?;
        for i in 0..n {
            let at = slip.overrides.entry(i);
            if u32::from(u16_at(bytes, at)) >= slip.actions.count {
                return Err(Error::malformed("overrides: unknown action"));
            }
            slip.check_level(
                u8_at(bytes, at + OVERRIDE_MIN),
                "overrides: level out of range",
            )?;
        }

        let n = u32::from(r.u16("features")?);
        at_most(n, MAX_FEATURES, "features")?;
        slip.features = table(&mut r, n, FEATURE, "features")?;
        for i in 0..n {
            slip.check_feature(slip.features.entry(i))?;
        }
        slip.check_ascending(slip.features, "features: names out of order")?;

        let n = u32::from(r.u16("resources")?);
        at_most(n, MAX_RESOURCES, "resources")?;
        slip.resources = table(&mut r, n, RESOURCE, "resources")?;
        for i in 0..n {
            let at = slip.resources.entry(i);
            slip.check_str(at, "resources")?;
            if u32::from(u16_at(bytes, at + RESOURCE_FEATURE)) >= slip.features.count {
                return Err(Error::malformed("resources: unknown feature"));
            }
            slip.check_level(
                u8_at(bytes, at + RESOURCE_LEVEL),
                "resources: level out of range",
            )?;
            slip.check_level(
                u8_at(bytes, at + RESOURCE_LEVEL + 1),
                "resources: level out of range",
            )?;
            if u8_at(bytes, at + RESOURCE_RESTRICTED) > 1 {
                return Err(Error::malformed("resources: restricted flag not 0 or 1"));
            }
        }
        slip.order = table(&mut r, n, 2, "resource order")?;
        let mut previous: Option<&str> = None;
        for i in 0..n {
            let r = u32::from(u16_at(bytes, slip.order.entry(i)));
            if r >= n {
                return Err(Error::malformed("resource order: index out of range"));
            }
            let name = slip.str_at(slip.resources.entry(r));
            if previous.is_some_and(|p| p >= name) {
                return Err(Error::malformed("resource order: names out of order"));
            }
            previous = Some(name);
        }
        if !r.at_end() {
            return Err(Error::malformed("payload: trailing bytes"));
        }
        Ok(slip)
    }

    /// A slip with no permission, feature or resource: every check denies.
    pub const fn empty() -> Slip<'static> {
        const NONE: Table = Table {
            at: 0,
            count: 0,
            width: 0,
        };
        Slip {
            bytes: &[],
            strings: "",
            iat: 0,
            nbf: 0,
            exp: 0,
            serial: 0,
            iss: 0,
            sub: 0,
            name: 0,
            aud: NONE,
            admin: false,
            levels: NONE,
            products: NONE,
            actions: NONE,
            scope_values: NONE,
            scope_refs: NONE,
            perms: NONE,
            runs: NONE,
            overrides: NONE,
            features: NONE,
            resources: NONE,
            order: NONE,
        }
    }

    /// The string a `Str` field at `at` names (validated at parse).
    #[inline]
    pub(crate) fn str_at(&self, at: usize) -> &'a str {
        let off = u32_at(self.bytes, at) as usize;
        let len = usize::from(u16_at(self.bytes, at + 4));
        self.strings.get(off..off + len).unwrap_or("")
    }

    /// Issuer (`iss`).
    pub fn issuer(&self) -> &'a str {
        self.str_at(self.iss)
    }

    /// Subject (`sub`): the user's id.
    pub fn subject(&self) -> &'a str {
        self.str_at(self.sub)
    }

    /// The user's display name.
    pub fn subject_name(&self) -> &'a str {
        self.str_at(self.name)
    }

    /// The token's audiences, in token order.
    pub fn audiences(&self) -> impl Iterator<Item = &'a str> + '_ {
        (0..self.aud.count).map(|i| self.str_at(self.aud.entry(i)))
    }

    /// Whether `audience` is one of the token's audiences.
    pub fn has_audience(&self, audience: &[u8]) -> bool {
        (0..self.aud.count).any(|i| self.str_at(self.aud.entry(i)).as_bytes() == audience)
    }

    /// The `Str` field at `at` must lie in the string area on character boundaries.
    fn check_str(&self, at: usize, what: &'static str) -> Result<(), Error> {
        let off = u32_at(self.bytes, at) as usize;
        let len = usize::from(u16_at(self.bytes, at + 4));
        match self.strings.get(off..off + len) {
            Some(_) => Ok(()),
            None => Err(Error::malformed(what)),
        }
    }

    /// Reads one `Str` field, returning its offset in the payload.
    fn str_field(&self, r: &mut Reader<'a>, what: &'static str) -> Result<usize, Error> {
        let at = r.pos;
        r.take(STR, what)?;
        self.check_str(at, what)?;
        Ok(at)
    }

    /// Reads `n` `Str` fields.
    fn strs(&self, r: &mut Reader<'a>, n: u32, what: &'static str) -> Result<Table, Error> {
        let t = table(r, n, STR, what)?;
        for i in 0..n {
            self.check_str(t.entry(i), what)?;
        }
        Ok(t)
    }

    /// Names (the `Str` at the start of each entry) must strictly ascend: sorted and unique.
    fn check_ascending(&self, t: Table, what: &'static str) -> Result<(), Error> {
        for i in 1..t.count {
            if self.str_at(t.entry(i - 1)) >= self.str_at(t.entry(i)) {
                return Err(Error::malformed(what));
            }
        }
        Ok(())
    }

    fn check_level(&self, level: u8, what: &'static str) -> Result<(), Error> {
        if u32::from(level) > self.levels.count {
            return Err(Error::malformed(what));
        }
        Ok(())
    }

    fn check_product(&self, product: u16, what: &'static str) -> Result<(), Error> {
        if product != NO_PRODUCT && u32::from(product) >= self.products.count {
            return Err(Error::malformed(what));
        }
        Ok(())
    }

    fn check_perm(&self, at: usize) -> Result<(), Error> {
        let b = self.bytes;
        self.check_str(at, "permissions")?;
        if u8_at(b, at + PERM_STATE) > 7
            || usize::from(u8_at(b, at + PERM_REASON)) >= crate::facts::ENGINE_REASONS
        {
            return Err(Error::malformed("permissions: bad state or reason"));
        }
        self.check_product(u16_at(b, at + PERM_PRODUCT), "permissions: unknown product")
    }

    /// Scope runs: permissions strictly ascending and known, each run inside the scope refs
    /// and its values known and strictly ascending.
    fn check_runs(&self) -> Result<(), Error> {
        let b = self.bytes;
        let mut previous_perm = None;
        for i in 0..self.runs.count {
            let at = self.runs.entry(i);
            let p = u32::from(u16_at(b, at));
            if p >= self.perms.count || previous_perm.is_some_and(|q| q >= p) {
                return Err(Error::malformed("scope runs: bad permission"));
            }
            previous_perm = Some(p);
            let start = u32_at(b, at + RUN_START);
            let len = u32_at(b, at + RUN_LEN);
            if start
                .checked_add(len)
                .is_none_or(|end| end > self.scope_refs.count)
            {
                return Err(Error::malformed("scope runs: out of range"));
            }
            let mut previous = None;
            for k in start..start + len {
                let v = u32_at(b, self.scope_refs.entry(k));
                if v >= self.scope_values.count || previous.is_some_and(|q| q >= v) {
                    return Err(Error::malformed("scope runs: bad value"));
                }
                previous = Some(v);
            }
        }
        Ok(())
    }

    fn check_feature(&self, at: usize) -> Result<(), Error> {
        let b = self.bytes;
        self.check_str(at, "features")?;
        self.check_level(u8_at(b, at + FEATURE_LEVEL), "features: level out of range")?;
        self.check_level(
            u8_at(b, at + FEATURE_LEVEL + 1),
            "features: level out of range",
        )?;
        self.check_product(
            u16_at(b, at + FEATURE_PRODUCT_OFF),
            "features: unknown product",
        )?;
        let start = u32_at(b, at + FEATURE_OVERRIDES);
        let len = u32::from(u16_at(b, at + FEATURE_OVERRIDES_LEN));
        if start
            .checked_add(len)
            .is_none_or(|end| end > self.overrides.count)
        {
            return Err(Error::malformed("features: override run out of range"));
        }
        Ok(())
    }
}

/// Takes `n` entries of `width` bytes.
fn table(r: &mut Reader<'_>, n: u32, width: usize, what: &'static str) -> Result<Table, Error> {
    let at = r.pos;
    r.take(n as usize * width, what)?;
    Ok(Table {
        at,
        count: n,
        width,
    })
}

fn at_most(n: u32, max: u32, what: &'static str) -> Result<(), Error> {
    if n > max {
        return Err(Error::limit(what, n, max));
    }
    Ok(())
}

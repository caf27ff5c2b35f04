//! The issuer side of `permslip/lite` (`docs/LITE.md`): a compiled checker written out as the
//! lite payload, so a client reads back this engine's decisions instead of recompiling them.

use super::{Checker, Names};
use crate::engine::limits::MAX_EDGES;
use crate::engine::CompileError;

/// The claims a lite payload carries besides the decisions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiteClaims<'a> {
    /// Issuer (`iss`).
    pub iss: &'a str,
    /// Audiences (`aud`), at least one.
    pub aud: &'a [String],
    /// Issued at, Unix seconds.
    pub iat: u64,
    /// Not before, Unix seconds.
    pub nbf: u64,
    /// Expires at, Unix seconds.
    pub exp: u64,
    /// Issue counter (anti-rollback).
    pub serial: u64,
}

const NO_PRODUCT: u16 = 0xFFFF;

/// The payload being written: fixed-width little-endian fields, strings interned apart.
struct Writer {
    out: Vec<u8>,
    strings: Vec<u8>,
}

impl Writer {
    fn u8(&mut self, v: u8) {
        self.out.push(v);
    }
    fn u16(&mut self, v: u16) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }
    fn u32(&mut self, v: u32) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }
    /// A `Str`: offset and length in the string area (each string is stored once per use;
    /// names are short and the area compresses).
    fn str(&mut self, s: &str) -> Result<(), CompileError> {
        let too_long =
            || CompileError::TooMany("bytes in a lite name", s.len(), usize::from(u16::MAX));
        let len = u16::try_from(s.len()).map_err(|_| too_long())?;
        let off = u32::try_from(self.strings.len()).map_err(|_| too_long())?;
        self.strings.extend_from_slice(s.as_bytes());
        self.u32(off);
        self.u16(len);
        Ok(())
    }
}

/// Indices of `names` ordered by name (bytes), and the inverse map.
fn sorted(names: &Names) -> (Vec<u32>, Vec<u32>) {
    let mut order: Vec<u32> = (0..names.len() as u32).collect();
    order.sort_by(|a, b| names.name(*a).cmp(names.name(*b)));
    let mut rank = vec![0u32; order.len()];
    for (new, old) in order.iter().enumerate() {
        if let Some(slot) = rank.get_mut(*old as usize) {
            *slot = new as u32;
        }
    }
    (order, rank)
}

fn narrow<T: TryFrom<usize>>(n: usize, what: &'static str, max: usize) -> Result<T, CompileError> {
    T::try_from(n).map_err(|_| CompileError::TooMany(what, n, max))
}

impl Checker {
    /// The lite payload of this checker (`docs/LITE.md`, "Payload").
    pub fn lite_payload(&self, claims: &LiteClaims<'_>) -> Result<Vec<u8>, CompileError> {
        let cat = &*self.cat;
        let mut w = Writer {
            out: Vec::new(),
            strings: Vec::new(),
        };
        // Strings are written after the fixed part is known; fields point into them.
        w.str(claims.iss)?;
        w.str(&self.subject)?;
        w.str(&self.subject_name)?;
        if claims.aud.is_empty() {
            return Err(CompileError::TooMany("audiences (none given)", 0, 1));
        }
        w.u16(narrow(
            claims.aud.len(),
            "audiences",
            usize::from(u16::MAX),
        )?);
        for a in claims.aud {
            w.str(a)?;
        }
        w.u8(u8::from(self.is_admin));
        w.u8(narrow(cat.levels.len(), "levels", 15)?);
        for l in cat.levels.iter() {
            w.str(l)?;
        }
        w.u16(narrow(cat.products.len(), "products", 256)?);
        for p in cat.products.iter() {
            w.str(p)?;
        }
        let product = |p: Option<u32>| p.and_then(|p| u16::try_from(p).ok()).unwrap_or(NO_PRODUCT);

        let (action_order, action_rank) = sorted(&cat.actions);
        w.u16(narrow(
            action_order.len(),
            "actions",
            usize::from(u16::MAX),
        )?);
        for a in &action_order {
            w.str(cat.actions.name(*a))?;
            w.u8(cat.action_min.get(*a as usize).copied().unwrap_or(0));
        }

        let (value_order, value_rank) = sorted(&self.scope_values);
        w.u32(narrow(value_order.len(), "scope values", MAX_EDGES)?);
        for v in &value_order {
            w.str(self.scope_values.name(*v))?;
        }
        let (perm_order, _) = sorted(&cat.perms);
        let mut runs = Vec::with_capacity(perm_order.len());
        let mut refs: Vec<u32> = Vec::new();
        for p in &perm_order {
            let mut run: Vec<u32> = self
                .perm_scopes
                .get(*p as usize)
                .map(|values| {
                    values
                        .iter()
                        .filter_map(|v| value_rank.get(*v as usize).copied())
                        .collect()
                })
                .unwrap_or_default();
            run.sort_unstable();
            run.dedup();
            runs.push((refs.len() as u32, run.len() as u32));
            refs.extend(run);
        }
        w.u32(narrow(refs.len(), "scope refs", MAX_EDGES)?);
        for r in &refs {
            w.u32(*r);
        }

        w.u16(narrow(perm_order.len(), "permissions", 4096)?);
        for p in &perm_order {
            let i = *p as usize;
            w.str(cat.perms.name(*p))?;
            let state = u8::from(self.allow_any.get(i))
                | u8::from(self.allow_all_scopes.get(i)) << 1
                | u8::from(self.all_scopes_non_admin.get(i)) << 2;
            w.u8(state);
            w.u8(self.perm_reason.get(i).map_or(7, |r| *r as u8));
            w.u16(product(cat.perm_product.get(i).copied().flatten()));
        }
        // Scope runs only for the permissions granted for some values, by sorted index.
        let scoped: Vec<(usize, &(u32, u32))> = runs
            .iter()
            .enumerate()
            .filter(|(_, (_, len))| *len > 0)
            .collect();
        w.u16(narrow(scoped.len(), "scoped permissions", 4096)?);
        for (p, (start, len)) in scoped {
            w.u16(narrow(p, "permissions", 4096)?);
            w.u32(*start);
            w.u32(*len);
        }

        let (feature_order, feature_rank) = sorted(&cat.features);
        let mut overrides: Vec<(u16, u8)> = Vec::new();
        let mut feature_runs = Vec::with_capacity(feature_order.len());
        for f in &feature_order {
            let start = overrides.len() as u32;
            for (a, min) in cat
                .feature_actions
                .get(*f as usize)
                .map_or(&[][..], Vec::as_slice)
            {
                let a = action_rank.get(*a as usize).copied().unwrap_or(0);
                overrides.push((narrow(a as usize, "actions", usize::from(u16::MAX))?, *min));
            }
            feature_runs.push((start, overrides.len() as u32 - start));
        }
        w.u32(narrow(
            overrides.len(),
            "feature action overrides",
            MAX_EDGES,
        )?);
        for (a, min) in &overrides {
            w.u16(*a);
            w.u8(*min);
        }
        w.u16(narrow(feature_order.len(), "features", 1024)?);
        for (f, (start, len)) in feature_order.iter().zip(&feature_runs) {
            let i = *f as usize;
            w.str(cat.features.name(*f))?;
            w.u8(self.feature_level.get(i).copied().unwrap_or(0));
            w.u8(self.feature_level_no_admin.get(i).copied().unwrap_or(0));
            let p = cat.feature_product.get(i).copied().flatten();
            let off = p.filter(|p| !self.product_on.get(*p as usize).copied().unwrap_or(false));
            w.u16(product(off));
            w.u32(*start);
            w.u16(narrow(
                *len as usize,
                "overrides of one feature",
                usize::from(u16::MAX),
            )?);
        }

        let n = self.resources.len();
        w.u16(narrow(n, "resources", 16384)?);
        for r in 0..n {
            w.str(self.resources.name(r as u32))?;
            let f = self.resource_feature.get(r).copied().unwrap_or(0);
            w.u16(narrow(
                feature_rank.get(f as usize).copied().unwrap_or(0) as usize,
                "features",
                1024,
            )?);
            w.u8(self.resource_level.get(r).copied().unwrap_or(0));
            w.u8(self.resource_level_no_admin.get(r).copied().unwrap_or(0));
            let restricted = self.resource_restricted.get(r).copied().unwrap_or(false)
                && !self.resource_assigned.get(r).copied().unwrap_or(false);
            w.u8(u8::from(restricted));
        }
        let (resource_order, _) = sorted(&self.resources);
        for r in resource_order {
            w.u16(narrow(r as usize, "resources", 16384)?);
        }

        let strings_len =
            narrow::<u32>(w.strings.len(), "bytes of lite strings", u32::MAX as usize)?;
        let mut payload = Vec::with_capacity(40 + w.strings.len() + w.out.len());
        payload.extend_from_slice(permslip_lite::payload::MAGIC);
        payload.push(permslip_lite::payload::VERSION);
        for t in [claims.iat, claims.nbf, claims.exp, claims.serial] {
            payload.extend_from_slice(&t.to_le_bytes());
        }
        payload.extend_from_slice(&strings_len.to_le_bytes());
        payload.extend_from_slice(&w.strings);
        payload.extend_from_slice(&w.out);
        Ok(payload)
    }
}

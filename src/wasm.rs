//! JavaScript bindings, compiled for wasm32 only. Internal to the npm package: `pkg/src/core.js`
//! wraps them into the public JS API, so names here are for that wrapper, not for users.
//!
//! This layer only converts types, maps errors and names things. Two conventions keep calls
//! cheap (see `pkg/README.md` for the measured costs):
//! - A call takes at most one string. Two names travel as one string plus the length of the
//!   first in UTF-16 code units (what JS's `.length` counts); [`NO_SECOND`] means "no second
//!   name" (an unscoped permission, a level left at its default).
//! - Answers are numbers and booleans. What is naturally a structure (explanations, profile,
//!   lists) is serialised to JSON once and parsed by the wrapper; no check serialises anything.
//!   `serde-wasm-bindgen` objects were bigger and slower to build (docs/DESIGN.md).
//!
//! Errors are JS `Error`s carrying the stable Rust `code()` as a `code` property; the wrapper
//! rethrows them as `PermslipError`.

use std::fmt::Display;

use wasm_bindgen::prelude::*;

use crate::engine::{wording, Checker, Explanation, Reason, HANDLE_DENY};
use crate::json::{self, write::SnapshotMeta, write::ToJson};
use crate::snapshot::Snapshot;
use crate::token::{self, Equation, Jwks, Signed, VerifiedCatalogue, VerifyOptions};
use crate::verified::{query_words, Query};

/// The global allocator: talc rather than the default dlmalloc, ~2.5 KiB less brotli at the same
/// speed. Like dlmalloc it bins and coalesces free blocks; a plain free-list allocator
/// (lol_alloc) was as small but made loads 3x slower once a few hundred checkers stayed alive.
/// Only on builds without the `atomics` target feature: no threads, which its cell relies on.
#[cfg(not(target_feature = "atomics"))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// With the `debug-panics` feature, installs the panic hook that prints a panic's message and
/// stack with `console.error`; without it the instance traps with only `unreachable`. The glue
/// runs this once, when it instantiates the module.
#[cfg(feature = "debug-panics")]
#[wasm_bindgen(start)]
fn start() {
    console_error_panic_hook::set_once();
}

/// The split length that means "there is no second name".
const NO_SECOND: u32 = u32::MAX;

/// A JS `Error` with a stable `code` property.
fn error(code: &str, message: impl Display) -> JsValue {
    let e = js_sys::Error::new(&message.to_string());
    // Setting a property on a fresh, unfrozen Error cannot fail; if it somehow did, the wrapper
    // reports the error under the `internal` code rather than losing it.
    let _ = js_sys::Reflect::set(&e, &JsValue::from_str("code"), &JsValue::from_str(code));
    e.into()
}

/// Splits `joined` after its first `first_len` UTF-16 code units. `None` when the split falls
/// inside a character, which no name the wrapper sends can cause except lone surrogates (which
/// name nothing, so the caller denies).
fn split_utf16(joined: &str, first_len: u32) -> Option<(&str, &str)> {
    let mut units = 0u32;
    for (i, c) in joined.char_indices() {
        if units == first_len {
            return joined.split_at_checked(i);
        }
        if units > first_len {
            return None;
        }
        units = units.saturating_add(c.len_utf16() as u32);
    }
    (units == first_len).then_some((joined, ""))
}

/// `(first, Some(second))`, or `(joined, None)` for [`NO_SECOND`].
fn pair(joined: &str, first_len: u32) -> Option<(&str, Option<&str>)> {
    if first_len == NO_SECOND {
        return Some((joined, None));
    }
    split_utf16(joined, first_len).map(|(a, b)| (a, Some(b)))
}

/// JSON for the wrapper to `JSON.parse` (the crate's small writer, not serde_json, which
/// would more than double the module).
fn json<T: ToJson + ?Sized>(value: &T) -> String {
    json::write::to_string(value)
}

/// A parsed, checked JWKS. Parse once and reuse: decoding each Ed25519 key costs.
#[wasm_bindgen]
pub struct WasmKeySet {
    jwks: Jwks,
}

#[wasm_bindgen]
impl WasmKeySet {
    /// Parses a JWKS document (a JSON string).
    pub fn parse(json: &str) -> Result<WasmKeySet, JsValue> {
        Jwks::from_json(json)
            .map(|jwks| WasmKeySet { jwks })
            .map_err(|e| error(e.code(), e))
    }

    /// The 32-byte public key at `index` (the order of [`WasmKeySet::kids`]), for the host's
    /// Ed25519; empty past the end.
    pub fn public_key(&self, index: u32) -> Vec<u8> {
        self.jwks
            .public_key_bytes(index as usize)
            .map(|key| key.to_vec())
            .unwrap_or_default()
    }

    /// Builds the fixed-base table of the key at `index` now (the wrapper hands a key over to
    /// the module's verifier after the host verified its first signatures).
    pub fn prepare_key(&self, index: u32) {
        self.jwks.prepare_key(index as usize);
    }

    /// The key ids, in document order.
    pub fn kids(&self) -> Vec<String> {
        self.jwks.kids().map(str::to_owned).collect()
    }
}

/// A whole-number option from JS: the wrapper has validated it; anything else becomes 0.
fn whole(x: f64) -> u64 {
    if x.is_finite() && x > 0.0 {
        // Saturating float-to-int conversion.
        x as u64
    } else {
        0
    }
}

/// A named option of the wrapper's validated options object: a string, absent, or a number.
fn field(options: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(options, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

/// Verification options from the wrapper's validated options object (`audience`, `issuer`,
/// `subject`, `leeway`, `minSerial`, `maxTokenBytes`; the time comes with each verification).
/// Absent numbers take the core's defaults.
fn options_of(options: &JsValue) -> VerifyOptions {
    let number = |name: &str| field(options, name).as_f64().map(whole);
    let mut opts = VerifyOptions::new(
        field(options, "audience").as_string().unwrap_or_default(),
        0,
    );
    opts.issuer = field(options, "issuer").as_string();
    opts.subject = field(options, "subject").as_string();
    if let Some(leeway) = number("leeway") {
        opts.leeway = leeway;
    }
    opts.min_serial = number("minSerial").unwrap_or(0);
    if let Some(max) = number("maxTokenBytes") {
        opts.max_token_bytes = usize::try_from(max).unwrap_or(usize::MAX);
    }
    opts
}

/// How the signature's group equation was decided: here (`None`), or by the host's Ed25519,
/// which accepted (`Some(true)`) or refused (`Some(false)`) it. The strict checks around the
/// equation ran in [`WasmSigned::open`] either way.
fn equation(host: Option<bool>) -> Equation {
    match host {
        None => Equation::Builtin,
        Some(true) => Equation::CheckedByHost,
        Some(false) => Equation::RefusedByHost,
    }
}

/// A token opened for verification (the pending state): structure, header, algorithm and key
/// checked, signature pre-checked (`src/token/strict.rs`), options read. Loading it consumes it
/// and gives the verified state: a [`WasmChecker`] or a [`WasmCatalogue`].
#[wasm_bindgen]
pub struct WasmSigned {
    token: String,
    signed: Signed,
    opts: VerifyOptions,
    /// A copy of the signature on the heap: its address, written into `facts`, must survive
    /// this struct's moves (the one inside `signed` moves with it). Read only by the host,
    /// through that address.
    #[expect(
        dead_code,
        reason = "read by the host's Ed25519 through its address in wasm memory"
    )]
    signature: Box<[u8; 64]>,
}

#[wasm_bindgen]
impl WasmSigned {
    /// Opens `token` (a snapshot, or a catalogue bundle when `bundle`) with the wrapper's
    /// options object. Writes what a host's Ed25519 needs into `facts`: the key's index in the
    /// key set, the signing input's address and length, the 64-byte signature's address.
    pub fn open(
        token: String,
        keys: &WasmKeySet,
        options: &JsValue,
        bundle: bool,
        facts: &mut [u32],
    ) -> Result<WasmSigned, JsValue> {
        let opts = options_of(options);
        let inspected = if bundle {
            token::inspect_catalogue(&token, &keys.jwks, opts.max_token_bytes)
        } else {
            token::inspect_snapshot(&token, &keys.jwks, opts.max_token_bytes)
        };
        let signed = inspected.map_err(|e| error(e.code(), e))?;
        let signature = Box::new(*signed.signature());
        // The token's text is on the heap too: moving the String keeps its address.
        let message = signed.signing_input(&token);
        let found = [
            signed.key_index() as u32,
            message.as_ptr() as usize as u32,
            message.len() as u32,
            signature.as_ptr() as usize as u32,
        ];
        for (slot, value) in facts.iter_mut().zip(found) {
            *slot = value;
        }
        Ok(WasmSigned {
            token,
            signed,
            opts,
            signature,
        })
    }

    /// Finishes verifying a snapshot with an inline catalogue at `now` (Unix seconds) and
    /// compiles it. `host`: see [`equation`].
    pub fn load_snapshot(
        self,
        keys: &WasmKeySet,
        now: f64,
        host: Option<bool>,
    ) -> Result<WasmChecker, JsValue> {
        self.snapshot(keys, None, now, host)
    }

    /// [`WasmSigned::load_snapshot`] for a slip that names a catalogue bundle (a slip with an
    /// inline catalogue ignores it).
    pub fn load_snapshot_with(
        self,
        keys: &WasmKeySet,
        catalogue: &WasmCatalogue,
        now: f64,
        host: Option<bool>,
    ) -> Result<WasmChecker, JsValue> {
        self.snapshot(keys, Some(&catalogue.inner), now, host)
    }

    /// Finishes verifying a catalogue bundle (opened with `bundle` set) and compiles it.
    pub fn load_catalogue(
        self,
        keys: &WasmKeySet,
        now: f64,
        host: Option<bool>,
    ) -> Result<WasmCatalogue, JsValue> {
        let (token, signed, opts) = self.at(now);
        token::verify_signed_catalogue(&token, signed, equation(host), &keys.jwks, &opts)
            .map(|inner| WasmCatalogue { inner })
            .map_err(|e| error(e.code(), e))
    }
}

impl WasmSigned {
    /// The token, its inspection and the options, set to verify at `now` (Unix seconds).
    fn at(self, now: f64) -> (String, Signed, VerifyOptions) {
        let mut opts = self.opts;
        opts.now = whole(now);
        (self.token, self.signed, opts)
    }

    /// The one verification path of both snapshot loads.
    fn snapshot(
        self,
        keys: &WasmKeySet,
        catalogue: Option<&VerifiedCatalogue>,
        now: f64,
        host: Option<bool>,
    ) -> Result<WasmChecker, JsValue> {
        let (token, signed, opts) = self.at(now);
        Snapshot::from_signed(&token, signed, equation(host), catalogue, &keys.jwks, &opts)
            .map(|snapshot| WasmChecker { snapshot })
            .map_err(|e| error(e.code(), e))
    }
}

/// A verified, compiled catalogue bundle, shared by the snapshots of its model.
#[wasm_bindgen]
pub struct WasmCatalogue {
    inner: VerifiedCatalogue,
}

#[wasm_bindgen]
impl WasmCatalogue {
    /// The binding hash slips name in `catalogue_hash`.
    pub fn hash(&self) -> String {
        self.inner.hash().to_owned()
    }
}

/// A scratch area in wasm memory for batch checks: the wrapper writes handles straight into
/// `handles` and reads answers from `out`, so a batch allocates and copies nothing per call.
#[wasm_bindgen]
pub struct WasmBatch {
    handles: Vec<u32>,
    out: Vec<u8>,
}

#[wasm_bindgen]
impl WasmBatch {
    /// A batch of `capacity` slots (handles start as "deny").
    #[wasm_bindgen(constructor)]
    pub fn new(capacity: u32) -> WasmBatch {
        let n = capacity as usize;
        WasmBatch {
            handles: vec![HANDLE_DENY; n],
            out: vec![0; n],
        }
    }

    /// Address of the `u32` handle slots in wasm memory.
    pub fn handles_ptr(&self) -> u32 {
        self.handles.as_ptr() as usize as u32
    }

    /// Address of the `u8` answer slots in wasm memory.
    pub fn out_ptr(&self) -> u32 {
        self.out.as_ptr() as usize as u32
    }

    /// Number of slots.
    pub fn capacity(&self) -> u32 {
        self.handles.len() as u32
    }
}

/// A verified snapshot and its compiled checker.
#[wasm_bindgen]
pub struct WasmChecker {
    snapshot: Snapshot,
}

impl WasmChecker {
    fn checker(&self) -> &Checker {
        self.snapshot.checker()
    }
}

#[wasm_bindgen]
impl WasmChecker {
    /// What the wrapper keeps, in one crossing: JSON `{ subject, issuer, exp, serial, levels }`.
    pub fn meta(&self) -> String {
        json(&SnapshotMeta {
            subject: self.snapshot.subject(),
            issuer: self.snapshot.issuer(),
            exp: self.snapshot.expires_at(),
            serial: self.snapshot.serial(),
            levels: self.checker().level_names().collect(),
        })
    }

    /// Handle for a permission, optionally scoped: `joined` is the permission followed by the
    /// scope value, the permission being `first_len` UTF-16 units long.
    pub fn permission_handle(&self, joined: &str, first_len: u32) -> u32 {
        match pair(joined, first_len) {
            Some((p, scope)) => self.checker().permission_handle(p, scope),
            None => HANDLE_DENY,
        }
    }

    /// Handle for "at least level on feature" (`NO_SECOND`: the lowest level).
    pub fn feature_handle(&self, joined: &str, first_len: u32) -> u32 {
        match pair(joined, first_len) {
            Some((f, level)) => self.checker().feature_handle(f, level),
            None => HANDLE_DENY,
        }
    }

    /// Handle for "at least level on resource" (`NO_SECOND`: the lowest level).
    pub fn resource_handle(&self, joined: &str, first_len: u32) -> u32 {
        match pair(joined, first_len) {
            Some((r, level)) => self.checker().resource_handle(r, level),
            None => HANDLE_DENY,
        }
    }

    /// Answers a handle; a foreign or corrupt handle denies.
    pub fn check(&self, handle: u32) -> bool {
        self.checker().check(handle)
    }

    /// Answers the first `n` handles of `batch` into its answer slots.
    pub fn check_batch(&self, batch: &mut WasmBatch, n: u32) {
        let n = (n as usize).min(batch.handles.len());
        if let Some(handles) = batch.handles.get(..n) {
            self.checker().check_many(handles, &mut batch.out);
        }
    }

    /// Level number held on a feature (0: none).
    pub fn feature_level(&self, feature: &str) -> u8 {
        self.checker().feature_level(feature)
    }

    /// Level number held on a resource (0: none or not visible).
    pub fn resource_level(&self, id: &str) -> u8 {
        self.checker().resource_level(id)
    }

    /// `action` on `feature`, joined as for [`WasmChecker::permission_handle`].
    pub fn can_feature(&self, joined: &str, first_len: u32) -> bool {
        split_utf16(joined, first_len).is_some_and(|(f, a)| self.checker().can_feature(f, a))
    }

    /// `action` on resource `id`, joined as for [`WasmChecker::permission_handle`].
    pub fn can_resource(&self, joined: &str, first_len: u32) -> bool {
        split_utf16(joined, first_len).is_some_and(|(r, a)| self.checker().can_resource(r, a))
    }

    /// JSON array of the resource ids of a feature the user may do an action on.
    pub fn list(&self, joined: &str, first_len: u32) -> String {
        let ids = split_utf16(joined, first_len)
            .map(|(f, a)| self.checker().list(f, a))
            .unwrap_or_default();
        json(&ids)
    }

    /// JSON explanation of a permission check (`NO_SECOND`: unscoped).
    pub fn explain_permission(&self, joined: &str, first_len: u32) -> String {
        let (p, scope) = pair(joined, first_len).unwrap_or((joined, None));
        json(&self.checker().explain_permission(p, scope))
    }

    /// JSON explanation of an action on a feature.
    pub fn explain_feature(&self, joined: &str, first_len: u32) -> String {
        let (f, a) = split_utf16(joined, first_len).unwrap_or((joined, ""));
        json(&self.checker().explain_feature(f, a))
    }

    /// JSON explanation of an action on a resource.
    pub fn explain_resource(&self, joined: &str, first_len: u32) -> String {
        let (r, a) = split_utf16(joined, first_len).unwrap_or((joined, ""));
        json(&self.checker().explain_resource(r, a))
    }

    /// JSON profile: roles, teams, effective permissions and levels with provenance.
    pub fn profile(&self) -> String {
        json(&self.checker().profile())
    }
}

/// JSON explanation of a check that no snapshot answers: `expired` when `exp` (Unix seconds) is
/// given, else `invalid` (a deny-all checker). `kind` 0 is a permission (`first_len`
/// [`NO_SECOND`]: unscoped), 1 an action on a feature, 2 on a resource. Worded by the engine,
/// as every other explanation.
#[wasm_bindgen]
pub fn explain_unanswerable(kind: u32, joined: &str, first_len: u32, exp: Option<f64>) -> String {
    let (a, b) = pair(joined, first_len).unwrap_or((joined, None));
    let second = b.unwrap_or_default().to_owned();
    let query = match kind {
        0 => Query::Permission {
            permission: a.to_owned(),
            scope: b.map(str::to_owned),
        },
        1 => Query::Feature {
            feature: a.to_owned(),
            action: second,
        },
        _ => Query::Resource {
            id: a.to_owned(),
            action: second,
        },
    };
    let words = query_words(&query);
    json(&match exp {
        Some(exp) => Explanation::bare(
            false,
            Reason::Expired,
            words,
            wording::expired_message(whole(exp)),
        ),
        None => Explanation::bare(
            false,
            Reason::Invalid,
            words,
            wording::INVALID_MESSAGE.to_owned(),
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // The module exists on wasm32 only, so its tests run under wasm-bindgen-test-runner.
    #[wasm_bindgen_test::wasm_bindgen_test]
    fn splits_on_utf16_units() {
        assert_eq!(split_utf16("ab", 1), Some(("a", "b")));
        assert_eq!(split_utf16("ab", 2), Some(("ab", "")));
        assert_eq!(split_utf16("ab", 0), Some(("", "ab")));
        assert_eq!(split_utf16("ab", 3), None);
        // é is one UTF-16 unit and two UTF-8 bytes; 😀 is two units and four bytes.
        assert_eq!(split_utf16("é😀x", 1), Some(("é", "😀x")));
        assert_eq!(split_utf16("é😀x", 3), Some(("é😀", "x")));
        assert_eq!(split_utf16("é😀x", 2), None);
        assert_eq!(pair("abc", NO_SECOND), Some(("abc", None)));
    }
}

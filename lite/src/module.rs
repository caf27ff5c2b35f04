//! The standalone wasm module's exports (`docs/LITE.md`, "The module's exports").
//!
//! One token per instance. Memory, from `__heap_base`: the token, its decoded header and
//! signature, the decoded payload, then the scratch area for query strings and list results.
//! Nothing here allocates; the regions only grow, so a parsed [`Slip`] never moves.

use core::cell::UnsafeCell;

use crate::base64url::{decode_into, decoded_len};
use crate::token::{self, HEADER_ROOM};
use crate::{Error, Explained, Slip, Status, HANDLE_DENY};

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}

extern "C" {
    static __heap_base: u8;
}

const PAGE: usize = 65536;
const OUT_WORDS: usize = 64;
const NO_SCOPE: i32 = -1;

#[derive(Clone, Copy)]
struct State {
    token: usize,
    token_len: usize,
    header: usize,
    signature: usize,
    payload: usize,
    payload_len: usize,
    payload_b64: usize,
    payload_b64_len: usize,
    scratch: usize,
    scratch_cap: usize,
    list_at: usize,
    list_len: usize,
    slip: Option<Slip<'static>>,
    detail: &'static str,
    out: [u32; OUT_WORDS],
}

/// The instance's state. A wasm instance runs one thread, so no two borrows ever overlap.
struct Global(UnsafeCell<State>);
// SAFETY: wasm32 without threads: there is only ever one thread.
unsafe impl Sync for Global {}

const EMPTY: State = State {
    token: 0,
    token_len: 0,
    header: 0,
    signature: 0,
    payload: 0,
    payload_len: 0,
    payload_b64: 0,
    payload_b64_len: 0,
    scratch: 0,
    scratch_cap: 0,
    list_at: 0,
    list_len: 0,
    slip: None,
    detail: "",
    out: [0; OUT_WORDS],
};

static STATE: Global = Global(UnsafeCell::new(EMPTY));

fn state() -> &'static mut State {
    // SAFETY: single-threaded, and every export takes this reference once and drops it before
    // returning; no export calls another.
    unsafe { &mut *STATE.0.get() }
}

/// Grows memory so `end` is addressable; false when it cannot.
fn ensure(end: usize) -> bool {
    let have = core::arch::wasm32::memory_size(0) * PAGE;
    if end <= have {
        return true;
    }
    let pages = (end - have).div_ceil(PAGE);
    core::arch::wasm32::memory_grow(0, pages) != usize::MAX
}

/// The bytes at `[at, at + len)` of linear memory.
fn bytes(at: usize, len: usize) -> &'static [u8] {
    // SAFETY: callers pass regions inside memory they ensured; memory never shrinks.
    unsafe { core::slice::from_raw_parts(at as *const u8, len) }
}

fn bytes_mut(at: usize, len: usize) -> &'static mut [u8] {
    // SAFETY: as `bytes`; the regions handed out here do not overlap each other.
    unsafe { core::slice::from_raw_parts_mut(at as *mut u8, len) }
}

const fn align8(n: usize) -> usize {
    (n + 7) & !7
}

fn fail(s: &mut State, e: Error) -> u32 {
    s.detail = e.detail;
    e.status as u32
}

fn put_str(s: &mut State, i: usize, value: Option<&str>) {
    let (ptr, len) = value.map_or((0, 0), |v| (v.as_ptr() as u32, v.len() as u32));
    if let Some(slot) = s.out.get_mut(i..i + 2) {
        slot.copy_from_slice(&[ptr, len]);
    }
}

/// The query strings at `scratch`: the first `a` bytes, then `b` more (`b` < 0: none).
fn query(s: &State, a: u32, b: i32) -> (&'static [u8], Option<&'static [u8]>) {
    let a = (a as usize).min(s.scratch_cap);
    let first = bytes(s.scratch, a);
    let second = usize::try_from(b)
        .ok()
        .map(|b| bytes(s.scratch + a, b.min(s.scratch_cap - a)));
    (first, second)
}

#[no_mangle]
pub extern "C" fn out() -> u32 {
    state().out.as_ptr() as u32
}

#[no_mangle]
pub extern "C" fn detail() {
    let s = state();
    let d = s.detail;
    put_str(s, 0, Some(d));
}

#[no_mangle]
pub extern "C" fn input(len: u32) -> u32 {
    let s = state();
    // Only the address of the linker's symbol is taken, never its value.
    let base = align8(core::ptr::addr_of!(__heap_base) as usize);
    let len = len as usize;
    let header = align8(base + len);
    let signature = header + align8(HEADER_ROOM);
    let payload = signature + 64;
    if !ensure(payload) {
        return 0;
    }
    *s = State {
        token: base,
        token_len: len,
        header,
        signature,
        payload,
        scratch: payload,
        ..EMPTY
    };
    base as u32
}

#[no_mangle]
pub extern "C" fn open(len: u32) -> u32 {
    let s = state();
    if s.token == 0 || len as usize != s.token_len {
        return fail(s, Error::malformed("open: no token written"));
    }
    let token = bytes(s.token, s.token_len);
    let header: &'static mut [u8; HEADER_ROOM] = match bytes_mut(s.header, HEADER_ROOM).try_into() {
        Ok(h) => h,
        Err(_) => return fail(s, Error::malformed("open")),
    };
    let opened = match token::open(token, header) {
        Ok(o) => o,
        Err(e) => return fail(s, e),
    };
    let Some(payload_len) = decoded_len(opened.payload.len()) else {
        return fail(s, Error::malformed("payload: invalid base64url"));
    };
    let scratch = align8(s.payload + payload_len);
    if !ensure(scratch) {
        return fail(s, Error::malformed("payload: too large"));
    }
    bytes_mut(s.signature, 64).copy_from_slice(&opened.signature);
    s.payload_len = payload_len;
    s.payload_b64 = opened.payload.as_ptr() as usize;
    s.payload_b64_len = opened.payload.len();
    s.scratch = scratch;
    s.scratch_cap = 0;
    s.out = [0; OUT_WORDS];
    s.out[0] = opened.kid.as_ptr() as u32;
    s.out[1] = opened.kid.len() as u32;
    s.out[2] = opened.signed_len as u32;
    s.out[3] = s.signature as u32;
    0
}

#[no_mangle]
pub extern "C" fn accept() -> u32 {
    let s = state();
    if s.payload_b64 == 0 {
        return fail(s, Error::malformed("accept: token not opened"));
    }
    let b64_len = s.payload_b64_len;
    let payload = bytes_mut(s.payload, s.payload_len);
    if decode_into(bytes(s.payload_b64, b64_len), payload).is_err() {
        return fail(s, Error::malformed("payload: invalid base64url"));
    }
    match Slip::parse(bytes(s.payload, s.payload_len)) {
        Ok(slip) => {
            s.slip = Some(slip);
            0
        }
        Err(e) => fail(s, e),
    }
}

#[no_mangle]
pub extern "C" fn expect(kind: u32, len: u32) -> u32 {
    let s = state();
    let Some(slip) = s.slip else {
        return fail(s, Error::malformed("expect: not accepted"));
    };
    let (want, _) = query(s, len, NO_SCOPE);
    let (ok, status, detail) = match kind {
        0 => (slip.has_audience(want), Status::WrongAudience, "audience"),
        1 => (
            slip.issuer().as_bytes() == want,
            Status::WrongIssuer,
            "issuer",
        ),
        _ => (
            slip.subject().as_bytes() == want,
            Status::WrongSubject,
            "subject",
        ),
    };
    if ok {
        0
    } else {
        s.slip = None;
        fail(s, Error::new(status, detail))
    }
}

#[no_mangle]
pub extern "C" fn times(now: f64, leeway: f64, min_serial: f64) -> u32 {
    let s = state();
    let Some(slip) = s.slip else {
        return fail(s, Error::malformed("times: not accepted"));
    };
    // Saturating float-to-integer casts: NaN and negatives read as 0 (the wrapper validates).
    let (now, leeway, min_serial) = (now as u64, leeway as u64, min_serial as u64);
    let refused = if now >= slip.exp.saturating_add(leeway) {
        Some((Status::Expired, "expired"))
    } else if now.saturating_add(leeway) < slip.nbf {
        Some((Status::NotYetValid, "not valid yet"))
    } else if slip.serial < min_serial {
        Some((Status::Rollback, "serial below the lowest accepted"))
    } else {
        None
    };
    match refused {
        Some((status, detail)) => {
            s.slip = None;
            fail(s, Error::new(status, detail))
        }
        None => 0,
    }
}

#[no_mangle]
pub extern "C" fn claims() {
    let s = state();
    let Some(slip) = s.slip else { return };
    put_str(s, 0, Some(slip.issuer()));
    put_str(s, 2, Some(slip.subject()));
    put_str(s, 4, Some(slip.subject_name()));
    s.out[6] = u32::from(slip.admin);
}

macro_rules! time_export {
    ($name:ident) => {
        #[no_mangle]
        pub extern "C" fn $name() -> f64 {
            state().slip.map_or(0.0, |slip| slip.$name as f64)
        }
    };
}
time_export!(iat);
time_export!(nbf);
time_export!(exp);
time_export!(serial);

#[no_mangle]
pub extern "C" fn scratch(len: u32) -> u32 {
    let s = state();
    if s.scratch == 0 || !ensure(s.scratch + len as usize) {
        return 0;
    }
    s.scratch_cap = s.scratch_cap.max(len as usize);
    s.scratch as u32
}

#[no_mangle]
pub extern "C" fn check_key() -> u32 {
    let s = state();
    let (key, _) = query(s, 32, NO_SCOPE);
    match <&[u8; 32]>::try_from(key) {
        Ok(k) if token::key_usable(k) => 0,
        _ => fail(
            s,
            Error::new(Status::InvalidKey, "not a canonical key of large order"),
        ),
    }
}

/// Runs `f` on the accepted slip and the query strings; `default` before acceptance.
fn with<T>(
    a: u32,
    b: i32,
    default: T,
    f: impl FnOnce(&Slip<'static>, &[u8], Option<&[u8]>) -> T,
) -> T {
    let s = state();
    match s.slip {
        Some(slip) => {
            let (x, y) = query(s, a, b);
            f(&slip, x, y)
        }
        None => default,
    }
}

#[no_mangle]
pub extern "C" fn can(plen: u32, slen: i32) -> u32 {
    with(plen, slen, 0, |slip, p, v| u32::from(slip.can(p, v)))
}

#[no_mangle]
pub extern "C" fn handle(plen: u32, slen: i32) -> u32 {
    with(plen, slen, HANDLE_DENY, |slip, p, v| {
        slip.permission_handle(p, v)
    })
}

#[no_mangle]
pub extern "C" fn feature_handle(flen: u32, llen: i32) -> u32 {
    with(flen, llen, HANDLE_DENY, |slip, f, l| {
        slip.feature_handle(f, l)
    })
}

#[no_mangle]
pub extern "C" fn resource_handle(rlen: u32, llen: i32) -> u32 {
    with(rlen, llen, HANDLE_DENY, |slip, r, l| {
        slip.resource_handle(r, l)
    })
}

#[no_mangle]
pub extern "C" fn check(handle: u32) -> u32 {
    state().slip.map_or(0, |slip| u32::from(slip.check(handle)))
}

#[no_mangle]
pub extern "C" fn feature_level(flen: u32) -> u32 {
    with(flen, NO_SCOPE, 0, |slip, f, _| {
        u32::from(slip.feature_level(f))
    })
}

#[no_mangle]
pub extern "C" fn resource_level(rlen: u32) -> u32 {
    with(rlen, NO_SCOPE, 0, |slip, r, _| {
        u32::from(slip.resource_level(r))
    })
}

#[no_mangle]
pub extern "C" fn level_name(n: u32) {
    let s = state();
    let name = s.slip.and_then(|slip| slip.level_name(n));
    put_str(s, 0, name);
}

#[no_mangle]
pub extern "C" fn can_feature(flen: u32, alen: i32) -> u32 {
    with(flen, alen, 0, |slip, f, a| {
        u32::from(slip.can_feature(f, a.unwrap_or(b"")))
    })
}

#[no_mangle]
pub extern "C" fn can_resource(rlen: u32, alen: i32) -> u32 {
    with(rlen, alen, 0, |slip, r, a| {
        u32::from(slip.can_resource(r, a.unwrap_or(b"")))
    })
}

#[no_mangle]
pub extern "C" fn list(flen: u32, alen: i32) -> u32 {
    let s = state();
    let Some(slip) = s.slip else { return 0 };
    let (f, a) = query(s, flen, alen);
    let at = align8(s.scratch + s.scratch_cap);
    let mut n = 0usize;
    for name in slip.list(f, a.unwrap_or(b"")) {
        if !ensure(at + 8 * (n + 1)) {
            break;
        }
        let (ptr, len) = (name.as_ptr() as u32, name.len() as u32);
        let mut pair = [0u8; 8];
        for (dst, src) in pair
            .iter_mut()
            .zip(ptr.to_le_bytes().into_iter().chain(len.to_le_bytes()))
        {
            *dst = src;
        }
        bytes_mut(at + 8 * n, 8).copy_from_slice(&pair);
        n += 1;
    }
    s.list_at = at;
    s.list_len = n;
    n as u32
}

#[no_mangle]
pub extern "C" fn list_item(i: u32) {
    let s = state();
    let i = i as usize;
    let (ptr, len) = if i < s.list_len {
        let pair = bytes(s.list_at + 8 * i, 8);
        let word = |k: usize| {
            pair.get(k..k + 4)
                .and_then(|w| <[u8; 4]>::try_from(w).ok())
                .map_or(0, u32::from_le_bytes)
        };
        (word(0), word(4))
    } else {
        (0, 0)
    };
    s.out[0] = ptr;
    s.out[1] = len;
}

fn put_explained(e: Explained<'_>) {
    let s = state();
    s.out[0] = u32::from(e.allowed);
    s.out[1] = u32::from(e.reason);
    put_str(s, 2, e.level);
    put_str(s, 4, e.needed);
    put_str(s, 6, e.product);
}

#[no_mangle]
pub extern "C" fn explain_permission(plen: u32, slen: i32) {
    let e = with(plen, slen, None, |slip, p, v| {
        Some(slip.explain_permission(p, v))
    });
    put_explained(e.unwrap_or_default());
}

#[no_mangle]
pub extern "C" fn explain_feature(flen: u32, alen: i32) {
    let e = with(flen, alen, None, |slip, f, a| {
        Some(slip.explain_feature(f, a.unwrap_or(b"")))
    });
    put_explained(e.unwrap_or_default());
}

#[no_mangle]
pub extern "C" fn explain_resource(rlen: u32, alen: i32) {
    let e = with(rlen, alen, None, |slip, r, a| {
        Some(slip.explain_resource(r, a.unwrap_or(b"")))
    });
    put_explained(e.unwrap_or_default());
}

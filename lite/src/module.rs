//! The standalone wasm module's exports (`docs/LITE.md`, "The module's exports").
//!
//! One instance serves every token: creating an instance costs ~45 µs in V8 and reserves
//! gigabytes of address space, so a server caching many users' checkers cannot afford one each.
//! Each accepted token lives in a block of linear memory (a header with its parsed [`Slip`],
//! then the decoded payload) that the wrapper releases when the checker is freed or collected.
//! Blocks come from power-of-two size classes with a free list per class: no allocator crate,
//! no coalescing, memory bounded by twice the peak. A token being loaded has a block of its own
//! too (loads awaiting WebCrypto overlap), freed by `accept` or `discard`; query strings go to
//! one reusable scratch buffer.

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
const OUT_WORDS: usize = 16;
const NO_SCOPE: i32 = -1;
/// The smallest block: 2^8 bytes.
const MIN_CLASS: u32 = 8;
/// Marks a block holding an accepted slip (anything else is refused as a slip pointer).
const TAG: u32 = 0x5053_4c31;

/// The start of a slip's block.
#[repr(C)]
struct Block {
    tag: u32,
    class: u32,
    slip: Slip<'static>,
}

const BLOCK_HEADER: usize = (core::mem::size_of::<Block>() + 7) & !7;

struct State {
    /// End of the memory handed out so far.
    top: usize,
    /// Free blocks per size class, linked through their first word.
    free: [usize; 32],
    scratch: usize,
    scratch_class: u32,
    scratch_len: usize,
    list_at: usize,
    list_class: u32,
    list_len: usize,
    out: [u32; OUT_WORDS],
}

/// The instance's state. A wasm instance runs one thread, so no two borrows ever overlap.
struct Global(UnsafeCell<State>);
// SAFETY: wasm32 without threads: there is only ever one thread.
unsafe impl Sync for Global {}

static STATE: Global = Global(UnsafeCell::new(State {
    top: 0,
    free: [0; 32],
    scratch: 0,
    scratch_class: 0,
    scratch_len: 0,
    list_at: 0,
    list_class: 0,
    list_len: 0,
    out: [0; OUT_WORDS],
}));

fn state() -> &'static mut State {
    // SAFETY: single-threaded, and every export takes this reference once and drops it before
    // returning; no export calls another.
    unsafe { &mut *STATE.0.get() }
}

/// Grows memory so `end` is addressable; false when it cannot.
fn ensure(end: usize) -> bool {
    let have = core::arch::wasm32::memory_size(0) * PAGE;
    end <= have || core::arch::wasm32::memory_grow(0, (end - have).div_ceil(PAGE)) != usize::MAX
}

/// The bytes at `[at, at + len)` of linear memory.
fn bytes(at: usize, len: usize) -> &'static [u8] {
    // SAFETY: callers pass regions inside memory they allocated; memory never shrinks.
    unsafe { core::slice::from_raw_parts(at as *const u8, len) }
}

fn bytes_mut(at: usize, len: usize) -> &'static mut [u8] {
    // SAFETY: as `bytes`; the regions handed out here do not overlap each other.
    unsafe { core::slice::from_raw_parts_mut(at as *mut u8, len) }
}

fn word(at: usize) -> usize {
    // SAFETY: `at` is the 8-aligned start of a free block, inside memory.
    unsafe { *(at as *const usize) }
}

fn set_word(at: usize, value: usize) {
    // SAFETY: as `word`.
    unsafe { *(at as *mut usize) = value }
}

impl State {
    /// A block of at least `size` bytes: (address, class).
    fn alloc(&mut self, size: usize) -> Option<(usize, u32)> {
        let class = size
            .max(1 << MIN_CLASS)
            .checked_next_power_of_two()?
            .trailing_zeros();
        let head = *self.free.get(class as usize)?;
        if head != 0 {
            *self.free.get_mut(class as usize)? = word(head);
            return Some((head, class));
        }
        if self.top == 0 {
            // Only the address of the linker's symbol is taken, never its value.
            self.top = (core::ptr::addr_of!(__heap_base) as usize + 7) & !7;
        }
        let at = self.top;
        let end = at.checked_add(1 << class)?;
        if !ensure(end) {
            return None;
        }
        self.top = end;
        Some((at, class))
    }

    fn release(&mut self, at: usize, class: u32) {
        if let Some(head) = self.free.get_mut(class as usize) {
            set_word(at, *head);
            *head = at;
        }
    }

    /// The scratch buffer, at least `size` bytes (reallocated only to grow).
    fn reserve_scratch(&mut self, size: usize) -> Option<usize> {
        if self.scratch != 0 && size <= 1 << self.scratch_class {
            return Some(self.scratch);
        }
        if self.scratch != 0 {
            self.release(self.scratch, self.scratch_class);
        }
        (self.scratch, self.scratch_class) = self.alloc(size)?;
        Some(self.scratch)
    }
}

/// The accepted slip at `at`, if `at` is one (the wrapper passes only pointers `accept` gave).
fn slip_at(at: u32) -> Option<&'static Slip<'static>> {
    let s = state();
    let at = at as usize;
    if at == 0 || at % 8 != 0 || at + BLOCK_HEADER > s.top {
        return None;
    }
    // SAFETY: inside memory handed out, aligned; blocks with the tag were written by `accept`.
    let block = unsafe { &*(at as *const Block) };
    (block.tag == TAG).then_some(&block.slip)
}

const fn align8(n: usize) -> usize {
    (n + 7) & !7
}

/// The status of a refusal (the module keeps no detail: see `Error`).
fn fail(e: Error) -> u32 {
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
    let a = (a as usize).min(s.scratch_len);
    let first = bytes(s.scratch, a);
    let second = usize::try_from(b)
        .ok()
        .map(|b| bytes(s.scratch + a, b.min(s.scratch_len - a)));
    (first, second)
}

#[no_mangle]
pub extern "C" fn out() -> u32 {
    state().out.as_ptr() as u32
}

/// The header of a load block, before the token: tag, token length, class, then the payload
/// segment's offset in the token and its length (0, 0 until opened).
const LOAD_HEADER: usize = 24;
/// Marks a block holding a token being loaded.
const LOAD_TAG: u32 = 0x5053_4c30;

/// A token being loaded: its own block, so loads awaiting the platform's verification never
/// share a buffer.
struct Load {
    at: usize,
    len: usize,
    class: u32,
}

impl Load {
    /// The load block whose token starts at `token` (the pointer `input` returned).
    fn at(token: u32) -> Option<Load> {
        let s = state();
        let at = (token as usize).checked_sub(LOAD_HEADER)?;
        if at % 8 != 0 || at + LOAD_HEADER > s.top || header_word(at, 0) != LOAD_TAG {
            return None;
        }
        Some(Load {
            at,
            len: header_word(at, 1) as usize,
            class: header_word(at, 2),
        })
    }

    fn token(&self) -> &'static [u8] {
        bytes(self.at + LOAD_HEADER, self.len)
    }

    fn header_at(&self) -> usize {
        self.at + LOAD_HEADER + align8(self.len)
    }

    fn release(self) {
        set_header_word(self.at, 0, 0);
        state().release(self.at, self.class);
    }
}

fn header_word(at: usize, i: usize) -> u32 {
    // SAFETY: `at` is an 8-aligned block start inside memory; headers are 6 words.
    unsafe { *((at + 4 * i) as *const u32) }
}

fn set_header_word(at: usize, i: usize, value: u32) {
    // SAFETY: as `header_word`.
    unsafe { *((at + 4 * i) as *mut u32) = value }
}

/// Room for a token of `len` bytes in a load block of its own: returns where to write it (0
/// when memory cannot grow). `accept` or `discard` frees the block.
#[no_mangle]
pub extern "C" fn input(len: u32) -> u32 {
    let s = state();
    let len = len as usize;
    let Some((at, class)) = s.alloc(LOAD_HEADER + align8(len) + HEADER_ROOM + 64) else {
        return 0;
    };
    for (i, word) in [LOAD_TAG, len as u32, class, 0, 0].into_iter().enumerate() {
        set_header_word(at, i, word);
    }
    (at + LOAD_HEADER) as u32
}

/// Frees a load block that will not be accepted (a refused token).
#[no_mangle]
pub extern "C" fn discard(token: u32) {
    if let Some(load) = Load::at(token) {
        load.release();
    }
}

#[no_mangle]
pub extern "C" fn open(token: u32) -> u32 {
    let Some(load) = Load::at(token) else {
        return fail(Error::malformed("open: no token written"));
    };
    let header_at = load.header_at();
    let header: &'static mut [u8; HEADER_ROOM] = match bytes_mut(header_at, HEADER_ROOM).try_into()
    {
        Ok(h) => h,
        Err(_) => return fail(Error::malformed("open")),
    };
    let opened = match token::open(load.token(), header) {
        Ok(o) => o,
        Err(e) => return fail(e),
    };
    let signature_at = header_at + HEADER_ROOM;
    bytes_mut(signature_at, 64).copy_from_slice(&opened.signature);
    let payload_at = opened.payload.as_ptr() as usize - (load.at + LOAD_HEADER);
    set_header_word(load.at, 3, payload_at as u32);
    set_header_word(load.at, 4, opened.payload.len() as u32);
    let s = state();
    s.out = [0; OUT_WORDS];
    s.out[0] = opened.kid.as_ptr() as u32;
    s.out[1] = opened.kid.len() as u32;
    s.out[2] = opened.signed_len as u32;
    s.out[3] = signature_at as u32;
    0
}

/// Decodes and validates an opened token's payload into a block of its own, and frees the
/// load block; `out[0]` is then the slip pointer every query takes.
#[no_mangle]
pub extern "C" fn accept(token: u32) -> u32 {
    let Some(load) = Load::at(token) else {
        return fail(Error::malformed("accept: no token written"));
    };
    let (payload_at, payload_len) = (header_word(load.at, 3), header_word(load.at, 4));
    if payload_len == 0 {
        load.release();
        return fail(Error::malformed("accept: token not opened"));
    }
    let b64 = bytes(
        load.at + LOAD_HEADER + payload_at as usize,
        payload_len as usize,
    );
    let status = accept_payload(b64);
    load.release();
    status
}

fn accept_payload(b64: &'static [u8]) -> u32 {
    let s = state();
    let Some(len) = decoded_len(b64.len()) else {
        return fail(Error::malformed("payload: invalid base64url"));
    };
    let Some((at, class)) = s.alloc(BLOCK_HEADER + len) else {
        return fail(Error::malformed("payload: too large"));
    };
    let payload = bytes_mut(at + BLOCK_HEADER, len);
    let parsed = decode_into(b64, payload)
        .map_err(|_| Error::malformed("payload: invalid base64url"))
        .and_then(|()| Slip::parse(bytes(at + BLOCK_HEADER, len)));
    match parsed {
        Ok(slip) => {
            // SAFETY: the block is ours, aligned and large enough for the header.
            unsafe {
                (at as *mut Block).write(Block {
                    tag: TAG,
                    class,
                    slip,
                })
            };
            s.out[0] = at as u32;
            0
        }
        Err(e) => {
            s.release(at, class);
            fail(e)
        }
    }
}

/// Frees a slip's block; the pointer is refused from then on (until the block is reused).
#[no_mangle]
pub extern "C" fn release(slip: u32) {
    if slip_at(slip).is_none() {
        return;
    }
    // A slip is released once: the wrapper forgets the pointer (and the tag is cleared below).
    let at = slip as usize;
    // SAFETY: `slip_at` checked this is a tagged block.
    let class = unsafe {
        let block = &mut *(at as *mut Block);
        block.tag = 0;
        block.class
    };
    state().release(at, class);
}

#[no_mangle]
pub extern "C" fn expect(slip: u32, kind: u32, len: u32) -> u32 {
    let found = slip_at(slip);
    let s = state();
    let Some(slip) = found else {
        return fail(Error::malformed("expect: not accepted"));
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
        fail(Error::new(status, detail))
    }
}

#[no_mangle]
pub extern "C" fn times(slip: u32, now: f64, leeway: f64, min_serial: f64) -> u32 {
    let Some(slip) = slip_at(slip) else {
        return fail(Error::malformed("times: not accepted"));
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
        Some((status, detail)) => fail(Error::new(status, detail)),
        None => 0,
    }
}

#[no_mangle]
pub extern "C" fn claims(slip: u32) {
    let Some(slip) = slip_at(slip) else { return };
    let s = state();
    put_str(s, 0, Some(slip.issuer()));
    put_str(s, 2, Some(slip.subject()));
    put_str(s, 4, Some(slip.subject_name()));
    s.out[6] = u32::from(slip.admin);
}

macro_rules! time_export {
    ($name:ident) => {
        #[no_mangle]
        pub extern "C" fn $name(slip: u32) -> f64 {
            slip_at(slip).map_or(0.0, |slip| slip.$name as f64)
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
    match s.reserve_scratch(len as usize) {
        Some(at) => {
            s.scratch_len = len as usize;
            at as u32
        }
        None => 0,
    }
}

#[no_mangle]
pub extern "C" fn check_key() -> u32 {
    let s = state();
    let (key, _) = query(s, 32, NO_SCOPE);
    match <&[u8; 32]>::try_from(key) {
        Ok(k) if token::key_usable(k) => 0,
        _ => fail(Error::new(
            Status::InvalidKey,
            "not a canonical key of large order",
        )),
    }
}

/// Runs `f` on the slip and the query strings; `default` for a pointer that is not a slip.
fn with<T>(
    slip: u32,
    a: u32,
    b: i32,
    default: T,
    f: impl FnOnce(&Slip<'static>, &[u8], Option<&[u8]>) -> T,
) -> T {
    match slip_at(slip) {
        Some(slip) => {
            let (x, y) = query(state(), a, b);
            f(slip, x, y)
        }
        None => default,
    }
}

#[no_mangle]
pub extern "C" fn can(slip: u32, plen: u32, slen: i32) -> u32 {
    with(slip, plen, slen, 0, |s, p, v| u32::from(s.can(p, v)))
}

#[no_mangle]
pub extern "C" fn handle(slip: u32, plen: u32, slen: i32) -> u32 {
    with(slip, plen, slen, HANDLE_DENY, |s, p, v| {
        s.permission_handle(p, v)
    })
}

#[no_mangle]
pub extern "C" fn feature_handle(slip: u32, flen: u32, llen: i32) -> u32 {
    with(slip, flen, llen, HANDLE_DENY, |s, f, l| {
        s.feature_handle(f, l)
    })
}

#[no_mangle]
pub extern "C" fn resource_handle(slip: u32, rlen: u32, llen: i32) -> u32 {
    with(slip, rlen, llen, HANDLE_DENY, |s, r, l| {
        s.resource_handle(r, l)
    })
}

#[no_mangle]
pub extern "C" fn check(slip: u32, handle: u32) -> u32 {
    slip_at(slip).map_or(0, |s| u32::from(s.check(handle)))
}

#[no_mangle]
pub extern "C" fn feature_level(slip: u32, flen: u32) -> u32 {
    with(slip, flen, NO_SCOPE, 0, |s, f, _| {
        u32::from(s.feature_level(f))
    })
}

#[no_mangle]
pub extern "C" fn resource_level(slip: u32, rlen: u32) -> u32 {
    with(slip, rlen, NO_SCOPE, 0, |s, r, _| {
        u32::from(s.resource_level(r))
    })
}

#[no_mangle]
pub extern "C" fn level_name(slip: u32, n: u32) {
    let name = slip_at(slip).and_then(|s| s.level_name(n));
    put_str(state(), 0, name);
}

#[no_mangle]
pub extern "C" fn can_feature(slip: u32, flen: u32, alen: i32) -> u32 {
    with(slip, flen, alen, 0, |s, f, a| {
        u32::from(s.can_feature(f, a.unwrap_or(b"")))
    })
}

#[no_mangle]
pub extern "C" fn can_resource(slip: u32, rlen: u32, alen: i32) -> u32 {
    with(slip, rlen, alen, 0, |s, r, a| {
        u32::from(s.can_resource(r, a.unwrap_or(b"")))
    })
}

/// Lists into a block of its own (so the query strings in scratch stay intact).
#[no_mangle]
pub extern "C" fn list(slip: u32, flen: u32, alen: i32) -> u32 {
    let Some(slip) = slip_at(slip) else { return 0 };
    let s = state();
    let (f, a) = query(s, flen, alen);
    let a = a.unwrap_or(b"");
    let count = slip.list(f, a).count();
    if s.list_at != 0 {
        s.release(s.list_at, s.list_class);
        s.list_at = 0;
        s.list_len = 0;
    }
    let Some((at, class)) = s.alloc(count * 8) else {
        return 0;
    };
    s.list_class = class;
    for (i, name) in slip.list(f, a).enumerate() {
        let mut pair = [0u8; 8];
        let (ptr, len) = (name.as_ptr() as u32, name.len() as u32);
        for (dst, src) in pair
            .iter_mut()
            .zip(ptr.to_le_bytes().into_iter().chain(len.to_le_bytes()))
        {
            *dst = src;
        }
        bytes_mut(at + 8 * i, 8).copy_from_slice(&pair);
    }
    s.list_at = at;
    s.list_len = count;
    count as u32
}

#[no_mangle]
pub extern "C" fn list_item(i: u32) {
    let s = state();
    let i = i as usize;
    let (ptr, len) = if i < s.list_len {
        let pair = bytes(s.list_at + 8 * i, 8);
        let half = |k: usize| {
            pair.get(k..k + 4)
                .and_then(|w| <[u8; 4]>::try_from(w).ok())
                .map_or(0, u32::from_le_bytes)
        };
        (half(0), half(4))
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
pub extern "C" fn explain_permission(slip: u32, plen: u32, slen: i32) {
    let e = with(slip, plen, slen, None, |s, p, v| {
        Some(s.explain_permission(p, v))
    });
    put_explained(e.unwrap_or_default());
}

#[no_mangle]
pub extern "C" fn explain_feature(slip: u32, flen: u32, alen: i32) {
    let e = with(slip, flen, alen, None, |s, f, a| {
        Some(s.explain_feature(f, a.unwrap_or(b"")))
    });
    put_explained(e.unwrap_or_default());
}

#[no_mangle]
pub extern "C" fn explain_resource(slip: u32, rlen: u32, alen: i32) {
    let e = with(slip, rlen, alen, None, |s, r, a| {
        Some(s.explain_resource(r, a.unwrap_or(b"")))
    });
    put_explained(e.unwrap_or_default());
}

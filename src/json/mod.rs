//! A small strict JSON reader for the verifying path, and a tiny writer for the wasm outputs.
//!
//! Why not serde_json: it and serde's derived deserialisers were most of the browser bundle,
//! and a token needs a stricter reading than serde_json's anyway. This reader:
//! - accepts exactly RFC 8259 JSON in UTF-8, nothing before or after the one value but
//!   whitespace;
//! - refuses duplicate object members at every depth, as JOSE requires (RFC 7515 §5.2): two
//!   parsers that kept different copies would read different documents from one signature;
//! - refuses nesting deeper than [`MAX_DEPTH`], so hostile input cannot exhaust the stack;
//! - refuses lone UTF-16 surrogates in `\u` escapes and raw control characters in strings;
//! - keeps integers that fit a `u64` as integers, and every other number as its text (no float
//!   conversion: our formats have no fractional numbers, and an error can quote the text).
//!
//! Typed extraction (see [`read`]) rejects unknown fields, so native and wasm, which share this
//! one code path, make the same decisions on the same bytes.

mod parse;
pub(crate) mod read;
#[cfg(any(target_arch = "wasm32", test))]
pub(crate) mod write;

use alloc::borrow::Cow;
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::{self, Write as _};

pub(crate) use parse::parse;

/// The deepest nesting of arrays and objects accepted (the top-level value is depth 1).
pub(crate) const MAX_DEPTH: usize = 64;

/// A parsed JSON value, borrowing from the input where it can: most strings and keys have no
/// escape, and not allocating them roughly halves the allocations of a parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Value<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number written as a non-negative integer that fits a `u64`.
    Int(u64),
    /// Any other number (negative, fractional, with an exponent, or too large), as written.
    Number(&'a str),
    /// A string, unescaped.
    Str(Cow<'a, str>),
    /// An array.
    Array(Vec<Value<'a>>),
    /// An object's members in document order; keys are unique.
    Object(Vec<(Cow<'a, str>, Value<'a>)>),
}

/// Why a JSON document was refused: a message, and where in the document for typed errors.
///
/// Boxed so that every `Result` of the reader stays a word or two wide: errors are rare, and
/// moving wide results around costs code size in the wasm build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Error(Box<ErrorInner>);

#[derive(Debug, Clone, PartialEq, Eq)]
struct ErrorInner {
    message: String,
    /// `a.b[3].c`, built from the inside out as the error returns through the fields.
    path: String,
}

impl Error {
    #[cold]
    #[inline(never)]
    pub(crate) fn new(message: impl Into<String>) -> Error {
        Error(Box::new(ErrorInner {
            message: message.into(),
            path: String::new(),
        }))
    }

    /// The error inside member `key` of the current object.
    #[cold]
    #[inline(never)]
    pub(crate) fn at_key(self, key: &str) -> Error {
        self.within(key)
    }

    /// The error inside element `index` of the current array.
    #[cold]
    #[inline(never)]
    pub(crate) fn at_index(self, index: usize) -> Error {
        self.within(&format!("[{index}]"))
    }

    fn within(mut self, step: &str) -> Error {
        let inner = &mut self.0.path;
        let mut path = String::with_capacity(step.len() + 1 + inner.len());
        path.push_str(step);
        if !inner.is_empty() && !inner.starts_with('[') {
            path.push('.');
        }
        path.push_str(inner);
        *inner = path;
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.message)?;
        if !self.0.path.is_empty() {
            write!(f, " at `{}`", Printable(&self.0.path))?;
        }
        Ok(())
    }
}

/// The longest piece of input text a message repeats, in characters.
const MAX_QUOTED_CHARS: usize = 64;

/// Input text as it may appear inside a message: control characters escaped (`\u{1b}`) so a
/// token cannot forge log lines or terminal escapes, and cut after 64 characters (`…`).
pub(crate) struct Printable<'a>(pub(crate) &'a str);

impl fmt::Display for Printable<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, c) in self.0.chars().enumerate() {
            if i == MAX_QUOTED_CHARS {
                return f.write_char('…');
            }
            write_char_escaped(f, c)?;
        }
        Ok(())
    }
}

/// Text with control characters escaped but not shortened: for whole messages.
pub(crate) struct NoControl<'a>(pub(crate) &'a str);

impl fmt::Display for NoControl<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.chars().try_for_each(|c| write_char_escaped(f, c))
    }
}

fn write_char_escaped(f: &mut fmt::Formatter<'_>, c: char) -> fmt::Result {
    if c.is_control() {
        write!(f, "\\u{{{:x}}}", u32::from(c))
    } else {
        f.write_char(c)
    }
}

#[cfg(test)]
mod tests;

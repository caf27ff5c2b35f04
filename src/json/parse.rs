//! The parser: bytes to [`Value`], strictly (see the module docs of [`super`]).
//!
//! Recursive descent bounded by [`MAX_DEPTH`]; no position in errors, since a position inside
//! a base64url token part means nothing to whoever reads the message.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

use super::{Error, Printable, Value, MAX_DEPTH};

/// Parses one JSON document.
pub(crate) fn parse(input: &[u8]) -> Result<Value<'_>, Error> {
    // Validating UTF-8 once up front lets the string scanner copy bytes through unchecked by
    // character: every slice it takes starts and ends at an ASCII delimiter.
    let text = core::str::from_utf8(input).map_err(|_| Error::new("invalid utf-8"))?;
    let mut p = Parser { text, pos: 0 };
    p.skip_ws();
    let value = p.value(1)?;
    p.skip_ws();
    if p.pos < input.len() {
        return Err(Error::new("trailing characters"));
    }
    Ok(value)
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
}

#[cold]
fn eof() -> Error {
    Error::new("unexpected end of input")
}

impl<'a> Parser<'a> {
    #[inline(always)]
    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    #[inline(always)]
    fn peek(&self) -> Option<u8> {
        self.bytes().get(self.pos).copied()
    }

    /// Consumes `b` if it is next.
    #[inline(always)]
    fn eat(&mut self, b: u8) -> bool {
        let hit = self.peek() == Some(b);
        if hit {
            self.pos += 1;
        }
        hit
    }

    #[inline(always)]
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// `text[from..to]`; both ends are at ASCII bytes, so this never fails in practice.
    fn slice(&self, from: usize, to: usize) -> Result<&'a str, Error> {
        self.text
            .get(from..to)
            .ok_or_else(|| Error::new("invalid utf-8"))
    }

    fn value(&mut self, depth: usize) -> Result<Value<'a>, Error> {
        match self.peek() {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => {
                self.pos += 1;
                self.string().map(Value::Str)
            }
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(Error::new("expected a value")),
            None => Err(eof()),
        }
    }

    fn literal(&mut self, word: &str, value: Value<'a>) -> Result<Value<'a>, Error> {
        let end = self.pos + word.len();
        if self.bytes().get(self.pos..end) == Some(word.as_bytes()) {
            self.pos = end;
            Ok(value)
        } else {
            Err(Error::new("expected a value"))
        }
    }

    fn enter(depth: usize) -> Result<(), Error> {
        if depth > MAX_DEPTH {
            return Err(Error::new(format!(
                "nesting deeper than {MAX_DEPTH} levels"
            )));
        }
        Ok(())
    }

    /// After an element: `,` (more follow) or `close` (done).
    fn separator(&mut self, close: u8, expected: &'static str) -> Result<bool, Error> {
        self.skip_ws();
        match self.peek() {
            Some(b',') => {
                self.pos += 1;
                self.skip_ws();
                Ok(true)
            }
            Some(b) if b == close => {
                self.pos += 1;
                Ok(false)
            }
            Some(_) => Err(Error::new(expected)),
            None => Err(eof()),
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value<'a>, Error> {
        Self::enter(depth)?;
        self.pos += 1; // `[`
        let mut items = Vec::new();
        self.skip_ws();
        if self.eat(b']') {
            return Ok(Value::Array(items));
        }
        loop {
            items.push(self.value(depth + 1)?);
            if !self.separator(b']', "expected `,` or `]`")? {
                return Ok(Value::Array(items));
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value<'a>, Error> {
        Self::enter(depth)?;
        self.pos += 1; // `{`
        let mut members: Vec<(Cow<'a, str>, Value<'a>)> = Vec::new();
        self.skip_ws();
        if self.eat(b'}') {
            return Ok(Value::Object(members));
        }
        loop {
            if !self.eat(b'"') {
                return Err(match self.peek() {
                    Some(_) => Error::new("expected a string key"),
                    None => eof(),
                });
            }
            let key = self.string()?;
            self.skip_ws();
            if !self.eat(b':') {
                return Err(match self.peek() {
                    Some(_) => Error::new("expected `:`"),
                    None => eof(),
                });
            }
            self.skip_ws();
            let value = self.value(depth + 1)?;
            members.push((key, value));
            if !self.separator(b'}', "expected `,` or `}`")? {
                break;
            }
        }
        check_unique(&members)?;
        Ok(Value::Object(members))
    }

    /// Moves to the next `"`, `\\` or control character of a string; returns it.
    #[inline(always)]
    fn scan_string(&mut self) -> Option<u8> {
        let rest = self.bytes().get(self.pos..).unwrap_or(&[]);
        let skip = rest
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || b < 0x20)?;
        self.pos += skip;
        let b = self.peek()?;
        self.pos += 1;
        Some(b)
    }

    /// The rest of a string whose opening quote was consumed.
    fn string(&mut self) -> Result<Cow<'a, str>, Error> {
        let start = self.pos;
        let mut out = String::new();
        let mut run = start;
        loop {
            match self.scan_string().ok_or_else(eof)? {
                b'"' => {
                    let tail = self.slice(run, self.pos - 1)?;
                    if run == start {
                        // No escape: the common case for ids and names.
                        return Ok(Cow::Borrowed(tail));
                    }
                    out.push_str(tail);
                    return Ok(Cow::Owned(out));
                }
                b'\\' => {
                    out.push_str(self.slice(run, self.pos - 1)?);
                    self.escape(&mut out)?;
                    run = self.pos;
                }
                _ => return Err(control_character()),
            }
        }
    }

    /// One escape sequence after its backslash.
    fn escape(&mut self, out: &mut String) -> Result<(), Error> {
        let b = self.peek().ok_or_else(eof)?;
        self.pos += 1;
        let c = match b {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let unit = self.hex4()?;
                let code = match unit {
                    0xd800..=0xdbff => {
                        // A high surrogate must be followed by an escaped low one.
                        if !(self.eat(b'\\') && self.eat(b'u')) {
                            return Err(lone_surrogate());
                        }
                        let low = self.hex4()?;
                        if !(0xdc00..=0xdfff).contains(&low) {
                            return Err(lone_surrogate());
                        }
                        0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00)
                    }
                    0xdc00..=0xdfff => return Err(lone_surrogate()),
                    _ => unit,
                };
                char::from_u32(code).ok_or_else(lone_surrogate)?
            }
            _ => return Err(Error::new("invalid escape in string")),
        };
        out.push(c);
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, Error> {
        let digits = self.bytes().get(self.pos..self.pos + 4).ok_or_else(eof)?;
        let mut v = 0u32;
        for &b in digits {
            let d = match b {
                b'0'..=b'9' => b - b'0',
                b'a'..=b'f' => b - b'a' + 10,
                b'A'..=b'F' => b - b'A' + 10,
                _ => return Err(Error::new("invalid `\\u` escape in string")),
            };
            v = (v << 4) | u32::from(d);
        }
        self.pos += 4;
        Ok(v)
    }

    /// Skips ASCII digits; how many.
    #[inline(always)]
    fn digits(&mut self) -> usize {
        let rest = self.bytes().get(self.pos..).unwrap_or(&[]);
        let n = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        self.pos += n;
        n
    }

    fn number(&mut self) -> Result<Value<'a>, Error> {
        let start = self.pos;
        let negative = self.eat(b'-');
        let int_start = self.pos;
        let int_len = self.digits();
        let leading_zero = int_len > 1 && self.bytes().get(int_start) == Some(&b'0');
        if int_len == 0 || leading_zero {
            return Err(invalid_number());
        }
        let mut integer = !negative;
        if self.eat(b'.') {
            if self.digits() == 0 {
                return Err(invalid_number());
            }
            integer = false;
        }
        if self.eat(b'e') || self.eat(b'E') {
            if !self.eat(b'+') {
                self.eat(b'-');
            }
            if self.digits() == 0 {
                return Err(invalid_number());
            }
            integer = false;
        }
        if integer {
            let digits = self
                .bytes()
                .get(int_start..int_start + int_len)
                .unwrap_or(&[]);
            let mut value = Some(0u64);
            for &d in digits {
                value = value
                    .and_then(|v| v.checked_mul(10))
                    .and_then(|v| v.checked_add(u64::from(d - b'0')));
            }
            if let Some(v) = value {
                return Ok(Value::Int(v));
            }
        }
        self.slice(start, self.pos).map(Value::Number)
    }
}

fn control_character() -> Error {
    Error::new("control character in string")
}

fn lone_surrogate() -> Error {
    Error::new("lone surrogate in `\\u` escape")
}

fn invalid_number() -> Error {
    Error::new("invalid number")
}

/// Refuses an object with two members of one name. Small objects (almost all of them) are
/// compared pairwise; larger ones go through a small hash table, so a hostile header of
/// thousands of members costs linear time, not quadratic.
fn check_unique(members: &[(Cow<'_, str>, Value<'_>)]) -> Result<(), Error> {
    const PAIRWISE_UP_TO: usize = 16;
    let duplicate = |key: &str| Error::new(format!("duplicate key `{}`", Printable(key)));
    if members.len() <= PAIRWISE_UP_TO {
        for (i, (key, _)) in members.iter().enumerate() {
            if members.iter().take(i).any(|(k, _)| k == key) {
                return Err(duplicate(key));
            }
        }
        return Ok(());
    }
    // Open addressing over member indexes + 1 (0: empty), at most half full.
    let mask = (members.len() * 2).next_power_of_two() - 1;
    let mut slots = vec![0u32; mask + 1];
    for (i, (key, _)) in members.iter().enumerate() {
        // FNV-1a: the keys are short, and a collision only costs a comparison.
        let hash = key.bytes().fold(0x811c_9dc5_u32, |h, b| {
            (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
        });
        let mut at = hash as usize & mask;
        loop {
            let Some(slot) = slots.get_mut(at) else {
                return Ok(()); // unreachable: `at` is masked to the table
            };
            if *slot == 0 {
                *slot = u32::try_from(i + 1).unwrap_or(u32::MAX);
                break;
            }
            let seen = members.get(*slot as usize - 1).map(|(k, _)| k);
            if seen == Some(key) {
                return Err(duplicate(key));
            }
            at = (at + 1) & mask;
        }
    }
    Ok(())
}

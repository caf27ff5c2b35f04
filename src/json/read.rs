//! Typed extraction from a parsed [`Value`]: the building blocks of each format's `from_json`.
//!
//! Messages follow serde's familiar wording (`missing field `x``, `unknown field `x``,
//! `invalid type: string, expected …`) without Rust type names, plus the path of the value
//! (`at `slip.user.grants[2]``) so an issuer can find the problem in a large payload.
//!
//! A format reads an object in two steps: [`Fields::of`] checks its members against the
//! format's schema (names, kinds, required ones), reporting the first problem in document order
//! as serde would; then one call per field takes each out, which cannot fail except for nested
//! formats read by their own reader. Few error paths is what keeps this small in wasm.

use alloc::borrow::Cow;
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

use super::{Error, Printable, Value};

/// The most fields a format has (the snapshot claims).
const MAX_FIELDS: usize = 10;

/// What a value is, for "invalid type" messages.
#[cold]
fn kind(value: &Value<'_>) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("boolean `{b}`"),
        Value::Int(n) => format!("integer `{n}`"),
        // Only digits, signs, `.` and exponents: safe to repeat.
        Value::Number(text) => format!("number `{}`", Printable(text)),
        Value::Str(_) => "string".into(),
        Value::Array(_) => "sequence".into(),
        Value::Object(_) => "map".into(),
    }
}

/// `invalid type: <what it is>, expected <expected>`.
#[cold]
#[inline(never)]
pub(crate) fn invalid_type(value: &Value<'_>, expected: &str) -> Error {
    Error::new(format!(
        "invalid type: {}, expected {expected}",
        kind(value)
    ))
}

/// A JSON object's members, or an error naming what was expected.
pub(crate) fn object<'a>(
    value: Value<'a>,
    expected: &str,
) -> Result<Vec<(Cow<'a, str>, Value<'a>)>, Error> {
    match value {
        Value::Object(members) => Ok(members),
        other => Err(invalid_type(&other, expected)),
    }
}

/// What a field must hold. [`Fields::of`] checks every member against its kind, so taking a
/// checked field out cannot fail; only [`Kind::Any`] fields, read by a format's own reader,
/// are checked when taken.
#[derive(Clone, Copy)]
pub(crate) enum Kind {
    /// A string.
    Str,
    /// A string, or `null` for absent (JWKs, written by other tools).
    NullableStr,
    /// A boolean.
    Bool,
    /// A non-negative integer that fits a `u64`, described for errors.
    Uint(&'static str),
    /// A non-negative integer that fits a `u32`, described for errors.
    Uint32(&'static str),
    /// An array of strings.
    Strings,
    /// An object of strings.
    StrMap,
    /// An object of booleans.
    BoolMap,
    /// Anything: read later with [`Fields::with`] or [`Fields::required`].
    Any,
}

/// One field of a format: name, kind, and whether it must be present.
pub(crate) struct Field(
    pub(crate) &'static str,
    pub(crate) Kind,
    pub(crate) Presence,
);

/// Whether a field must be present.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Presence {
    /// Absent is `missing field`.
    Required,
    /// Absent takes the format's default.
    Optional,
}

/// The members of one object, checked against a format's fields.
pub(crate) struct Fields<'a> {
    schema: &'static [Field],
    values: [Option<Value<'a>>; MAX_FIELDS],
}

impl<'a> Fields<'a> {
    /// Checks the members of `value` (an object) against `schema`, in document order: a
    /// member not in it is an unknown field (refused unless `ignore_unknown`, for JOSE headers
    /// and JWKs, which other tools extend), one of the wrong kind an invalid type. Then
    /// required fields must be present, in schema order.
    pub(crate) fn of(
        value: Value<'a>,
        schema: &'static [Field],
        ignore_unknown: bool,
    ) -> Result<Fields<'a>, Error> {
        let mut values = [const { None }; MAX_FIELDS];
        for (key, value) in object(value, "an object")? {
            let Some(i) = schema.iter().position(|f| f.0 == key) else {
                if ignore_unknown {
                    continue;
                }
                return Err(unknown_field(&key));
            };
            if let (Some(slot), Some(Field(_, kind, _))) = (values.get_mut(i), schema.get(i)) {
                check(&value, *kind).map_err(|e| e.at_key(&key))?;
                // The parser refused duplicate names: the slot is empty.
                *slot = Some(value);
            }
        }
        for (field, value) in schema.iter().zip(&values) {
            if field.2 == Presence::Required && value.is_none() {
                return Err(missing_field(field.0));
            }
        }
        Ok(Fields { schema, values })
    }

    /// Takes field `name` out, if present. `name` must be one of the schema's names.
    fn take(&mut self, name: &str) -> Option<Value<'a>> {
        // Callers pass the same literals as the schema, which the compiler merges: comparing
        // addresses first skips most string comparisons.
        let i = self
            .schema
            .iter()
            .position(|f| core::ptr::eq(f.0, name) || f.0 == name)?;
        self.values.get_mut(i)?.take()
    }

    /// A [`Kind::Any`] field read by `read`, `None` when absent; errors are located at `name`.
    pub(crate) fn with<T>(
        &mut self,
        name: &str,
        read: impl FnOnce(Value<'a>) -> Result<T, Error>,
    ) -> Result<Option<T>, Error> {
        match self.take(name) {
            Some(value) => read(value).map(Some).map_err(|e| e.at_key(name)),
            None => Ok(None),
        }
    }

    /// A required [`Kind::Any`] field read by `read`.
    pub(crate) fn required<T>(
        &mut self,
        name: &str,
        read: impl FnOnce(Value<'a>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        match self.with(name, read)? {
            Some(v) => Ok(v),
            None => Err(missing_field(name)),
        }
    }

    /// Whether a field is present (for [`Kind::Any`] fields whose value does not matter).
    pub(crate) fn has(&mut self, name: &str) -> bool {
        self.take(name).is_some()
    }

    /// A [`Kind::Str`] or [`Kind::NullableStr`] field; `None` when absent or `null`.
    pub(crate) fn opt_string(&mut self, name: &str) -> Option<String> {
        match self.take(name)? {
            Value::Str(s) => Some(s.into_owned()),
            _ => None,
        }
    }

    /// A [`Kind::Str`] field, empty when absent (or a required field, present).
    pub(crate) fn string(&mut self, name: &str) -> String {
        self.opt_string(name).unwrap_or_default()
    }

    /// A [`Kind::Bool`] field, `false` when absent.
    pub(crate) fn flag(&mut self, name: &str) -> bool {
        matches!(self.take(name), Some(Value::Bool(true)))
    }

    /// A [`Kind::Uint`] or [`Kind::Uint32`] field, `None` when absent.
    pub(crate) fn opt_uint(&mut self, name: &str) -> Option<u64> {
        match self.take(name)? {
            Value::Int(n) => Some(n),
            _ => None,
        }
    }

    /// A required [`Kind::Uint`] field.
    pub(crate) fn uint(&mut self, name: &str) -> u64 {
        self.opt_uint(name).unwrap_or_default()
    }

    /// A required [`Kind::Uint32`] field.
    pub(crate) fn uint32(&mut self, name: &str) -> u32 {
        u32::try_from(self.uint(name)).unwrap_or_default()
    }

    /// A [`Kind::Strings`] field, empty when absent.
    pub(crate) fn strings(&mut self, name: &str) -> Vec<String> {
        match self.take(name) {
            Some(Value::Array(items)) => items.into_iter().filter_map(into_string).collect(),
            _ => Vec::new(),
        }
    }

    /// A [`Kind::StrMap`] field, empty when absent.
    pub(crate) fn string_map(&mut self, name: &str) -> BTreeMap<String, String> {
        // Inserting one by one rather than `collect()`, which would link a stable sort.
        let mut map = BTreeMap::new();
        for (key, value) in self.members(name) {
            if let Some(value) = into_string(value) {
                map.insert(key.into_owned(), value);
            }
        }
        map
    }

    /// A [`Kind::BoolMap`] field, empty when absent.
    pub(crate) fn bool_map(&mut self, name: &str) -> BTreeMap<String, bool> {
        let mut map = BTreeMap::new();
        for (key, value) in self.members(name) {
            map.insert(key.into_owned(), matches!(value, Value::Bool(true)));
        }
        map
    }

    /// An array field read element by element, empty when absent.
    pub(crate) fn list<T>(
        &mut self,
        name: &str,
        element: impl Fn(Value<'a>) -> Result<T, Error>,
    ) -> Result<Vec<T>, Error> {
        Ok(self.with(name, |v| array(v, element))?.unwrap_or_default())
    }

    fn members(&mut self, name: &str) -> impl Iterator<Item = (Cow<'a, str>, Value<'a>)> {
        match self.take(name) {
            Some(Value::Object(members)) => members,
            _ => Vec::new(),
        }
        .into_iter()
    }
}

fn into_string(value: Value<'_>) -> Option<String> {
    match value {
        Value::Str(s) => Some(s.into_owned()),
        _ => None,
    }
}

/// Checks `value` against `kind` (see [`Fields::of`]).
fn check(value: &Value<'_>, kind: Kind) -> Result<(), Error> {
    let expected = match (kind, value) {
        (Kind::Any, _)
        | (Kind::Str | Kind::NullableStr, Value::Str(_))
        | (Kind::NullableStr, Value::Null)
        | (Kind::Bool, Value::Bool(_))
        | (Kind::Uint(_), Value::Int(_)) => return Ok(()),
        (Kind::Uint32(what), Value::Int(n)) => {
            if u32::try_from(*n).is_ok() {
                return Ok(());
            }
            return Err(Error::new(format!(
                "invalid value: integer `{n}`, expected {what}"
            )));
        }
        (Kind::Strings, Value::Array(items)) => {
            return check_all(items.iter().map(|v| (None, v)), Kind::Str)
        }
        (Kind::StrMap, Value::Object(members)) => {
            return check_all(members.iter().map(|(k, v)| (Some(&**k), v)), Kind::Str)
        }
        (Kind::BoolMap, Value::Object(members)) => {
            return check_all(members.iter().map(|(k, v)| (Some(&**k), v)), Kind::Bool)
        }
        (Kind::Str | Kind::NullableStr, _) => "a string",
        (Kind::Bool, _) => "a boolean",
        (Kind::Uint(what) | Kind::Uint32(what), _) => what,
        (Kind::Strings, _) => "an array",
        (Kind::StrMap | Kind::BoolMap, _) => "an object",
    };
    Err(invalid_type(value, expected))
}

/// Checks the elements (no key) or members of a container, locating errors.
fn check_all<'v, 'a: 'v>(
    items: impl Iterator<Item = (Option<&'v str>, &'v Value<'a>)>,
    kind: Kind,
) -> Result<(), Error> {
    for (i, (key, value)) in items.enumerate() {
        check(value, kind).map_err(|e| match key {
            Some(key) => e.at_key(key),
            None => e.at_index(i),
        })?;
    }
    Ok(())
}

#[cold]
#[inline(never)]
fn unknown_field(key: &str) -> Error {
    Error::new(format!("unknown field `{}`", Printable(key)))
}

#[cold]
#[inline(never)]
fn missing_field(name: &str) -> Error {
    Error::new(format!("missing field `{name}`"))
}

/// A string.
pub(crate) fn string(value: Value<'_>) -> Result<String, Error> {
    match value {
        Value::Str(s) => Ok(s.into_owned()),
        other => Err(invalid_type(&other, "a string")),
    }
}

/// An array, each element read by `element`; errors are located at the element's index.
pub(crate) fn array<'a, T>(
    value: Value<'a>,
    element: impl Fn(Value<'a>) -> Result<T, Error>,
) -> Result<Vec<T>, Error> {
    let items = match value {
        Value::Array(items) => items,
        other => return Err(invalid_type(&other, "an array")),
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        out.push(element(item).map_err(|e| e.at_index(i))?);
    }
    Ok(out)
}

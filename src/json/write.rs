//! The writer for what the wasm bindings return to JS as JSON: explanations, the profile and
//! lists. Byte-for-byte what serde_json writes for the same values (a unit test compares
//! them), without linking serde_json into the browser bundle.

use alloc::string::String;
use alloc::vec::Vec;

use crate::engine::{
    EffectivePermission, Explanation, FeatureLevel, Profile, RoleAssignment, Source, TeamRef,
};

/// A value the writer can serialise.
pub(crate) trait ToJson {
    /// Appends the JSON of `self` to `out`.
    fn write_json(&self, out: &mut String);
}

/// The JSON text of `value`.
pub(crate) fn to_string<T: ToJson + ?Sized>(value: &T) -> String {
    let mut out = String::new();
    value.write_json(&mut out);
    out
}

/// Writes an object member by member.
struct Object<'a> {
    out: &'a mut String,
    first: bool,
}

impl<'a> Object<'a> {
    fn new(out: &'a mut String) -> Object<'a> {
        out.push('{');
        Object { out, first: true }
    }

    /// A member; `name` is one of our own ASCII field names, written without escaping.
    fn field<T: ToJson + ?Sized>(&mut self, name: &str, value: &T) -> &mut Self {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        self.out.push('"');
        self.out.push_str(name);
        self.out.push_str("\":");
        value.write_json(self.out);
        self
    }

    fn end(&mut self) {
        self.out.push('}');
    }
}

impl ToJson for str {
    fn write_json(&self, out: &mut String) {
        out.push('"');
        let mut run = 0;
        for (i, b) in self.bytes().enumerate() {
            let escape = match b {
                b'"' => "\\\"",
                b'\\' => "\\\\",
                b'\n' => "\\n",
                b'\r' => "\\r",
                b'\t' => "\\t",
                0x08 => "\\b",
                0x0c => "\\f",
                0x00..=0x1f => "",
                _ => continue,
            };
            out.push_str(self.get(run..i).unwrap_or(""));
            if escape.is_empty() {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                for nibble in [b >> 4, b & 0xf] {
                    out.push(char::from(*HEX.get(usize::from(nibble)).unwrap_or(&b'0')));
                }
            } else {
                out.push_str(escape);
            }
            run = i + 1;
        }
        out.push_str(self.get(run..).unwrap_or(""));
        out.push('"');
    }
}

impl ToJson for String {
    fn write_json(&self, out: &mut String) {
        self.as_str().write_json(out);
    }
}

impl<T: ToJson + ?Sized> ToJson for &T {
    fn write_json(&self, out: &mut String) {
        (**self).write_json(out);
    }
}

impl ToJson for u64 {
    fn write_json(&self, out: &mut String) {
        use core::fmt::Write as _;
        // Writing to a String cannot fail.
        let _ = write!(out, "{self}");
    }
}

/// What the JS wrapper keeps of a loaded snapshot, read in one crossing.
#[cfg(target_arch = "wasm32")]
pub(crate) struct SnapshotMeta<'a> {
    pub(crate) subject: &'a str,
    pub(crate) issuer: &'a str,
    pub(crate) exp: u64,
    pub(crate) serial: u64,
    pub(crate) levels: Vec<&'a str>,
}

#[cfg(target_arch = "wasm32")]
impl ToJson for SnapshotMeta<'_> {
    fn write_json(&self, out: &mut String) {
        Object::new(out)
            .field("subject", self.subject)
            .field("issuer", self.issuer)
            .field("exp", &self.exp)
            .field("serial", &self.serial)
            .field("levels", &self.levels)
            .end();
    }
}

impl ToJson for bool {
    fn write_json(&self, out: &mut String) {
        out.push_str(if *self { "true" } else { "false" });
    }
}

impl<T: ToJson> ToJson for [T] {
    fn write_json(&self, out: &mut String) {
        out.push('[');
        for (i, item) in self.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            item.write_json(out);
        }
        out.push(']');
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn write_json(&self, out: &mut String) {
        self.as_slice().write_json(out);
    }
}

impl<T: ToJson> ToJson for Option<T> {
    fn write_json(&self, out: &mut String) {
        match self {
            Some(v) => v.write_json(out),
            None => out.push_str("null"),
        }
    }
}

impl ToJson for Source {
    fn write_json(&self, out: &mut String) {
        let mut o = Object::new(out);
        match self {
            Source::Role { role, via } => o
                .field("kind", "role")
                .field("role", role)
                .field("via", via),
            Source::User => o.field("kind", "user"),
            Source::Team { team } => o.field("kind", "team").field("team", team),
            Source::Implied { by } => o.field("kind", "implied").field("by", by),
            Source::Assignment { resource, via } => o
                .field("kind", "assignment")
                .field("resource", resource)
                .field("via", via),
            Source::Feature { feature } => o.field("kind", "feature").field("feature", feature),
        }
        .end();
    }
}

impl ToJson for Explanation {
    fn write_json(&self, out: &mut String) {
        let mut o = Object::new(out);
        o.field("allowed", &self.allowed)
            .field("reason", self.reason.code())
            .field("query", &self.query)
            .field("via", &self.via);
        if let Some(level) = &self.level {
            o.field("level", level);
        }
        if let Some(needed) = &self.needed {
            o.field("needed", needed);
        }
        if let Some(product) = &self.product {
            o.field("product", product);
        }
        if !self.granted_by.is_empty() {
            o.field("granted_by", &self.granted_by);
        }
        o.field("message", &self.message).end();
    }
}

impl ToJson for RoleAssignment {
    fn write_json(&self, out: &mut String) {
        Object::new(out)
            .field("role", &self.role)
            .field("name", &self.name)
            .field("via", &self.via)
            .field("admin", &self.admin)
            .end();
    }
}

impl ToJson for TeamRef {
    fn write_json(&self, out: &mut String) {
        Object::new(out)
            .field("id", &self.id)
            .field("name", &self.name)
            .end();
    }
}

impl ToJson for EffectivePermission {
    fn write_json(&self, out: &mut String) {
        Object::new(out)
            .field("permission", &self.permission)
            .field("scopes", &self.scopes)
            .field("via", &self.via)
            .end();
    }
}

impl ToJson for FeatureLevel {
    fn write_json(&self, out: &mut String) {
        Object::new(out)
            .field("feature", &self.feature)
            .field("level", &self.level)
            .field("via", &self.via)
            .end();
    }
}

impl ToJson for Profile {
    fn write_json(&self, out: &mut String) {
        Object::new(out)
            .field("subject", &self.subject)
            .field("name", &self.name)
            .field("roles", &self.roles)
            .field("teams", &self.teams)
            .field("manages", &self.manages)
            .field("permissions", &self.permissions)
            .field("levels", &self.levels)
            .end();
    }
}

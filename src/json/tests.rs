//! The reader and writer, alone and against serde_json on the golden snapshots. The tests that
//! read no files also run under wasm32 (`wasm-bindgen-test-runner`).

use std::borrow::Cow;

use super::read::{Field, Fields, Kind, Presence};
use super::{parse, Error, Value, MAX_DEPTH};

fn ok(json: &str) -> Value<'_> {
    match parse(json.as_bytes()) {
        Ok(v) => v,
        Err(e) => panic!("{json:?}: {e}"),
    }
}

fn err(json: &[u8]) -> String {
    match parse(json) {
        Ok(v) => panic!("{:?} accepted as {v:?}", String::from_utf8_lossy(json)),
        Err(e) => e.to_string(),
    }
}

fn string(json: &str) -> String {
    match ok(json) {
        Value::Str(s) => s.into_owned(),
        other => panic!("{json}: not a string: {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Parser

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn scalars() {
    assert_eq!(ok("null"), Value::Null);
    assert_eq!(ok("true"), Value::Bool(true));
    assert_eq!(ok("false"), Value::Bool(false));
    assert_eq!(ok("0"), Value::Int(0));
    assert_eq!(ok("42"), Value::Int(42));
    assert_eq!(ok(r#""x""#), Value::Str(Cow::Borrowed("x")));
    assert_eq!(ok("[]"), Value::Array(Vec::new()));
    assert_eq!(ok("{}"), Value::Object(Vec::new()));
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn numbers_are_integers_only_when_they_fit_a_u64() {
    assert_eq!(ok("18446744073709551615"), Value::Int(u64::MAX));
    // Everything else keeps its text, for the message of whoever expected an integer.
    for text in [
        "18446744073709551616",
        "99999999999999999999999",
        "-1",
        "-0",
        "1.5",
        "1.0",
        "0.0",
        "1e2",
        "1E+2",
        "1e-2",
        "-0.5e10",
    ] {
        assert_eq!(ok(text), Value::Number(text), "{text}");
    }
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn malformed_numbers_are_refused() {
    for text in [
        "01",
        "-01",
        "00",
        "-",
        "+1",
        "1.",
        ".5",
        "1e",
        "1e+",
        "0x10",
        "1_000",
        "NaN",
        "Infinity",
        "-Infinity",
        "1.5.",
        "--1",
    ] {
        assert!(parse(text.as_bytes()).is_err(), "{text} accepted");
    }
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn string_escapes() {
    assert_eq!(string(r#""a\"b\\c\/d""#), "a\"b\\c/d");
    assert_eq!(string(r#""\b\f\n\r\t""#), "\u{8}\u{c}\n\r\t");
    assert_eq!(string(r#""\u0041\u00e9\u20AC""#), "Aé€");
    assert_eq!(string(r#""\u0000""#), "\u{0}");
    // Raw UTF-8 passes through.
    assert_eq!(string("\"é€😀\""), "é€😀");
    // Escapes between plain runs.
    assert_eq!(string(r#""ab\ncd\u0021ef""#), "ab\ncd!ef");
    // Unescaped strings borrow the input; escaped ones are owned.
    assert!(matches!(
        ok(r#""plain""#),
        Value::Str(Cow::Borrowed("plain"))
    ));
    assert!(matches!(ok(r#""a\nb""#), Value::Str(Cow::Owned(_))));
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn surrogate_pairs_and_lone_surrogates() {
    assert_eq!(string(r#""\ud83d\ude00""#), "😀");
    assert_eq!(string(r#""\uD834\uDD1E""#), "𝄞");
    for lone in [
        r#""\ud83d""#,
        r#""\ud83dx""#,
        r#""\ud83d\n""#,
        r#""\ud83d\u0041""#,
        r#""\ude00""#,
        r#""\ude00\ud83d""#,
        r#""\ud83d\ud83d""#,
    ] {
        assert_eq!(
            err(lone.as_bytes()),
            "lone surrogate in `\\u` escape",
            "{lone}"
        );
    }
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn bad_strings_are_refused() {
    assert_eq!(err(b"\"a\nb\""), "control character in string");
    assert_eq!(err(b"\"\x1f\""), "control character in string");
    assert_eq!(err(br#""\x""#), "invalid escape in string");
    assert_eq!(err(br#""\'""#), "invalid escape in string");
    assert_eq!(err(br#""\u12G4""#), "invalid `\\u` escape in string");
    assert_eq!(err(br#""\u12""#), "unexpected end of input");
    assert_eq!(err(b"\"abc"), "unexpected end of input");
    assert_eq!(err(b"\"\xff\""), "invalid utf-8");
    assert_eq!(err(b"'a'"), "expected a value");
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn whitespace_is_the_four_json_characters() {
    assert_eq!(
        ok(" \t\r\n{ \"a\" \n: [ 1 ,\t2 ] } \r\n"),
        Value::Object(vec![(
            Cow::Borrowed("a"),
            Value::Array(vec![Value::Int(1), Value::Int(2)])
        )])
    );
    // Not whitespace in JSON: vertical tab, form feed, no-break space, a byte-order mark.
    for bad in [
        &b"\x0b{}"[..],
        b"{}\x0c",
        "\u{a0}{}".as_bytes(),
        "\u{feff}{}".as_bytes(),
    ] {
        assert!(parse(bad).is_err(), "{bad:?}");
    }
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn empty_input_and_trailing_garbage() {
    assert_eq!(err(b""), "unexpected end of input");
    assert_eq!(err(b"   "), "unexpected end of input");
    assert_eq!(err(b"{} {}"), "trailing characters");
    assert_eq!(err(b"{}x"), "trailing characters");
    assert_eq!(err(b"1 2"), "trailing characters");
    assert_eq!(err(b"{}\0"), "trailing characters");
    assert_eq!(err(b"{"), "unexpected end of input");
    assert_eq!(err(b"[1,"), "unexpected end of input");
    assert_eq!(err(b"[1,]"), "expected a value");
    assert_eq!(err(br#"{"a":1,}"#), "expected a string key");
    assert_eq!(err(br#"{"a" 1}"#), "expected `:`");
    assert_eq!(err(br#"{"a":1 "b":2}"#), "expected `,` or `}`");
    assert_eq!(err(b"[1 2]"), "expected `,` or `]`");
    assert_eq!(err(b"[tru]"), "expected a value");
    assert_eq!(err(b"nul"), "expected a value");
    assert_eq!(err(br#"{1:2}"#), "expected a string key");
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn duplicate_keys_are_refused_at_every_depth() {
    assert_eq!(err(br#"{"a":1,"a":2}"#), "duplicate key `a`");
    assert_eq!(err(br#"{"a":1,"b":{"c":1,"c":1}}"#), "duplicate key `c`");
    assert_eq!(err(br#"[[{"x":[{"k":1,"k":1}]}]]"#), "duplicate key `k`");
    // Compared after unescaping: two spellings of one name are one name.
    assert_eq!(err(br#"{"a":1,"\u0061":2}"#), "duplicate key `a`");
    // Large objects take the hashed path.
    let many: Vec<String> = (0..100).map(|i| format!("\"k{i}\":{i}")).collect();
    assert!(parse(format!("{{{}}}", many.join(",")).as_bytes()).is_ok());
    let twice = format!("{{{},\"k57\":0}}", many.join(","));
    assert_eq!(err(twice.as_bytes()), "duplicate key `k57`");
    // The same key in sibling objects is fine.
    assert!(parse(br#"[{"a":1},{"a":2}]"#).is_ok());
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn messages_escape_control_characters_and_stay_short() {
    let key = "\u{1b}[31m\nforged";
    let json = format!(
        r#"{{"{}":1,"{}":2}}"#,
        "\\u001b[31m\\nforged", "\\u001b[31m\\nforged"
    );
    let message = err(json.as_bytes());
    assert_eq!(message, "duplicate key `\\u{1b}[31m\\u{a}forged`");
    assert!(!message.chars().any(char::is_control), "{key:?}");
    let long = "k".repeat(200);
    let message = err(format!(r#"{{"{long}":1,"{long}":2}}"#).as_bytes());
    assert!(message.len() < 100 && message.ends_with("…`"), "{message}");
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn depth_is_limited() {
    let nested = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
    assert!(parse(nested(MAX_DEPTH).as_bytes()).is_ok());
    assert_eq!(
        err(nested(MAX_DEPTH + 1).as_bytes()),
        "nesting deeper than 64 levels"
    );
    let objects = |n: usize| format!("{}1{}", r#"{"a":"#.repeat(n), "}".repeat(n));
    assert!(parse(objects(MAX_DEPTH).as_bytes()).is_ok());
    assert!(parse(objects(MAX_DEPTH + 1).as_bytes()).is_err());
    // Far deeper input fails the same way, without exhausting the stack.
    assert!(parse(nested(1_000_000).as_bytes()).is_err());
}

// ---------------------------------------------------------------------------------------------
// Typed extraction

fn fields_error(json: &str, schema: &'static [Field], ignore: bool) -> String {
    match Fields::of(ok(json), schema, ignore) {
        Ok(_) => panic!("accepted {json}"),
        Err(e) => e.to_string(),
    }
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn unknown_missing_and_mistyped_fields() {
    const A: &[Field] = &[Field("a", Kind::Uint("a count"), Presence::Required)];
    assert_eq!(
        fields_error(r#"{"a":1,"z":2}"#, A, false),
        "unknown field `z`"
    );
    assert!(Fields::of(ok(r#"{"a":1,"z":2}"#), A, true).is_ok());
    assert_eq!(fields_error(r#"{"z":2}"#, A, true), "missing field `a`");
    assert_eq!(
        fields_error(r#"{"a":"1"}"#, A, false),
        "invalid type: string, expected a count at `a`"
    );
    assert_eq!(
        fields_error("[]", A, false),
        "invalid type: sequence, expected an object"
    );
    // Problems are reported in document order, as serde does.
    assert_eq!(
        fields_error(r#"{"a":true,"z":2}"#, A, false),
        "invalid type: boolean `true`, expected a count at `a`"
    );
    assert_eq!(
        fields_error(r#"{"z":2,"a":true}"#, A, false),
        "unknown field `z`"
    );
    // Containers are checked element by element.
    const B: &[Field] = &[
        Field("s", Kind::Strings, Presence::Optional),
        Field("m", Kind::StrMap, Presence::Optional),
        Field("b", Kind::BoolMap, Presence::Optional),
        Field("n", Kind::NullableStr, Presence::Optional),
    ];
    assert_eq!(
        fields_error(r#"{"s":["x",1]}"#, B, false),
        "invalid type: integer `1`, expected a string at `s[1]`"
    );
    assert_eq!(
        fields_error(r#"{"m":{"k":null}}"#, B, false),
        "invalid type: null, expected a string at `m.k`"
    );
    assert_eq!(
        fields_error(r#"{"b":{"k":"yes"}}"#, B, false),
        "invalid type: string, expected a boolean at `b.k`"
    );
    let mut f = Fields::of(
        ok(r#"{"s":["x"],"m":{"k":"v"},"b":{"k":true},"n":null}"#),
        B,
        false,
    )
    .unwrap();
    assert_eq!(f.strings("s"), ["x"]);
    assert_eq!(f.string_map("m").get("k").map(String::as_str), Some("v"));
    assert_eq!(f.bool_map("b").get("k"), Some(&true));
    assert_eq!(f.opt_string("n"), None);
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn typed_errors_name_their_place() {
    let claims = |json: &str| -> Error {
        crate::token::Claims::from_json(parse(json.as_bytes()).unwrap()).unwrap_err()
    };
    let base = r#""iss":"i","sub":"u","aud":"a","iat":1,"exp":2,"serial":0,"psv":1"#;
    let e = claims(&format!(
        r#"{{{base},"slip":{{"v":1,"user":{{"id":"u","grants":["a",7]}}}}}}"#
    ));
    assert_eq!(
        e.to_string(),
        "invalid type: integer `7`, expected a permission or an object with `permission` and \
         `scope` at `slip.user.grants[1]`"
    );
    let e = claims(&format!(
        r#"{{{base},"slip":{{"v":1,"user":{{"id":"u"}},"teams":[{{"id":"t","x":1}}]}}}}"#
    ));
    assert_eq!(e.to_string(), "unknown field `x` at `slip.teams[0]`");
    let e = claims(&format!(r#"{{{base},"slip":{{"v":1}}}}"#));
    assert_eq!(e.to_string(), "missing field `user` at `slip`");
    let e = claims(&format!(
        r#"{{{base},"slip":{{"v":1,"user":{{"id":"u"}},"catalogue":{{"features":[{{"id":"f","rows":"some"}}]}}}}}}"#
    ));
    assert_eq!(
        e.to_string(),
        "unknown variant `some`, expected one of `all`, `own_and_managed`, `assigned` at \
         `slip.catalogue.features[0].rows`"
    );
    let e = claims(
        &format!(r#"{{{base},"nbf":-5,"slip":{{}}}}"#).replace(r#""iat":1"#, r#""iat":1.0"#),
    );
    assert_eq!(
        e.to_string(),
        "invalid type: number `1.0`, expected a non-negative integer number of seconds at `iat`"
    );
    let e =
        claims(&format!(r#"{{{base},"slip":{{}}}}"#).replace(r#""psv":1"#, r#""psv":4294967296"#));
    assert_eq!(
        e.to_string(),
        "invalid value: integer `4294967296`, expected a format version number at `psv`"
    );
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn null_is_not_absent_in_our_formats() {
    let slip = |user: &str| {
        let json = format!(r#"{{"v":1,"user":{user}}}"#);
        crate::slip::Slip::from_json(parse(json.as_bytes()).unwrap()).map(|_| ())
    };
    assert!(slip(r#"{"id":"u"}"#).is_ok());
    for bad in [
        r#"{"id":null}"#,
        r#"{"id":"u","name":null}"#,
        r#"{"id":"u","roles":null}"#,
        r#"["u"]"#,
    ] {
        assert!(slip(bad).is_err(), "{bad}");
    }
}

// ---------------------------------------------------------------------------------------------
// Against serde_json, on every golden snapshot

fn golden_tokens() -> Vec<(String, String)> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden");
    let mut out = Vec::new();
    for dir in std::fs::read_dir(root).unwrap() {
        let dir = dir.unwrap().path();
        for file in std::fs::read_dir(&dir).unwrap() {
            let path = file.unwrap().path();
            if path.extension().is_some_and(|x| x == "jwt") {
                let token = std::fs::read_to_string(&path).unwrap();
                out.push((path.display().to_string(), token.trim().to_owned()));
            }
        }
    }
    out.sort();
    assert!(out.len() >= 10, "tests/golden/ lost its tokens");
    out
}

fn payload(token: &str) -> Vec<u8> {
    crate::token::base64url::decode(token.split('.').nth(1).unwrap()).unwrap()
}

#[test]
fn golden_payloads_read_the_same_as_with_serde() {
    use crate::token::{CatalogueClaims, Claims};
    for (path, token) in golden_tokens() {
        let bytes = payload(&token);
        let value = parse(&bytes).unwrap();
        if path.ends_with("catalogue.jwt") {
            let ours = CatalogueClaims::from_json(value).unwrap();
            let theirs: CatalogueClaims = serde_json::from_slice(&bytes).unwrap();
            assert_eq!(ours, theirs, "{path}");
        } else {
            let ours = Claims::from_json(value).unwrap();
            let theirs: Claims = serde_json::from_slice(&bytes).unwrap();
            assert_eq!(ours, theirs, "{path}");
        }
    }
}

#[test]
fn writer_matches_serde_json_on_every_golden_answer() {
    use super::write::to_string;
    use crate::engine::CompiledCatalogue;
    use crate::token::{CatalogueClaims, Claims};

    let tokens = golden_tokens();
    let bundle = tokens
        .iter()
        .find(|(p, _)| p.ends_with("catalogue.jwt"))
        .map(|(_, t)| {
            let c: CatalogueClaims = serde_json::from_slice(&payload(t)).unwrap();
            CompiledCatalogue::compile(&c.catalogue).unwrap()
        })
        .unwrap();
    let mut compared = 0;
    for (path, token) in &tokens {
        if path.ends_with("catalogue.jwt") {
            continue;
        }
        let claims: Claims = serde_json::from_slice(&payload(token)).unwrap();
        let checker = match &claims.slip.catalogue {
            Some(_) => crate::dangerous::compile_unverified(&claims.slip).unwrap(),
            None => crate::dangerous::compile_unverified_with(&bundle, &claims.slip).unwrap(),
        };
        let mut same = |ours: String, theirs: String| {
            assert_eq!(ours, theirs, "{path}");
            compared += 1;
        };
        let profile = checker.profile();
        same(
            to_string(&profile),
            serde_json::to_string(&profile).unwrap(),
        );
        let catalogue = claims.slip.catalogue.as_ref();
        let permissions: Vec<String> = profile
            .permissions
            .iter()
            .map(|p| p.permission.clone())
            .chain(
                catalogue
                    .iter()
                    .flat_map(|c| c.permissions.iter().map(|p| p.id.clone())),
            )
            .chain(["nope".to_owned(), "a\"b\\c\n\u{1}é".to_owned()])
            .collect();
        for p in &permissions {
            for scope in [None, Some("+15550100"), Some("x\ty")] {
                let e = checker.explain_permission(p, scope);
                same(to_string(&e), serde_json::to_string(&e).unwrap());
            }
        }
        let features: Vec<String> = profile.levels.iter().map(|l| l.feature.clone()).collect();
        for f in features.iter().map(String::as_str).chain(["nope"]) {
            for action in ["view", "edit", "delete", "nope"] {
                let e = checker.explain_feature(f, action);
                same(to_string(&e), serde_json::to_string(&e).unwrap());
                let ids = checker.list(f, action);
                same(to_string(&ids), serde_json::to_string(&ids).unwrap());
            }
        }
        for r in claims
            .slip
            .resources
            .iter()
            .map(|r| r.id.as_str())
            .chain(["nope"])
        {
            for action in ["view", "edit", "nope"] {
                let e = checker.explain_resource(r, action);
                same(to_string(&e), serde_json::to_string(&e).unwrap());
            }
        }
    }
    assert!(compared > 100, "only {compared} answers compared");
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn writer_escapes_like_serde_json() {
    use super::write::to_string;
    let all: String = (0u8..0x80)
        .map(char::from)
        .chain("é€😀\u{2028}".chars())
        .collect();
    let values = vec![all, String::new(), "\"\\/".to_owned()];
    assert_eq!(to_string(&values), serde_json::to_string(&values).unwrap());
    assert_eq!(to_string(&Some(true)), "true");
    assert_eq!(to_string(&None::<bool>), "null");
}

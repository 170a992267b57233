//! Parsing a payload into a [`serde_json::Value`] while noticing whether [`hazards::scan`] could have
//! anything to say about it.
//!
//! `hazards::scan` is a second pass over the bytes (about a quarter of the time to check a clean payload).
//! Two of the three hazards show while parsing anyway: a duplicate key is a map insert that replaces a
//! value, and an integer literal beyond the 64-bit range reaches the visitor as a float of magnitude at
//! least 2^63. The third, a string over the cap, needs a text over the cap. [`parse`] records these
//! conservatively (a float literal such as `1e19` also raises the flag), so [`might_have_hazards`] false
//! means the scan would find nothing and can be skipped; true means run it. The fuzz target
//! `validate_bytes` checks both halves: the value equals `serde_json::from_str`'s, and the flag is never
//! down when the scan finds something.
//!
//! [`hazards::scan`]: crate::hazards::scan
//! [`might_have_hazards`]: Parsed::might_have_hazards
use std::{cell::Cell, fmt};

use serde::de::{DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// A parsed payload and whether [`crate::hazards::scan`] must look at its text.
#[derive(Debug)]
pub struct Parsed {
    /// The value, exactly as `serde_json::from_str::<Value>` builds it (the last of duplicate keys wins,
    /// in the first one's place).
    pub value: Value,
    duplicate_or_huge: bool,
    text_len: usize,
}

impl Parsed {
    /// False when the text certainly has no duplicate key, no out-of-range integer and no string longer
    /// than `max_string_bytes`.
    pub fn might_have_hazards(&self, max_string_bytes: usize) -> bool {
        // A decoded string is never longer than its literal, so a text within the cap holds none over it.
        self.duplicate_or_huge || self.text_len > max_string_bytes
    }
}

/// Parses one JSON text, as `serde_json::from_str::<Value>` would (same errors, same depth limit).
///
/// # Errors
/// The text is not JSON; the error is `serde_json`'s.
///
/// ```
/// let p = hookcheck::json::parse(r#"{"id": 1, "id": 2}"#).unwrap();
/// assert_eq!(p.value["id"], 2);
/// assert!(p.might_have_hazards(1 << 20));
/// assert!(!hookcheck::json::parse(r#"{"id": 1}"#).unwrap().might_have_hazards(1 << 20));
/// ```
pub fn parse(text: &str) -> Result<Parsed, serde_json::Error> {
    let flag = Cell::new(false);
    let mut de = serde_json::Deserializer::from_str(text);
    let value = Seed(&flag).deserialize(&mut de)?;
    de.end()?;
    Ok(Parsed {
        value,
        duplicate_or_huge: flag.get(),
        text_len: text.len(),
    })
}

/// 2^63: an integer literal outside `i64` and `u64` reaches the visitor as a float at least this large.
const HUGE: f64 = 9_223_372_036_854_775_808.0;

#[derive(Clone, Copy)]
struct Seed<'a>(&'a Cell<bool>);

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Value;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        if v.abs() >= HUGE {
            self.0.set(true);
        }
        // As serde_json: a float that is not finite becomes null (it cannot come from JSON text).
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(v) = seq.next_element_seed(self)? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(self)?;
            if out.insert(key, value).is_some() {
                self.0.set(true);
            }
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_value_as_serde_json_and_the_flag_where_the_scan_has_findings() {
        for text in [
            r#"{"a":1,"b":[1,2.5,-3,"x",null,true,{"c":{}}],"d":"\u00e9\n"}"#,
            r#"{"a":1,"a":{"b":2},"c":3}"#,
            r#"{"n":18446744073709551616}"#,
            r#"{"n":-9223372036854775809}"#,
            r#"{"n":18446744073709551615,"m":-9223372036854775808}"#,
            r#"{"f":1e19}"#,
            "[]",
            "  \"s\" ",
        ] {
            let p = parse(text).unwrap();
            assert_eq!(
                p.value,
                serde_json::from_str::<Value>(text).unwrap(),
                "{text}"
            );
            let scan = crate::hazards::scan(text.as_bytes(), 1 << 20);
            if !scan.is_empty() {
                assert!(p.might_have_hazards(1 << 20), "{text}: {scan:?}");
            }
        }
        assert!(!parse(r#"{"n":18446744073709551615}"#)
            .unwrap()
            .might_have_hazards(1 << 20));
        assert!(parse(r#"{"s":"abcdefghij"}"#)
            .unwrap()
            .might_have_hazards(8));
    }

    #[test]
    fn same_errors_as_serde_json() {
        for text in [
            "",
            "{",
            r#"{"a":1}x"#,
            "[1,]",
            r#"{"a":1e400}"#,
            &"[".repeat(200),
        ] {
            let ours = parse(text).unwrap_err().to_string();
            let theirs = serde_json::from_str::<Value>(text).unwrap_err().to_string();
            assert_eq!(ours, theirs, "{text}");
        }
    }
}

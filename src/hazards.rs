//! What a JSON parser hides: duplicate keys, numbers it cannot hold, and strings too long to be sane.
//!
//! `serde_json` (like most parsers) silently keeps the *last* value of a duplicated key, turns an integer
//! beyond the 64-bit range into a lossy float, and accepts strings of any length. A sender whose payload
//! depends on any of these is sending something receivers in other languages read differently, so
//! [`scan`] reports each as an error finding, with the JSON Pointer of the place:
//!
//! | rule | what |
//! |---|---|
//! | `json/duplicate-key` | a key appears twice in one object (pointer: the key; reported once per key) |
//! | `json/number-range` | an integer literal outside `i64`/`u64`, or a number literal that overflows `f64` |
//! | `json/string-length` | a string (value or key) whose decoded UTF-8 is longer than the cap |
//!
//! [`scan`] is one iterative pass over the bytes (no recursion, no allocation per value, keys are borrowed
//! unless they contain escapes) and never panics, whatever the bytes: on text that is not JSON its
//! findings are meaningless but harmless. It is meant to run after `serde_json` accepted the text, or
//! after `serde_json` rejected it with `number out of range`, to say where.
//!
//! ```
//! use hookcheck::hazards::{scan, DEFAULT_MAX_STRING_BYTES};
//!
//! let text = br#"{"event":"contact_created","id":1,"id":2,"n":18446744073709551616}"#;
//! let found: Vec<_> = scan(text, DEFAULT_MAX_STRING_BYTES)
//!     .into_iter()
//!     .map(|f| (f.rule, f.pointer))
//!     .collect();
//! assert_eq!(
//!     found,
//!     vec![
//!         ("json/duplicate-key".to_string(), "/id".to_string()),
//!         ("json/number-range".to_string(), "/n".to_string()),
//!     ]
//! );
//! ```
use std::{borrow::Cow, collections::HashSet, fmt::Write as _};

use crate::finding::{Finding, VALUE_LIMIT};

/// A key appears more than once in one object.
pub const DUPLICATE_KEY: &str = "json/duplicate-key";
/// A number literal no 64-bit integer holds exactly, or that overflows a 64-bit float.
pub const NUMBER_RANGE: &str = "json/number-range";
/// A string longer than the cap.
pub const STRING_LENGTH: &str = "json/string-length";

/// The three rules with a one-line description each (for `finding::rule::DOCS` and the README).
pub const RULES: &[(&str, &str)] = &[
    (
        DUPLICATE_KEY,
        "a key appears twice in one object (parsers disagree on which value wins)",
    ),
    (
        NUMBER_RANGE,
        "an integer outside the 64-bit range, or a number that overflows a 64-bit float",
    ),
    (
        STRING_LENGTH,
        "a string longer than the cap (1 MiB by default)",
    ),
];

/// Default cap on one string's decoded length: 1 MiB, far beyond any real message content.
pub const DEFAULT_MAX_STRING_BYTES: usize = 1 << 20;

/// Nesting the scanner follows. `serde_json` stops at 128, so valid input never gets here; deeper
/// (invalid) input is scanned no further, which keeps the frame stack bounded.
const MAX_SCAN_DEPTH: usize = 1024;

/// Objects with more keys than this switch from a linear search to a hash set.
const LINEAR_KEYS: usize = 16;

/// Scans a JSON text for duplicate keys, out-of-range numbers and over-long strings (see the module
/// docs). Findings come in document order, with pointers into the value `serde_json` parses from the
/// same text (a finding inside a value that a later duplicate key replaced points below that
/// duplicate key's pointer).
pub fn scan(bytes: &[u8], max_string_bytes: usize) -> Vec<Finding> {
    scan_at_most(bytes, max_string_bytes, usize::MAX)
}

/// [`scan`], stopping once it has `limit` findings (a 4 MiB payload can hold hundreds of thousands of
/// duplicate keys; `validate` lists a bounded number of findings and says that it stopped).
pub fn scan_at_most(bytes: &[u8], max_string_bytes: usize, limit: usize) -> Vec<Finding> {
    Scanner {
        bytes,
        max_string_bytes,
        limit,
        stack: Vec::new(),
        out: Vec::new(),
    }
    .run()
}

struct Scanner<'a> {
    bytes: &'a [u8],
    max_string_bytes: usize,
    limit: usize,
    stack: Vec<Frame<'a>>,
    out: Vec<Finding>,
}

enum Frame<'a> {
    Object {
        keys: Keys<'a>,
        key: Option<Cow<'a, str>>,
        expect_key: bool,
    },
    Array {
        index: usize,
    },
}

/// The keys seen in one object, and which duplicates were already reported.
#[derive(Default)]
struct Keys<'a> {
    list: Vec<Cow<'a, str>>,
    set: Option<HashSet<Cow<'a, str>>>,
    reported: Vec<Cow<'a, str>>,
}

impl<'a> Keys<'a> {
    /// Records `key`; true when it was already there.
    fn insert(&mut self, key: Cow<'a, str>) -> bool {
        if let Some(set) = &mut self.set {
            return !set.insert(key);
        }
        if self.list.contains(&key) {
            return true;
        }
        self.list.push(key);
        if self.list.len() > LINEAR_KEYS {
            self.set = Some(self.list.drain(..).collect());
        }
        false
    }

    /// True the first time a duplicate of `key` is to be reported.
    fn first_report(&mut self, key: Cow<'a, str>) -> bool {
        if self.reported.contains(&key) {
            return false;
        }
        self.reported.push(key);
        true
    }
}

/// A string literal: where it ends and how long it is once decoded.
struct StringLit {
    /// Index just past the closing quote (or the end of the input).
    end: usize,
    /// Index of the closing quote (or the end of the input).
    close: usize,
    escaped: bool,
    decoded_len: usize,
}

impl<'a> Scanner<'a> {
    fn run(mut self) -> Vec<Finding> {
        let bytes = self.bytes;
        let mut i = 0;
        while i < bytes.len() && self.out.len() < self.limit {
            match bytes[i] {
                b'{' | b'[' => {
                    if self.stack.len() >= MAX_SCAN_DEPTH {
                        break;
                    }
                    self.stack.push(if bytes[i] == b'{' {
                        Frame::Object {
                            keys: Keys::default(),
                            key: None,
                            expect_key: true,
                        }
                    } else {
                        Frame::Array { index: 0 }
                    });
                    i += 1;
                }
                b'}' | b']' => {
                    self.stack.pop();
                    i += 1;
                }
                b',' => {
                    match self.stack.last_mut() {
                        Some(Frame::Object {
                            key, expect_key, ..
                        }) => {
                            *key = None;
                            *expect_key = true;
                        }
                        Some(Frame::Array { index }) => *index = index.saturating_add(1),
                        None => {}
                    }
                    i += 1;
                }
                b':' => {
                    if let Some(Frame::Object { expect_key, .. }) = self.stack.last_mut() {
                        *expect_key = false;
                    }
                    i += 1;
                }
                b'"' => {
                    let lit = string_literal(bytes, i);
                    self.string(i, &lit);
                    i = lit.end;
                }
                b'-' | b'0'..=b'9' => {
                    let end = i + bytes[i..]
                        .iter()
                        .take_while(|b| matches!(b, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'))
                        .count();
                    self.number(&bytes[i..end]);
                    i = end;
                }
                _ => i += 1,
            }
        }
        self.out
    }

    /// A string literal starting at `start`: a key or a value.
    fn string(&mut self, start: usize, lit: &StringLit) {
        let raw = self.bytes.get(start + 1..lit.close).unwrap_or_default();
        let is_key = matches!(
            self.stack.last(),
            Some(Frame::Object {
                expect_key: true,
                ..
            })
        );
        let too_long = lit.decoded_len > self.max_string_bytes;
        if !is_key {
            if too_long {
                let pointer = self.pointer(self.stack.len());
                self.push_too_long(pointer, "string", raw, lit.decoded_len);
            }
            return;
        }
        let key: Cow<'a, str> = if lit.escaped {
            Cow::Owned(unescape(raw))
        } else {
            String::from_utf8_lossy(raw)
        };
        if too_long {
            // The key itself would make an unreadable pointer: point at its object.
            let pointer = self.pointer(self.stack.len().saturating_sub(1));
            self.push_too_long(pointer, "key", raw, lit.decoded_len);
        }
        let Some(Frame::Object {
            keys,
            key: current,
            expect_key,
        }) = self.stack.last_mut()
        else {
            return;
        };
        *expect_key = false;
        let report = keys.insert(key.clone()) && keys.first_report(key.clone());
        let shown = report.then(|| shown_key(&key));
        *current = Some(key);
        if let Some(shown) = shown {
            let pointer = self.pointer(self.stack.len());
            let mut f = Finding::error(
                DUPLICATE_KEY,
                pointer,
                format!(
                    "key `{shown}` appears more than once in this object; serde_json keeps the last value, \
                     other parsers the first or an error"
                ),
            );
            f.value = Some(json_string(&shown));
            self.out.push(f);
        }
    }

    fn push_too_long(&mut self, pointer: String, what: &str, raw: &[u8], len: usize) {
        let mut f = Finding::error(
            STRING_LENGTH,
            pointer,
            format!(
                "{what} of {len} bytes is longer than the cap of {} bytes",
                self.max_string_bytes
            ),
        );
        let head: String = String::from_utf8_lossy(&raw[..raw.len().min(4 * VALUE_LIMIT)])
            .chars()
            .take(VALUE_LIMIT - 3)
            .collect();
        f.value = Some(format!("\"{head}…"));
        self.out.push(f);
    }

    /// A number literal (a run of number characters; anything else is skipped as not JSON).
    fn number(&mut self, lit: &[u8]) {
        let Ok(text) = std::str::from_utf8(lit) else {
            return;
        };
        let digits = text.strip_prefix('-').unwrap_or(text);
        let is_float = digits.contains(['.', 'e', 'E']);
        let message = if is_float {
            let int_digits = digits.bytes().take_while(u8::is_ascii_digit).count();
            // Without an exponent a float needs 309 integer digits to overflow: skip the parse below that.
            if !digits.contains(['e', 'E']) && int_digits < 309 {
                return;
            }
            match text.parse::<f64>() {
                Ok(v) if v.is_infinite() => format!(
                    "number {} overflows a 64-bit float (it would be {v})",
                    shown_literal(text)
                ),
                _ => return,
            }
        } else {
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || digits.len() < 19
            {
                return;
            }
            let fits = if text.starts_with('-') {
                text.parse::<i64>().is_ok()
            } else {
                text.parse::<u64>().is_ok()
            };
            if fits {
                return;
            }
            let as_float = text.parse::<f64>().unwrap_or(f64::NAN);
            format!(
                "integer {} is outside the 64-bit range ({}..={}); parsers turn it into a float and lose \
                 digits ({as_float:e}) or reject it",
                shown_literal(text),
                i64::MIN,
                u64::MAX
            )
        };
        let pointer = self.pointer(self.stack.len());
        let mut f = Finding::error(NUMBER_RANGE, pointer, message);
        f.value = Some(shown_literal(text));
        self.out.push(f);
    }

    /// The pointer through the first `depth` frames: each object's current key, each array's index.
    fn pointer(&self, depth: usize) -> String {
        let mut p = String::new();
        for frame in self.stack.iter().take(depth) {
            match frame {
                Frame::Object { key: Some(k), .. } => {
                    p.push('/');
                    for c in k.chars() {
                        match c {
                            '~' => p.push_str("~0"),
                            '/' => p.push_str("~1"),
                            c => p.push(c),
                        }
                    }
                }
                Frame::Object { key: None, .. } => {}
                Frame::Array { index } => {
                    let _ = write!(p, "/{index}");
                }
            }
        }
        p
    }
}

/// Finds the end of the string literal whose opening quote is at `start`, and its decoded length.
fn string_literal(bytes: &[u8], start: usize) -> StringLit {
    let mut i = start + 1;
    let mut escaped = false;
    // Bytes that do not count: escape characters beyond the one byte (or four for a surrogate pair,
    // three otherwise for `\u`) they decode to.
    let mut saved = 0usize;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                return StringLit {
                    end: i + 1,
                    close: i,
                    escaped,
                    decoded_len: (i - start - 1).saturating_sub(saved),
                }
            }
            b'\\' => {
                escaped = true;
                if bytes.get(i + 1) == Some(&b'u') {
                    let unit = hex4(bytes.get(i + 2..i + 6));
                    let decoded = match unit {
                        Some(0..=0x7F) => 1,
                        Some(0x80..=0x7FF) => 2,
                        // A high surrogate counts for the whole pair's 4 bytes, its low half for none.
                        Some(0xD800..=0xDBFF) => 4,
                        Some(0xDC00..=0xDFFF) => 0,
                        _ => 3,
                    };
                    saved += 6 - decoded;
                    i += 6;
                } else {
                    saved += 1;
                    i += 2;
                }
            }
            _ => i += 1,
        }
    }
    let end = bytes.len();
    StringLit {
        end,
        close: end,
        escaped,
        decoded_len: end.saturating_sub(start + 1).saturating_sub(saved),
    }
}

fn hex4(b: Option<&[u8]>) -> Option<u32> {
    let b = b?;
    let s = std::str::from_utf8(b).ok()?;
    if s.len() != 4 || !s.bytes().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(s, 16).ok()
}

/// Decodes the content of a string literal that contains escapes (invalid escapes become U+FFFD).
fn unescape(raw: &[u8]) -> String {
    let mut out: Vec<u8> = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] != b'\\' {
            out.push(raw[i]);
            i += 1;
            continue;
        }
        let simple = match raw.get(i + 1) {
            Some(b'"') => Some(b'"'),
            Some(b'\\') => Some(b'\\'),
            Some(b'/') => Some(b'/'),
            Some(b'b') => Some(0x08),
            Some(b'f') => Some(0x0C),
            Some(b'n') => Some(b'\n'),
            Some(b'r') => Some(b'\r'),
            Some(b't') => Some(b'\t'),
            _ => None,
        };
        if let Some(c) = simple {
            out.push(c);
            i += 2;
            continue;
        }
        let mut ch = char::REPLACEMENT_CHARACTER;
        let mut used = 2;
        if raw.get(i + 1) == Some(&b'u') {
            used = 6;
            match hex4(raw.get(i + 2..i + 6)) {
                Some(hi @ 0xD800..=0xDBFF) => {
                    let lo = (raw.get(i + 6..i + 8) == Some(b"\\u"))
                        .then(|| hex4(raw.get(i + 8..i + 12)))
                        .flatten();
                    if let Some(lo @ 0xDC00..=0xDFFF) = lo {
                        used = 12;
                        let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                        ch = char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER);
                    }
                }
                Some(u) => ch = char::from_u32(u).unwrap_or(char::REPLACEMENT_CHARACTER),
                None => {}
            }
        }
        let mut buf = [0u8; 4];
        out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
        i += used;
    }
    match String::from_utf8(out) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

fn shown_key(key: &str) -> String {
    if key.chars().count() <= 40 {
        key.to_string()
    } else {
        let mut s: String = key.chars().take(39).collect();
        s.push('…');
        s
    }
}

fn shown_literal(text: &str) -> String {
    if text.len() <= 40 {
        text.to_string()
    } else {
        // Number literals are ASCII, so any byte index is a char boundary.
        format!("{}…({} digits)", &text[..30], text.len())
    }
}

fn json_string(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(text: &str, cap: usize) -> Vec<(String, String)> {
        scan(text.as_bytes(), cap)
            .into_iter()
            .map(|f| (f.rule, f.pointer))
            .collect()
    }

    fn pair(rule: &str, pointer: &str) -> (String, String) {
        (rule.to_string(), pointer.to_string())
    }

    #[test]
    fn clean_payloads_have_no_hazards() {
        let text = r#"{"event":"message_created","id":1,"content":"a \u003cb\u003e","n":-9223372036854775808,
            "u":18446744073709551615,"f":1.5e308,"g":-1e-400,"list":[1,{"a":1},{"a":2}],"a":{"a":{"a":1}}}"#;
        assert_eq!(rules(text, DEFAULT_MAX_STRING_BYTES), vec![]);
    }

    #[test]
    fn duplicate_keys_are_reported_once_per_key_at_their_pointer() {
        let text = r#"{"a":1,"b":[{"x":1,"x":2,"x":3}],"a":2,"a/b~":1,"a\/b~":2}"#;
        assert_eq!(
            rules(text, 100),
            vec![
                pair(DUPLICATE_KEY, "/b/0/x"),
                pair(DUPLICATE_KEY, "/a"),
                pair(DUPLICATE_KEY, "/a~1b~0")
            ]
        );
    }

    #[test]
    fn escaped_and_plain_spellings_of_a_key_are_the_same_key() {
        assert_eq!(
            rules(r#"{"é":1,"\u00e9":2,"😀":1,"\ud83d\ude00":2}"#, 100),
            vec![pair(DUPLICATE_KEY, "/é"), pair(DUPLICATE_KEY, "/😀")]
        );
    }

    #[test]
    fn many_keys_switch_to_a_hash_set_and_still_find_duplicates() {
        let mut text = String::from("{");
        for k in 0..100 {
            text.push_str(&format!("\"k{k}\":{k},"));
        }
        text.push_str("\"k7\":0,\"k99\":0}");
        assert_eq!(
            rules(&text, 100),
            vec![pair(DUPLICATE_KEY, "/k7"), pair(DUPLICATE_KEY, "/k99")]
        );
    }

    #[test]
    fn numbers_beyond_64_bits_are_reported() {
        let text = r#"{"big":18446744073709551616,"neg":-9223372036854775809,"ok":[9223372036854775807,
            -123,0,1e308],"huge":1e400,"long":12345678901234567890123456789012345678901234567890}"#;
        let found = scan(text.as_bytes(), 100);
        let got: Vec<_> = found
            .iter()
            .map(|f| (f.rule.as_str(), f.pointer.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (NUMBER_RANGE, "/big"),
                (NUMBER_RANGE, "/neg"),
                (NUMBER_RANGE, "/huge"),
                (NUMBER_RANGE, "/long")
            ]
        );
        assert_eq!(found[0].value.as_deref(), Some("18446744073709551616"));
        assert!(
            found[3].message.contains("…(50 digits)"),
            "{}",
            found[3].message
        );
        assert!(found[2].message.contains("overflows a 64-bit float"));
    }

    #[test]
    fn long_strings_are_reported_by_decoded_length() {
        // 10 decoded bytes written with escapes: not over a cap of 10.
        let text = r#"{"s":"\u0041\u0042CDEFGH\n\t","t":"12345678901","\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9":1}"#;
        assert_eq!(
            rules(text, 10),
            vec![pair(STRING_LENGTH, "/t"), pair(STRING_LENGTH, "")]
        );
        // A surrogate pair is 4 bytes of UTF-8.
        assert_eq!(rules(r#"["\ud83d\ude00\ud83d\ude00"]"#, 8), vec![]);
        assert_eq!(
            rules(r#"["\ud83d\ude00\ud83d\ude00"]"#, 7),
            vec![pair(STRING_LENGTH, "/0")]
        );
    }

    #[test]
    fn a_string_over_one_mebibyte_is_reported_with_a_short_value() {
        let text = format!(
            "{{\"content\":\"{}\"}}",
            "x".repeat(DEFAULT_MAX_STRING_BYTES + 1)
        );
        let found = scan(text.as_bytes(), DEFAULT_MAX_STRING_BYTES);
        assert_eq!(found.len(), 1);
        assert_eq!(
            (found[0].rule.as_str(), found[0].pointer.as_str()),
            (STRING_LENGTH, "/content")
        );
        assert!(found[0].value.as_ref().unwrap().chars().count() <= VALUE_LIMIT);
        assert_eq!(
            found[0].message,
            "string of 1048577 bytes is longer than the cap of 1048576 bytes"
        );
    }

    #[test]
    fn hostile_bytes_never_panic_and_deep_input_is_bounded() {
        for text in [
            &b"\"\\u"[..],
            b"\"\\ud800\\u",
            b"{\"a\\",
            b"{{{{{{",
            b"]]]]}}}}",
            b"{\"a\":1,,,:::\"a\":2}",
            b"-",
            b"--1",
            b"1e",
            b"\xff\xfe\"\xff\":1",
            b"NaN Infinity -Infinity",
        ] {
            let _ = scan(text, 0);
        }
        let deep = "[".repeat(100_000);
        assert_eq!(scan(deep.as_bytes(), 10), vec![]);
    }
}

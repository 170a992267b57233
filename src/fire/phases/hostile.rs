//! The hostile phase: bodies a consumer must survive (2xx or 4xx, never 5xx, a timeout or a dropped
//! connection). All are signed correctly, so they reach the consumer's parsing, not just its signature
//! check.
//!
//! * one payload per mutation class ([`Generator::sites`](crate::generate::Generator::sites)): valid but for
//!   exactly one defect under the profile;
//! * unusual but legal JSON: nesting 64 levels deep (within every mainstream parser's limit), a
//!   300,000-character string, control, bidirectional, combining and astral characters and injection-shaped
//!   text in every free string, every character of every string `\u`-escaped, a repeated key, numbers
//!   beyond 64 bits, tabs and CRLF;
//! * once per campaign, bodies that are not JSON or not an object.
use serde_json::{json, Value};

use super::{Planner, Rng};
use crate::{
    event::EventName,
    fire::{
        case::{Case, Expect, Hostility},
        phase::Phase,
        tree::walk,
    },
    generate::{
        mutate::{self, Class},
        node::Ty,
    },
    signature::activesupport_json,
};

/// Total nesting depth of the deep-nesting body: deep, but within every mainstream parser's default
/// (Ruby's `JSON.parse` stops at 100, serde_json and hookcheck at 128).
const DEPTH: usize = 64;
/// Characters of the long string.
const LONG_CHARS: usize = 300_000;

/// Text for free strings that breaks naive handling: quotes and escapes, separators JavaScript treats as
/// line ends, bidirectional overrides, zero-width and combining characters, astral emoji, markup and
/// injection-shaped strings, CRLF.
const ODD_TEXT: &[&str] = &[
    "quote \" backslash \\ slash / nul \u{0} bell \u{7} escape \u{1b}[31m",
    "line\u{2028}separator\u{2029}paragraph",
    "\u{202e}right-to-left override\u{202c} and \u{200f}mark",
    "zero\u{200b}width\u{feff}space and e\u{301} combining",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 😀👍🏽 👨‍👩‍👧 日本語 عربى",
    "</script><script>alert(1)</script> <b>&amp;</b>",
    "'; DROP TABLE webhooks; --",
    "${jndi:ldap://127.0.0.1/x} {{7*7}} %s%n%x",
    "carriage\r\nreturn\ttab",
];

fn case(event: Option<EventName>, h: Hostility, label: String, payload: Value) -> Case {
    Case::of_payload(Phase::Hostile, event, Expect::Survive(h), label, payload)
}

fn raw(event: Option<EventName>, h: Hostility, label: &str, body: Vec<u8>) -> Case {
    Case::of_bytes(Phase::Hostile, event, Expect::Survive(h), label, body)
}

/// Pointers of the free strings of `base` (no enum, format, pattern or length bound), longest first.
fn free_strings(p: &Planner<'_>, event: EventName, base: &Value) -> Vec<String> {
    let mut out: Vec<(usize, String)> = Vec::new();
    let node = super::shape(p.catalog, p.generator, event, base);
    walk(node, base, "", &mut |ptr, _, alt, v| {
        if let (
            Ty::String {
                format: None,
                pattern: None,
                max_len: None,
                ..
            },
            None,
            Value::String(s),
        ) = (&alt.ty, &alt.values, v)
        {
            out.push((s.len(), ptr.to_string()));
        }
    });
    // Longest first; ties in document order (the sort is stable).
    out.sort_by_key(|s| std::cmp::Reverse(s.0));
    out.into_iter().map(|(_, p)| p).collect()
}

/// The first free-form object of `base` (`additionalProperties: true`), where any key is legal.
fn free_form(p: &Planner<'_>, event: EventName, base: &Value) -> Option<String> {
    let mut found = None;
    let node = super::shape(p.catalog, p.generator, event, base);
    walk(node, base, "", &mut |ptr, _, alt, v| {
        if found.is_none() && v.is_object() {
            if let Ty::Object(o) = &alt.ty {
                if matches!(o.additional, Some(None)) && !ptr.is_empty() {
                    found = Some(ptr.to_string());
                }
            }
        }
    });
    found
}

fn nested(levels: usize) -> Value {
    let mut v = json!([1, "deep"]);
    for i in 0..levels {
        v = if i % 2 == 0 {
            json!({"a": v})
        } else {
            json!([v])
        };
    }
    v
}

fn long_text() -> String {
    "Lorem ipsum olá 日本 😀 <b>&</b> "
        .chars()
        .cycle()
        .take(LONG_CHARS)
        .collect()
}

/// The hostile cases of one event, from one valid payload.
pub(crate) fn cases(p: &Planner<'_>, event: EventName, base: Value) -> Vec<Case> {
    let mut out = Vec::new();
    let ev = Some(event);
    let mut rng = Rng::new(p.seed, ev);
    let sites = p.generator.sites(p.catalog, event, &base);
    for class in Class::ALL {
        let of: Vec<&mutate::Site> = sites.iter().filter(|s| s.expect.class == class).collect();
        if of.is_empty() {
            continue;
        }
        let site = of[rng.below(of.len())];
        let mut v = base.clone();
        site.apply(event, &mut v);
        let at = if site.expect.pointer.is_empty() {
            "(root)"
        } else {
            &site.expect.pointer
        };
        out.push(case(
            ev,
            Hostility::Mutation(class),
            format!("{} at {at}", site.expect.description),
            v,
        ));
    }

    // Deep nesting, in a free-form object when the event has one (legal there), else at the top.
    let at = free_form(p, event, &base).unwrap_or_default();
    let depth_here = at.matches('/').count() + 2;
    let mut v = base.clone();
    if let Some(Value::Object(m)) = v.pointer_mut(&at) {
        m.insert(
            "x_nested".into(),
            nested(DEPTH.saturating_sub(depth_here).max(1)),
        );
        out.push(case(
            ev,
            Hostility::Unusual("deep-nesting"),
            format!("{DEPTH} levels of nesting under {}/x_nested", at),
            v,
        ));
    }

    let strings = free_strings(p, event, &base);
    if let Some(ptr) = strings.first() {
        let mut v = base.clone();
        if let Some(slot) = v.pointer_mut(ptr) {
            *slot = Value::String(long_text());
            out.push(case(
                ev,
                Hostility::Unusual("long-string"),
                format!("a {LONG_CHARS}-character string at {ptr}"),
                v,
            ));
        }
    }
    if !strings.is_empty() {
        let mut v = base.clone();
        for (i, ptr) in strings.iter().enumerate() {
            if let Some(slot) = v.pointer_mut(ptr) {
                *slot = Value::String(ODD_TEXT[i % ODD_TEXT.len()].to_string());
            }
        }
        out.push(case(
            ev,
            Hostility::Unusual("odd-characters"),
            format!(
                "control, bidirectional, combining, astral and injection-shaped text in {} strings",
                strings.len()
            ),
            v,
        ));
    }

    let body = activesupport_json(&base);
    out.push(raw(
        ev,
        Hostility::Unusual("escaped-everything"),
        "every character of every key and string \\u-escaped (the same JSON value)",
        escape_everything(&base),
    ));
    let mut dup = format!("{{\"event\":\"{event}\",").into_bytes();
    dup.extend_from_slice(body.get(1..).unwrap_or_default());
    out.push(raw(
        ev,
        Hostility::Unusual("repeated-key"),
        "the `event` key twice, with the same value",
        dup,
    ));
    let mut huge = body.clone();
    if huge.last() == Some(&b'}') {
        huge.pop();
        huge.extend_from_slice(
            b",\"x_huge\":1e400,\"x_wide\":123456789012345678901234567890,\"x_tiny\":-0.0}",
        );
        out.push(raw(
            ev,
            Hostility::Unusual("huge-numbers"),
            "extra keys with 1e400, a 30-digit integer and -0.0",
            huge,
        ));
    }
    let pretty = serde_json::to_string_pretty(&base)
        .unwrap_or_default()
        .replace("  ", "\t")
        .replace('\n', "\r\n");
    out.push(raw(
        ev,
        Hostility::Unusual("white-space"),
        "tabs and CRLF line ends between the tokens",
        format!(" \r\n\t{pretty}\r\n\t ").into_bytes(),
    ));
    out
}

/// Bodies that are not JSON, or not an object: once per campaign, from a valid payload of `event`.
pub(crate) fn eventless(event: EventName, base: &Value) -> Vec<Case> {
    let body = activesupport_json(base);
    let mut out = Vec::new();
    let mut push = |h: Hostility, label: &str, bytes: Vec<u8>| out.push(raw(None, h, label, bytes));
    push(Hostility::NotJson("empty"), "an empty body", Vec::new());
    push(
        Hostility::NotJson("text"),
        "plain text",
        b"this is not JSON".to_vec(),
    );
    push(
        Hostility::NotJson("truncated"),
        "a valid body cut in half",
        body[..body.len() / 2].to_vec(),
    );
    let mut bad_utf8 = format!("{{\"event\":\"{event}\",\"content\":\"").into_bytes();
    bad_utf8.extend_from_slice(b"\xff\xfe\xc3\x28 invalid UTF-8\"}");
    push(
        Hostility::NotJson("invalid-utf8"),
        "bytes that are not UTF-8 inside a string",
        bad_utf8,
    );
    let mut bom = b"\xef\xbb\xbf".to_vec();
    bom.extend_from_slice(&body);
    push(
        Hostility::NotJson("byte-order-mark"),
        "a valid body after a UTF-8 byte-order mark",
        bom,
    );
    let mut nul = body.clone();
    nul.insert(1.min(nul.len()), 0);
    push(
        Hostility::NotJson("nul-byte"),
        "a NUL byte after the opening brace",
        nul,
    );
    push(
        Hostility::NotJson("xml"),
        "XML",
        format!("<?xml version=\"1.0\"?><webhook><event>{event}</event></webhook>").into_bytes(),
    );
    push(
        Hostility::NotJson("form"),
        "a form-encoded body",
        format!("payload=%7B%22event%22%3A%22{event}%22%7D").into_bytes(),
    );
    let mut array = b"[".to_vec();
    array.extend_from_slice(&body);
    array.push(b']');
    push(
        Hostility::NotObject("array"),
        "a valid payload inside an array",
        array,
    );
    push(Hostility::NotObject("null"), "null", b"null".to_vec());
    push(
        Hostility::NotObject("string"),
        "a JSON string",
        format!("\"{event}\"").into_bytes(),
    );
    out
}

/// Compact JSON where every character of every string and key is written as `\uXXXX` (astral characters
/// as surrogate pairs): legal JSON for the same value, which only a real parser reads right.
fn escape_everything(v: &Value) -> Vec<u8> {
    fn string(s: &str, out: &mut String) {
        out.push('"');
        let mut units = [0u16; 2];
        for c in s.chars() {
            for u in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{u:04x}"));
            }
        }
        out.push('"');
    }
    fn value(v: &Value, out: &mut String) {
        match v {
            Value::String(s) => string(s, out),
            Value::Array(a) => {
                out.push('[');
                for (i, x) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    value(x, out);
                }
                out.push(']');
            }
            Value::Object(m) => {
                out.push('{');
                for (i, (k, x)) in m.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    string(k, out);
                    out.push(':');
                    value(x, out);
                }
                out.push('}');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    let mut out = String::new();
    value(v, &mut out);
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_everything_keeps_the_value() {
        let v = json!({"event": "contact_created", "name": "Ana 😀 \"x\"\n", "n": [1, null, true, 2.5]});
        let bytes = escape_everything(&v);
        assert!(!String::from_utf8_lossy(&bytes).contains("event"));
        assert_eq!(serde_json::from_slice::<Value>(&bytes).unwrap(), v);
    }

    #[test]
    fn nesting_is_as_deep_as_asked() {
        fn depth(v: &Value) -> usize {
            match v {
                Value::Array(a) => 1 + a.iter().map(depth).max().unwrap_or(0),
                Value::Object(m) => 1 + m.values().map(depth).max().unwrap_or(0),
                _ => 0,
            }
        }
        assert_eq!(depth(&nested(10)), 11);
    }
}

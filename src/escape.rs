//! Showing values that came from a payload or a request to a person, safely.
//!
//! Anything a sender controls (an event name, a path, a header value, a JSON key) may carry a newline that
//! forges a report line, an escape sequence that rewrites the terminal, or a bidirectional override that
//! reorders what is shown. Human output passes such text through [`text`] (or [`bytes`]), which writes those
//! characters as visible escapes (`\n`, `\u{1b}`) and leaves everything else alone. JSON output needs no
//! such step: its strings are escaped by the JSON encoder (and read by programs).
use std::borrow::Cow;

/// Whether `c` must not reach a terminal as-is: control characters (C0, DEL, C1), the Unicode line and
/// paragraph separators, and the bidirectional and zero-width formatting characters.
pub fn is_hazard(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}'
        )
}

/// `s` with every [`is_hazard`] character escaped (`\n`, `\r`, `\t`, `\\`-free `\u{..}` for the rest);
/// borrowed when there is nothing to escape.
///
/// ```
/// use hookcheck::escape::text;
/// assert_eq!(text("message_created"), "message_created");
/// assert_eq!(text("x\n#9 ok\u{1b}[2J"), "x\\n#9 ok\\u{1b}[2J");
/// ```
pub fn text(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_hazard) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        push(&mut out, c);
    }
    Cow::Owned(out)
}

fn push(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if is_hazard(c) => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
        c => out.push(c),
    }
}

/// Raw bytes shown as text: valid UTF-8 as in [`text`], every invalid byte as `\xNN`.
///
/// ```
/// assert_eq!(hookcheck::escape::bytes(b"a\xffb\n"), "a\\xffb\\n");
/// ```
pub fn bytes(b: &[u8]) -> String {
    let mut out = String::with_capacity(b.len());
    for chunk in b.utf8_chunks() {
        for c in chunk.valid().chars() {
            push(&mut out, c);
        }
        for x in chunk.invalid() {
            out.push_str(&format!("\\x{x:02x}"));
        }
    }
    out
}

/// [`text`] cut to at most `max` characters of the original (with `…` when cut), for values that may be
/// long.
pub fn short(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((end, _)) => format!("{}…", text(&s[..end])),
        None => text(s).into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hazards_are_escaped_and_nothing_else() {
        let shown = text("a\u{202e}b\u{2028}c\u{7f}d\u{85}é✓");
        assert_eq!(shown, "a\\u{202e}b\\u{2028}c\\u{7f}d\\u{85}é✓");
        assert!(!shown.chars().any(is_hazard));
        assert!(matches!(text("plain €"), Cow::Borrowed(_)));
        assert_eq!(short("abcdef", 3), "abc…");
        assert_eq!(short("a\nb", 5), "a\\nb");
    }
}

//! From a [`Node`] to a proptest strategy. Built by composition and `prop_map`, never by filtering valid
//! values out of a wider domain, so generation stays fast and shrinks well. The one filter keeps `oneOf`
//! branches exclusive.
use std::sync::Arc;

use proptest::{prelude::*, sample::select, strategy::Union};
use serde_json::{Map, Number, Value};
use time::OffsetDateTime;

use super::{
    coverage::{Coverage, Item},
    node::{Alt, Node, Object, Ty},
};
use crate::format;

/// A generated JSON value.
pub type ValueStrategy = BoxedStrategy<Value>;

/// Realistic names for the keys of `changed_attributes` entries and other schema-keyed maps.
pub(crate) const ATTRIBUTE_NAMES: &[&str] = &[
    "status",
    "assignee_id",
    "team_id",
    "priority",
    "updated_at",
    "snoozed_until",
    "custom_attributes",
    "label_list",
    "waiting_since",
    "first_reply_created_at",
    "name",
    "email",
    "phone_number",
];

/// Keys a fork might add to a free-form object.
pub(crate) const EXTRA_KEYS: &[&str] =
    &["plan", "source", "tier", "utm_campaign", "crm_id", "locale"];

fn child(path: &str, key: &str) -> String {
    format!("{path}/{}", key.replace('~', "~0").replace('/', "~1"))
}

/// Builds the strategy for `node` at instance path `path` (used for coverage).
pub fn node_strategy(node: &Node, path: &str, cov: &Option<Arc<Coverage>>) -> ValueStrategy {
    let many = node.alts.len() > 1;
    let alts: Vec<ValueStrategy> = node
        .alts
        .iter()
        .map(|a| {
            let s = alt_strategy(a, path, cov);
            match cov {
                Some(c) if many => {
                    let item = Item::Branch {
                        path: path.to_string(),
                        label: a.label.clone(),
                    };
                    c.expect(item.clone());
                    let c = c.clone();
                    s.prop_map(move |v| {
                        c.record(item.clone());
                        v
                    })
                    .boxed()
                }
                _ => s,
            }
        })
        .collect();
    let s = match alts.len() {
        0 => Just(Value::Null)
            .prop_filter("no valid value", |_| false)
            .boxed(),
        1 => alts
            .into_iter()
            .next()
            .unwrap_or_else(|| Just(Value::Null).boxed()),
        _ => Union::new(alts).boxed(),
    };
    match &node.exclusive {
        Some(branches) => {
            let branches = branches.clone();
            s.prop_filter("oneOf: the value must match exactly one branch", move |v| {
                branches.iter().filter(|b| b.accepts(v)).count() == 1
            })
            .boxed()
        }
        None => s,
    }
}

fn alt_strategy(alt: &Alt, path: &str, cov: &Option<Arc<Coverage>>) -> ValueStrategy {
    if let Some(values) = &alt.values {
        if let Some(c) = cov {
            for v in values {
                c.expect(Item::Enum {
                    path: path.to_string(),
                    value: v.to_string(),
                });
            }
        }
        let s = select(values.clone());
        return match cov {
            Some(c) => {
                let (c, path) = (c.clone(), path.to_string());
                s.prop_map(move |v| {
                    c.record(Item::Enum {
                        path: path.clone(),
                        value: v.to_string(),
                    });
                    v
                })
                .boxed()
            }
            None => s.boxed(),
        };
    }
    match &alt.ty {
        Ty::Null => Just(Value::Null).boxed(),
        Ty::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Ty::Integer { min, max, format } => integer(*min, *max, format.as_deref()),
        Ty::Number { min, max, format } => number(*min, *max, format.as_deref()),
        Ty::String {
            format,
            pattern,
            min_len,
            max_len,
        } => string(format.as_deref(), pattern.as_deref(), *min_len, *max_len),
        Ty::Array {
            items,
            prefix,
            min,
            max,
        } => {
            let (rest_min, rest_max) = array_rest_domain(*min, *max, prefix.len());
            let scalar = Node::scalar();
            let items: &Node = items.as_deref().unwrap_or(&scalar);
            let item = node_strategy(items, &child(path, "*"), cov);
            let prefix: Vec<ValueStrategy> = prefix
                .iter()
                .enumerate()
                .map(|(i, n)| node_strategy(n, &child(path, &i.to_string()), cov))
                .collect();
            let rest = if items.is_never() {
                Just(Vec::new()).boxed()
            } else {
                proptest::collection::vec(item, rest_min..=rest_max).boxed()
            };
            (prefix, rest)
                .prop_map(|(mut p, r)| {
                    p.extend(r);
                    Value::Array(p)
                })
                .boxed()
        }
        Ty::Object(o) => {
            let mut parts: Vec<BoxedStrategy<Option<(String, Value)>>> = Vec::new();
            for (k, n) in &o.props {
                if n.is_never() {
                    continue;
                }
                let p = child(path, k);
                let s = node_strategy(n, &p, cov);
                let key = k.clone();
                if o.required.contains(k) {
                    parts.push(s.prop_map(move |v| Some((key.clone(), v))).boxed());
                } else {
                    if let Some(c) = cov {
                        c.expect(Item::Optional {
                            path: p.clone(),
                            present: true,
                        });
                        c.expect(Item::Optional {
                            path: p.clone(),
                            present: false,
                        });
                    }
                    let c = cov.clone();
                    parts.push(
                        proptest::option::weighted(0.6, s)
                            .prop_map(move |v| {
                                if let Some(c) = &c {
                                    c.record(Item::Optional {
                                        path: p.clone(),
                                        present: v.is_some(),
                                    });
                                }
                                v.map(|v| (key.clone(), v))
                            })
                            .boxed(),
                    );
                }
            }
            let declared: Vec<String> = o.props.iter().map(|(k, _)| k.clone()).collect();
            let extras: BoxedStrategy<Vec<(String, Value)>> = match &o.additional {
                // Free-form objects sometimes get keys a fork would add, so consumers are tested for tolerance.
                Some(None) => {
                    let names: Vec<&'static str> = EXTRA_KEYS
                        .iter()
                        .copied()
                        .filter(|k| !declared.iter().any(|d| d == k))
                        .collect();
                    proptest::sample::subsequence(names, 0..=2)
                        .prop_flat_map(|keys| {
                            let vals: Vec<ValueStrategy> =
                                keys.iter().map(|_| small_value()).collect();
                            (Just(keys), vals)
                        })
                        .prop_map(|(keys, vals)| {
                            keys.into_iter().map(str::to_string).zip(vals).collect()
                        })
                        .boxed()
                }
                Some(Some(schema)) if !schema.is_never() => {
                    let (lo, hi) = attribute_count_domain(o);
                    let names: Vec<&'static str> = ATTRIBUTE_NAMES
                        .iter()
                        .copied()
                        .filter(|k| !declared.iter().any(|d| d == k))
                        .collect();
                    let value = node_strategy(schema, &child(path, "*"), cov);
                    proptest::sample::subsequence(names, lo..=hi)
                        .prop_flat_map(move |keys| {
                            let vals: Vec<ValueStrategy> =
                                keys.iter().map(|_| value.clone()).collect();
                            (Just(keys), vals)
                        })
                        .prop_map(|(keys, vals)| {
                            keys.into_iter().map(str::to_string).zip(vals).collect()
                        })
                        .boxed()
                }
                _ => Just(Vec::new()).boxed(),
            };
            (parts, extras)
                .prop_map(|(parts, extras)| {
                    let mut m = Map::new();
                    for (k, v) in parts.into_iter().flatten().chain(extras) {
                        m.insert(k, v);
                    }
                    Value::Object(m)
                })
                .boxed()
        }
    }
}

/// A small JSON value for free-form keys.
fn small_value() -> ValueStrategy {
    prop_oneof![
        select(WORDS).prop_map(|w| Value::String(w.to_string())),
        (0i64..10_000).prop_map(Value::from),
        any::<bool>().prop_map(Value::Bool),
        Just(Value::Null),
    ]
    .boxed()
}

/// Words for generated text: plain, capitalised, and some that stress consumers (markup that ActiveSupport
/// escapes, non-ASCII, U+2028, emoji, quotes).
pub(crate) const WORDS: &[&str] = &[
    "hi",
    "order",
    "refund",
    "Ana",
    "Silva",
    "support",
    "delivery",
    "invoice",
    "status",
    "olá",
    "obrigado",
    "São Paulo",
    "München",
    "日本",
    "😀",
    "<b>bold</b>",
    "R&D",
    "\"quoted\"",
    "line\u{2028}sep",
    "tab\there",
    "https://example.com/a?b=1&c=2",
    "acme-inc",
    "x_custom",
    "Über",
    "naïve",
    "",
];

/// A browser `Date().toString()` for Unix second `s` in `zone` (name, offset in minutes), the zone name
/// in parentheses when `named`. Shared with the sampler, so both draw the same forms.
pub(crate) fn js_date(s: i64, (zone, minutes): (&str, i16), named: bool) -> Value {
    let offset = time::UtcOffset::from_whole_seconds(i32::from(minutes) * 60)
        .unwrap_or(time::UtcOffset::UTC);
    let t = OffsetDateTime::from_unix_timestamp(s)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .to_offset(offset);
    let d = format::JsDate {
        datetime: t,
        zone_name: named.then(|| zone.to_string()),
    };
    Value::String(format::format_js_date(&d))
}

/// What joins two words of generated text.
pub(crate) const SEPARATORS: &[&str] = &[" ", "_", "-", ". "];

/// Text built by composition (a few words joined by a separator), never by a regex: regex-driven string
/// strategies made generation five times slower. Shrinks towards the first word.
fn text() -> BoxedStrategy<String> {
    (
        select(WORDS),
        proptest::option::weighted(0.5, (select(WORDS), select(SEPARATORS))),
    )
        .prop_map(|(a, rest)| match rest {
            Some((b, sep)) => format!("{a}{sep}{b}"),
            None => a.to_string(),
        })
        .boxed()
}

pub(crate) const UNIX_LO: i64 = 1_600_000_000; // 2020-09
pub(crate) const UNIX_HI: i64 = 1_900_000_000; // 2030-03

// The domains below are shared with the sampler (`sample.rs`), so that both draw from the same ranges.

/// An integer schema's domain: `[lo, hi]`, and `[lo, realistic]` where most values are drawn.
pub(crate) struct IntegerDomain {
    pub(crate) lo: i64,
    pub(crate) hi: i64,
    pub(crate) realistic_hi: i64,
}

pub(crate) fn integer_domain(min: Option<i64>, max: Option<i64>) -> IntegerDomain {
    let lo = min.unwrap_or(-1_000);
    let hi = max.unwrap_or(lo.saturating_add(100_000)).max(lo);
    IntegerDomain {
        lo,
        hi,
        realistic_hi: hi.min(lo.saturating_add(100_000)),
    }
}

/// `unix-seconds`: the realistic range within `[lo, hi]`, and the value standing for "unset" (0 when allowed).
pub(crate) fn unix_seconds_domain(d: &IntegerDomain) -> (i64, i64, i64) {
    let (a, b) = (UNIX_LO.clamp(d.lo, d.hi), UNIX_HI.clamp(d.lo, d.hi));
    let zero = if d.lo <= 0 && 0 <= d.hi { 0 } else { d.lo };
    (a, b, zero)
}

/// A number schema's `[lo, hi]` (the realistic Unix range for `unix-float`).
pub(crate) fn number_domain(
    min: Option<f64>,
    max: Option<f64>,
    format: Option<&str>,
) -> (f64, f64) {
    let lo = min.unwrap_or(-1e6);
    let hi = max.unwrap_or(lo + 1e6).max(lo);
    if format == Some(format::UNIX_FLOAT) {
        (
            (UNIX_LO as f64).clamp(lo, hi),
            (UNIX_HI as f64).clamp(lo, hi),
        )
    } else {
        (lo, hi)
    }
}

/// The whole part of `x` plus `micro` millionths, as JSON.
pub(crate) fn with_micros(x: f64, micro: u32) -> Value {
    let v = (x.trunc() + f64::from(micro) / 1e6).clamp(x.trunc(), x.trunc() + 0.999_999);
    Number::from_f64(v).map_or(Value::Null, Value::Number)
}

/// How many items an array gets after its `prefixItems`: `[rest_min, rest_max]` (at most two beyond
/// `minItems`).
pub(crate) fn array_rest_domain(min: u64, max: Option<u64>, prefix: usize) -> (usize, usize) {
    let hi = max.unwrap_or(min + 2).min(min + 2);
    let rest_min = min.saturating_sub(prefix as u64) as usize;
    (rest_min, (hi as usize).saturating_sub(prefix).max(rest_min))
}

/// How many schema-keyed extra keys (`additionalProperties: {schema}`) an object gets: `[lo, hi]`.
pub(crate) fn attribute_count_domain(o: &Object) -> (usize, usize) {
    let lo = o
        .min_props
        .unwrap_or(0)
        .saturating_sub(o.props.len() as u64) as usize;
    let hi = o
        .max_props
        .map_or(lo + 2, |m| {
            m.saturating_sub(o.required.len() as u64) as usize
        })
        .max(lo);
    (lo, hi.min(lo + 3))
}

/// `iso8601-ms-utc` for Unix second `s` plus `ms` milliseconds.
pub(crate) fn iso8601(s: i64, ms: i64) -> Value {
    let t = OffsetDateTime::from_unix_timestamp(s).unwrap_or(OffsetDateTime::UNIX_EPOCH)
        + time::Duration::milliseconds(ms);
    Value::String(format::format_iso8601_ms_utc(t))
}

/// A string schema's length bounds `[lo, hi]`.
pub(crate) fn length_domain(min_len: u64, max_len: Option<u64>) -> (usize, usize) {
    let lo = min_len as usize;
    (lo, max_len.map_or(lo + 24, |m| m as usize).max(lo))
}

/// `s` cut to `hi` characters and padded with `x` to `lo`.
pub(crate) fn fit(s: &str, lo: usize, hi: usize) -> Value {
    let mut chars: Vec<char> = s.chars().take(hi).collect();
    while chars.len() < lo {
        chars.push('x');
    }
    Value::String(chars.into_iter().collect())
}

fn integer(min: Option<i64>, max: Option<i64>, format: Option<&str>) -> ValueStrategy {
    let d = integer_domain(min, max);
    if format == Some(format::UNIX_SECONDS) {
        let (a, b, zero) = unix_seconds_domain(&d);
        return prop_oneof![1 => Just(zero), 9 => a..=b]
            .prop_map(Value::from)
            .boxed();
    }
    // The range comes first so that shrinking can move a value from a boundary back into it; only bounds
    // the schema states are offered as boundary values (an invented upper bound would not shrink away).
    let IntegerDomain {
        lo,
        hi,
        realistic_hi,
    } = d;
    match (min, max) {
        (Some(_), Some(_)) => prop_oneof![8 => lo..=realistic_hi, 1 => Just(lo), 1 => Just(hi)]
            .prop_map(Value::from)
            .boxed(),
        (Some(_), None) => prop_oneof![9 => lo..=realistic_hi, 1 => Just(lo)]
            .prop_map(Value::from)
            .boxed(),
        _ => (lo..=realistic_hi).prop_map(Value::from).boxed(),
    }
}

fn number(min: Option<f64>, max: Option<f64>, format: Option<&str>) -> ValueStrategy {
    let (lo, hi) = number_domain(min, max, format);
    (lo..=hi, 0u32..1_000_000)
        .prop_map(|(x, micro)| with_micros(x, micro))
        .boxed()
}

fn string(
    format: Option<&str>,
    pattern: Option<&str>,
    min_len: u64,
    max_len: Option<u64>,
) -> ValueStrategy {
    match format {
        Some(format::ISO8601_MS_UTC) => (UNIX_LO..UNIX_HI, 0i64..1000)
            .prop_map(|(s, ms)| iso8601(s, ms))
            .boxed(),
        Some(format::JS_DATE) => (
            UNIX_LO..UNIX_HI,
            select(format::JS_ZONE_NAMES.to_vec()),
            proptest::bool::weighted(0.9),
        )
            .prop_map(|(s, zone, named)| js_date(s, zone, named))
            .boxed(),
        _ => {
            if let Some(p) = pattern {
                if let Ok(s) = proptest::string::string_regex(p) {
                    return s.prop_map(Value::String).boxed();
                }
            }
            let (lo, hi) = length_domain(min_len, max_len);
            text().prop_map(move |s: String| fit(&s, lo, hi)).boxed()
        }
    }
}

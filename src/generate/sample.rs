//! A fast sampler over the same [`Node`]s as [`strategy`](super::strategy), for bulk generation.
//!
//! proptest builds a value *tree* for every draw (each node boxed, with its shrinking state), which is
//! right for property tests and four to eight times too slow for `hookcheck generate` on large events.
//! [`Sampler`] walks the [`Node`] once per value with a small deterministic RNG and makes the same choices
//! as the strategy: the same alternatives, enum values, bounds, formats, word list, optional-key odds,
//! array lengths and extra keys. It cannot shrink. `tests/it/generate.rs` holds it to the strategy's
//! properties: every payload conforms, and it exercises every coverage item the strategy does.
//!
//! ```
//! use hookcheck::{generate::Generator, Catalog, EventName, Options};
//! let catalog = Catalog::shared()?;
//! let g = Generator::new(catalog, hookcheck::Profile::Compat)?;
//! let mut sampler = g.sampler(1, EventName::MessageCreated);
//! let payload = sampler.next_value()?;
//! assert!(catalog.validate_value(&payload, &Options::default()).conforms(false));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
use std::{collections::HashMap, hash::BuildHasherDefault};

use proptest::{
    strategy::{Strategy, ValueTree},
    test_runner::TestRunner,
};
use serde_json::{Map, Value};

use super::{
    coverage::{Coverage, Item, Steer},
    node::{Alt, Node, Object, Ty},
    strategy::{
        array_rest_domain, attribute_count_domain, fit, integer_domain, iso8601, js_date,
        length_domain, number_domain, unix_seconds_domain, with_micros, IntegerDomain,
        ATTRIBUTE_NAMES, EXTRA_KEYS, SEPARATORS, UNIX_HI, UNIX_LO, WORDS,
    },
    GenerateError,
};
use crate::{event::EventName, format, semantic};

/// How many draws a `oneOf` may reject before the sampler gives up (the strategy's filter allows more,
/// but the schemas' `oneOf` branches are disjoint by type or discriminator, so one draw almost always
/// does).
const ONE_OF_TRIES: usize = 64;

/// SplitMix64: tiny, fast, and the same sequence on every platform for a seed.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Rng(seed)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`), without modulo bias (Lemire's multiply-shift).
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Uniform in `lo..=hi`.
    fn int(&mut self, lo: i64, hi: i64) -> i64 {
        let span = (hi as i128 - lo as i128 + 1) as u128;
        let x = (u128::from(self.next_u64()) * span) >> 64;
        (lo as i128 + x as i128) as i64
    }

    /// True with probability `p`.
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// What the sampler needs per object schema that does not change between draws: which properties are
/// required, and the extra-key names that no property declares. Computed once per sampler, keyed by the
/// object's address in the (borrowed, immutable) node tree.
struct ObjectPlan {
    required: Vec<bool>,
    extra_keys: Vec<&'static str>,
    attribute_names: Vec<&'static str>,
}

/// A hasher for addresses: they are already unique, so one multiply spreads them.
#[derive(Default)]
struct AddressHasher(u64);

impl std::hash::Hasher for AddressHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 << 8 | u64::from(*b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_usize(&mut self, n: usize) {
        self.0 = (n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

type Plans = HashMap<usize, ObjectPlan, BuildHasherDefault<AddressHasher>>;

fn plan(o: &Object) -> ObjectPlan {
    let undeclared = |k: &&str| !o.props.iter().any(|(d, _)| d == k);
    ObjectPlan {
        required: o
            .props
            .iter()
            .map(|(k, _)| o.required.contains(k))
            .collect(),
        extra_keys: EXTRA_KEYS.iter().copied().filter(undeclared).collect(),
        attribute_names: ATTRIBUTE_NAMES.iter().copied().filter(undeclared).collect(),
    }
}

fn child_path(path: &str, key: &str) -> String {
    format!("{path}/{}", key.replace('~', "~0").replace('/', "~1"))
}

/// Answers of [`alt_reaches`] by the alternative's address: the node tree is owned (one node per
/// position), so an address stands for one place in one release shape, and the wanted items do not
/// change during a sampler's life.
type Reach = HashMap<usize, bool, BuildHasherDefault<AddressHasher>>;

/// Whether drawing `node` at `path` can record an item `steer` wants (the items the sampler records,
/// looked up without drawing; only subtrees with something wanted beneath are walked).
fn node_reaches(node: &Node, path: &str, steer: &Steer, memo: &mut Reach) -> bool {
    steer.wants_under(path)
        && node.alts.iter().any(|a| {
            (node.alts.len() > 1
                && steer.wants(&Item::Branch {
                    path: path.to_string(),
                    label: a.label.clone(),
                }))
                || alt_reaches(a, path, steer, memo)
        })
}

fn alt_reaches(alt: &Alt, path: &str, steer: &Steer, memo: &mut Reach) -> bool {
    let key = alt as *const Alt as usize;
    if let Some(&known) = memo.get(&key) {
        return known;
    }
    let r = alt_reaches_uncached(alt, path, steer, memo);
    memo.insert(key, r);
    r
}

fn alt_reaches_uncached(alt: &Alt, path: &str, steer: &Steer, memo: &mut Reach) -> bool {
    if let Some(values) = &alt.values {
        return values.iter().any(|v| {
            steer.wants(&Item::Enum {
                path: path.to_string(),
                value: v.to_string(),
            })
        });
    }
    match &alt.ty {
        Ty::Array { items, prefix, .. } => {
            prefix
                .iter()
                .enumerate()
                .any(|(i, n)| node_reaches(n, &child_path(path, &i.to_string()), steer, memo))
                || match items.as_deref() {
                    Some(n) => node_reaches(n, &child_path(path, "*"), steer, memo),
                    // Items of any type, as drawn below. A temporary node's address means nothing
                    // once it is dropped: its own memo.
                    None => node_reaches(
                        &Node::scalar(),
                        &child_path(path, "*"),
                        steer,
                        &mut Reach::default(),
                    ),
                }
        }
        Ty::Object(o) => {
            o.props.iter().any(|(k, n)| {
                let p = child_path(path, k);
                if !steer.wants_under(&p) || n.is_never() {
                    return false;
                }
                let optional = !o.required.contains(k);
                (optional
                    && [true, false].into_iter().any(|present| {
                        steer.wants(&Item::Optional {
                            path: p.clone(),
                            present,
                        })
                    }))
                    || node_reaches(n, &p, steer, memo)
            }) || matches!(&o.additional, Some(Some(n)) if node_reaches(n, &child_path(path, "*"), steer, memo))
        }
        _ => false,
    }
}

/// Draws valid payloads of one event, consistent across fields (see [`semantic::repair`]).
pub struct Sampler<'a> {
    /// One node per release shape (`compat` draws one per payload).
    nodes: Vec<&'a Node>,
    plans: Plans,
    event: EventName,
    rng: Rng,
    coverage: Option<&'a Coverage>,
    /// Items to aim at (the coverage phase of `fire`); requires `coverage`, which computes the paths.
    steer: Option<&'a Steer>,
    reach: Reach,
    /// For string `pattern`s without a format (none in the Chatwoot schemas today): proptest's regex
    /// generator, driven by a runner seeded from the same seed.
    regex: Option<TestRunner>,
    seed: u64,
    /// Which of `nodes` the last payload was drawn from.
    last_shape: Option<usize>,
}

impl<'a> Sampler<'a> {
    pub(crate) fn new(nodes: Vec<&'a Node>, event: EventName, seed: u64) -> Self {
        Sampler {
            nodes,
            plans: Plans::default(),
            event,
            rng: Rng::new(seed ^ 0x6865_6c6c_6f63_6877),
            coverage: None,
            steer: None,
            reach: Reach::default(),
            regex: None,
            seed,
            last_shape: None,
        }
    }

    /// Records what each drawn value exercises into `coverage`.
    pub fn with_coverage(mut self, coverage: &'a Coverage) -> Self {
        self.coverage = Some(coverage);
        self
    }

    /// Records into `coverage` as [`with_coverage`](Self::with_coverage), and aims every choice at
    /// what `steer` still wants: a few draws reach what random draws reach in thousands. The payloads
    /// stay valid; only the choices among valid ones change.
    pub fn steered(mut self, coverage: &'a Coverage, steer: &'a Steer) -> Self {
        self.coverage = Some(coverage);
        self.steer = Some(steer);
        self
    }

    /// The release shape (an index into [`Generator::shapes`](super::Generator::shapes)) the last
    /// payload was drawn from: under `compat`, which releases it stands for.
    pub fn last_shape(&self) -> Option<usize> {
        self.last_shape
    }

    /// The next payload.
    ///
    /// # Errors
    /// A `oneOf` rejected 64 draws in a row (a schema whose branches overlap almost
    /// everywhere).
    pub fn next_value(&mut self) -> Result<Value, GenerateError> {
        let node = match self.nodes.as_slice() {
            [] => {
                return Err(GenerateError::Exhausted {
                    event: self.event,
                    reason: "the profile's releases do not send this event".into(),
                })
            }
            [one] => {
                self.last_shape = Some(0);
                *one
            }
            many => {
                let mut i = self.rng.below(many.len());
                if let Some(steer) = self.steer {
                    // A release shape that still has something wanted (an item only old releases send).
                    let aimed: Vec<usize> = steer
                        .shapes()
                        .iter()
                        .copied()
                        .filter(|&k| k < many.len())
                        .collect();
                    if !aimed.is_empty() {
                        i = aimed[self.rng.below(aimed.len())];
                    }
                }
                self.last_shape = Some(i);
                many[i]
            }
        };
        let mut v = self
            .node(node, "")
            .ok_or_else(|| GenerateError::Exhausted {
                event: self.event,
                reason: format!("a oneOf rejected {ONE_OF_TRIES} draws in a row"),
            })?;
        semantic::repair(self.event, &mut v);
        Ok(v)
    }

    fn child(&self, path: &str, key: &str) -> String {
        // Paths only matter for coverage; without it, no allocation.
        match self.coverage {
            Some(_) => child_path(path, key),
            None => String::new(),
        }
    }

    fn record(&self, item: impl FnOnce() -> Item) {
        if let Some(c) = self.coverage {
            c.record(item());
        }
    }

    fn node(&mut self, node: &Node, path: &str) -> Option<Value> {
        if node.alts.is_empty() {
            return None;
        }
        for attempt in 0..ONE_OF_TRIES {
            let alt = match self.steer {
                // Aim at an unseen branch, or else one that leads to something wanted, for half the
                // tries: a branch that is never exclusive must not exhaust them.
                Some(steer) if node.alts.len() > 1 && attempt < ONE_OF_TRIES / 2 => {
                    let branch = |a: &&Alt| {
                        steer.wants(&Item::Branch {
                            path: path.to_string(),
                            label: a.label.clone(),
                        })
                    };
                    let mut wanted: Vec<&Alt> = node.alts.iter().filter(branch).collect();
                    if wanted.is_empty() && steer.wants_under(path) {
                        wanted = node
                            .alts
                            .iter()
                            .filter(|a| alt_reaches(a, path, steer, &mut self.reach))
                            .collect();
                    }
                    if wanted.is_empty() {
                        self.rng.pick(&node.alts)
                    } else {
                        *self.rng.pick(&wanted)
                    }
                }
                _ => self.rng.pick(&node.alts),
            };
            let v = self.alt(alt, path)?;
            let exclusive = node
                .exclusive
                .as_ref()
                .is_none_or(|branches| branches.iter().filter(|b| b.accepts(&v)).count() == 1);
            if exclusive {
                // As the strategy, a branch counts once its value is kept.
                if node.alts.len() > 1 {
                    self.record(|| Item::Branch {
                        path: path.to_string(),
                        label: alt.label.clone(),
                    });
                }
                return Some(v);
            }
        }
        None
    }

    fn alt(&mut self, alt: &Alt, path: &str) -> Option<Value> {
        if let Some(values) = &alt.values {
            if values.is_empty() {
                return None;
            }
            let v = match self.steer {
                Some(steer) => {
                    let wanted: Vec<&Value> = values
                        .iter()
                        .filter(|v| {
                            steer.wants(&Item::Enum {
                                path: path.to_string(),
                                value: v.to_string(),
                            })
                        })
                        .collect();
                    if wanted.is_empty() {
                        self.rng.pick(values).clone()
                    } else {
                        (*self.rng.pick(&wanted)).clone()
                    }
                }
                None => self.rng.pick(values).clone(),
            };
            self.record(|| Item::Enum {
                path: path.to_string(),
                value: v.to_string(),
            });
            return Some(v);
        }
        Some(match &alt.ty {
            Ty::Null => Value::Null,
            Ty::Bool => Value::Bool(self.rng.chance(0.5)),
            Ty::Integer { min, max, format } => self.integer(*min, *max, format.as_deref()),
            Ty::Number { min, max, format } => self.number(*min, *max, format.as_deref()),
            Ty::String {
                format,
                pattern,
                min_len,
                max_len,
            } => self.string(format.as_deref(), pattern.as_deref(), *min_len, *max_len),
            Ty::Array {
                items,
                prefix,
                min,
                max,
            } => {
                let (rest_min, rest_max) = array_rest_domain(*min, *max, prefix.len());
                let mut out = Vec::new();
                for (i, n) in prefix.iter().enumerate() {
                    let p = self.child(path, &i.to_string());
                    out.push(self.node(n, &p)?);
                }
                let scalar;
                let items: &Node = match items.as_deref() {
                    Some(n) => n,
                    None => {
                        scalar = Node::scalar();
                        &scalar
                    }
                };
                if !items.is_never() {
                    let mut n = self.rng.int(rest_min as i64, rest_max as i64) as usize;
                    let p = self.child(path, "*");
                    if self.steer.is_some_and(|s| s.wants_under(&p)) {
                        n = n.max(1).min(rest_max);
                    }
                    for _ in 0..n {
                        out.push(self.node(items, &p)?);
                    }
                }
                Value::Array(out)
            }
            Ty::Object(o) => {
                let key = o as *const Object as usize;
                self.plans.entry(key).or_insert_with(|| plan(o));
                let mut m = Map::with_capacity(o.props.len() + 2);
                for (i, (k, n)) in o.props.iter().enumerate() {
                    if n.is_never() {
                        continue;
                    }
                    let p = self.child(path, k);
                    if self.plans.get(&key).is_some_and(|plan| plan.required[i]) {
                        let v = self.node(n, &p)?;
                        m.insert(k.clone(), v);
                    } else {
                        let mut present = self.rng.chance(0.6);
                        if let Some(steer) = self.steer {
                            let wants = |present| {
                                steer.wants(&Item::Optional {
                                    path: p.clone(),
                                    present,
                                })
                            };
                            present = if wants(true) {
                                true
                            } else if wants(false) {
                                false
                            } else {
                                present || steer.wants_under(&p)
                            };
                        }
                        if present {
                            let v = self.node(n, &p)?;
                            m.insert(k.clone(), v);
                        }
                        self.record(|| Item::Optional {
                            path: p.clone(),
                            present,
                        });
                    }
                }
                match &o.additional {
                    // Free-form objects sometimes get keys a fork would add.
                    Some(None) => {
                        let n = self.plans.get(&key).map_or(0, |p| p.extra_keys.len());
                        for i in self.subsequence(n, 0, 2) {
                            let v = self.small_value();
                            if let Some(k) = self.plans.get(&key).map(|p| p.extra_keys[i]) {
                                m.insert(k.to_string(), v);
                            }
                        }
                    }
                    Some(Some(schema)) if !schema.is_never() => {
                        let (lo, hi) = attribute_count_domain(o);
                        let n = self.plans.get(&key).map_or(0, |p| p.attribute_names.len());
                        let p = self.child(path, "*");
                        for i in self.subsequence(n, lo, hi) {
                            let v = self.node(schema, &p)?;
                            if let Some(k) = self.plans.get(&key).map(|p| p.attribute_names[i]) {
                                m.insert(k.to_string(), v);
                            }
                        }
                    }
                    _ => {}
                }
                Value::Object(m)
            }
        })
    }

    /// The indices (ascending) of a random subsequence of `lo..=hi` of `len` items, as
    /// `proptest::sample::subsequence`.
    fn subsequence(&mut self, len: usize, lo: usize, hi: usize) -> Vec<usize> {
        let hi = hi.min(len);
        let lo = lo.min(hi);
        let n = self.rng.int(lo as i64, hi as i64) as usize;
        // Selection sampling (Knuth's algorithm S): each subset of size n equally likely.
        let mut out = Vec::with_capacity(n);
        let mut needed = n;
        for i in 0..len {
            if needed > 0 && self.rng.below(len - i) < needed {
                out.push(i);
                needed -= 1;
            }
        }
        out
    }

    fn small_value(&mut self) -> Value {
        match self.rng.below(4) {
            0 => Value::String(self.rng.pick(WORDS).to_string()),
            1 => Value::from(self.rng.int(0, 9_999)),
            2 => Value::Bool(self.rng.chance(0.5)),
            _ => Value::Null,
        }
    }

    fn text(&mut self) -> String {
        let a = *self.rng.pick(WORDS);
        if self.rng.chance(0.5) {
            let b = *self.rng.pick(WORDS);
            let sep = *self.rng.pick(SEPARATORS);
            format!("{a}{sep}{b}")
        } else {
            a.to_string()
        }
    }

    fn integer(&mut self, min: Option<i64>, max: Option<i64>, format: Option<&str>) -> Value {
        let d = integer_domain(min, max);
        if format == Some(format::UNIX_SECONDS) {
            let (a, b, zero) = unix_seconds_domain(&d);
            return Value::from(if self.rng.below(10) == 0 {
                zero
            } else {
                self.rng.int(a, b)
            });
        }
        let IntegerDomain {
            lo,
            hi,
            realistic_hi,
        } = d;
        let roll = self.rng.below(10);
        Value::from(match (min, max) {
            (Some(_), Some(_)) if roll == 8 => lo,
            (Some(_), Some(_)) if roll == 9 => hi,
            (Some(_), None) if roll == 9 => lo,
            _ => self.rng.int(lo, realistic_hi),
        })
    }

    fn number(&mut self, min: Option<f64>, max: Option<f64>, format: Option<&str>) -> Value {
        let (lo, hi) = number_domain(min, max, format);
        let x = lo + (hi - lo) * self.rng.unit();
        with_micros(x, self.rng.below(1_000_000) as u32)
    }

    fn string(
        &mut self,
        format: Option<&str>,
        pattern: Option<&str>,
        min_len: u64,
        max_len: Option<u64>,
    ) -> Value {
        match format {
            Some(format::ISO8601_MS_UTC) => {
                let s = self.rng.int(UNIX_LO, UNIX_HI - 1);
                iso8601(s, self.rng.int(0, 999))
            }
            Some(format::JS_DATE) => {
                let s = self.rng.int(UNIX_LO, UNIX_HI - 1);
                let zone = *self.rng.pick(format::JS_ZONE_NAMES);
                let named = self.rng.chance(0.9);
                js_date(s, zone, named)
            }
            _ => {
                if let Some(p) = pattern {
                    if let Some(s) = self.regex_string(p) {
                        return Value::String(s);
                    }
                }
                let (lo, hi) = length_domain(min_len, max_len);
                let text = self.text();
                fit(&text, lo, hi)
            }
        }
    }

    fn regex_string(&mut self, pattern: &str) -> Option<String> {
        let strategy = proptest::string::string_regex(pattern).ok()?;
        let seed = self.seed;
        let event = self.event;
        let runner = self.regex.get_or_insert_with(|| super::runner(seed, event));
        strategy.new_tree(runner).ok().map(|t| t.current())
    }
}

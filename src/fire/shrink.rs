//! Shrinking: the smallest payload that still fails the same way (same rule, same status class).
//!
//! A JSON-level reducer, held to the contract: every candidate of a valid case is repaired for the
//! cross-field rules ([`semantic::repair`]) and must still conform to the profile
//! (the compile-time verdict, which [`Catalog::validate_value`] agrees with); required keys are never
//! removed. Each round proposes reductions of the current payload (drop every optional key at once, half
//! the keys of an object, one key; drop half a list or one item; empty an object or a list; cut a string
//! to a half, three quarters or seven eighths; zero a number; `null`, the shortest enum value or
//! timestamp where the schema allows it), biggest first, and sends them in parallel batches; the smallest failing one is
//! adopted, and the failing ones of a batch are also tried combined. Reductions that made the failure
//! disappear are tried last in later rounds.
//!
//! At the fixpoint (no reduction still fails) every remaining valid reduction makes the failure go away:
//! their JSON Pointers, with probes that replace each remaining `null` by a non-null value, are what the
//! failure needs ([`Shrunk::kept`]).
//!
//! A reducer rather than proptest's value trees: the oracle is a consumer over HTTP, asked in parallel
//! batches, which value trees (one `simplify` at a time) cannot do; and a reducer starts from any payload
//! (examples, coverage, a saved delivery), not only from one the strategy drew. BENCHMARKS.md compares
//! the sizes both reach on the same failure.
use std::collections::HashSet;

use serde::Serialize;
use serde_json::Value;

use super::tree::{alt_of, applied, node_at, Edit};
use crate::{
    event::EventName,
    finding::shorten,
    generate::{
        node::{Node, Ty},
        sample::Sampler,
        Generator,
    },
    profile::Profile,
    semantic,
    signature::activesupport_json,
    Catalog,
};

/// Default bound on the deliveries spent shrinking one failure.
pub const MAX_SENDS: usize = 2_000;

/// What shrinking did to one failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Shrunk {
    /// Body size before, in bytes.
    pub before_bytes: usize,
    /// Body size after, in bytes.
    pub after_bytes: usize,
    /// Candidates tried (deliveries sent, for a campaign).
    pub tests: usize,
    /// Whether the reducer reached its fixpoint (false: the budget or `--max-time` ran out first).
    pub complete: bool,
    /// Whether every candidate was held to the contract (a valid case stays valid).
    pub contract: bool,
    /// What the failure needs: the JSON Pointers whose every reduction made the failure go away, with
    /// their value in the shrunk payload. Empty when any payload of the event fails.
    pub kept: Vec<Kept>,
}

/// One part of a shrunk payload the failure needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Kept {
    /// Where, as a JSON Pointer.
    pub pointer: String,
    /// The value there, as compact JSON shortened to 80 characters.
    pub value: String,
}

/// What candidates must satisfy.
#[derive(Clone, Copy)]
pub(crate) enum Rules<'a> {
    /// Valid payloads stay valid under the profile.
    Contract {
        catalog: &'a Catalog,
        generator: &'a Generator,
        profile: Profile,
        event: EventName,
    },
    /// Anything that is still a JSON object (hostile bodies).
    Json,
}

impl Rules<'_> {
    /// The schema that guides reductions of `v` (the release shape `v` is of, under `compat`).
    fn node(&self, v: &Value) -> Option<&Node> {
        match self {
            Rules::Contract {
                catalog,
                generator,
                event,
                ..
            } => Some(super::phases::shape(catalog, generator, *event, v)),
            Rules::Json => None,
        }
    }

    /// Repairs the cross-field rules and says whether the candidate is allowed.
    fn admit(&self, v: &mut Value) -> bool {
        match self {
            Rules::Contract {
                catalog,
                profile,
                event,
                ..
            } => {
                semantic::repair(*event, v);
                super::phases::conforms(catalog, *profile, v)
            }
            Rules::Json => v.is_object(),
        }
    }
}

/// A reduction not yet applied: what it does and how many bytes it should save.
#[derive(Debug, Clone)]
struct Proposal {
    /// What it does, e.g. `remove /a/b`; reductions that passed are remembered by it.
    key: String,
    pointer: String,
    edits: Vec<Edit>,
    saving: usize,
}

/// A reduction applied, repaired and admitted: ready to test.
#[derive(Debug, Clone)]
struct Cand {
    key: String,
    pointer: String,
    edits: Vec<Edit>,
    value: Value,
    body: Vec<u8>,
}

#[derive(Debug)]
enum Stage {
    Sweep,
    Combine(Cand),
    Probe(Vec<Cand>),
    Done,
}

/// The reducer as a state machine: [`Reducer::batch`] gives candidates to test, [`Reducer::feed`] takes
/// whether each still fails. The campaign asks the consumer; [`minimize`] asks a closure.
///
/// Each round lists the reductions of the current payload with the bytes each should save (from the
/// sizes of the subtrees involved), and applies them lazily, batch by batch, so a large payload is not
/// copied once per reduction.
pub(crate) struct Reducer<'a> {
    rules: Rules<'a>,
    current: Value,
    current_len: usize,
    before: usize,
    round: Vec<Proposal>,
    pos: usize,
    /// Hashes of the bodies proposed in this round (two reductions may give the same payload).
    seen: HashSet<u64>,
    batch: Vec<Cand>,
    /// Keys of reductions that passed (the failure went away) in an earlier round.
    passed: HashSet<String>,
    /// Pointers of the reductions that passed in the current round.
    round_passed: Vec<String>,
    stage: Stage,
    tests: usize,
    max_tests: usize,
    kept: Vec<String>,
    complete: bool,
}

fn encoded_len(v: &Value) -> usize {
    activesupport_json(v).len()
}

fn hash(bytes: &[u8]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    h.finish()
}

impl<'a> Reducer<'a> {
    pub(crate) fn new(rules: Rules<'a>, start: Value, max_tests: usize) -> Self {
        let len = encoded_len(&start);
        let mut r = Reducer {
            rules,
            current: start,
            current_len: len,
            before: len,
            round: Vec::new(),
            pos: 0,
            seen: HashSet::new(),
            batch: Vec::new(),
            passed: HashSet::new(),
            round_passed: Vec::new(),
            stage: Stage::Sweep,
            tests: 0,
            max_tests,
            kept: Vec::new(),
            complete: false,
        };
        r.start_round();
        r
    }

    /// The current (smallest failing) payload.
    pub(crate) fn current(&self) -> &Value {
        &self.current
    }

    /// The next candidates to test (at most `max`) with their encoded bodies, or `None` when shrinking
    /// is over.
    pub(crate) fn batch(&mut self, max: usize) -> Option<Vec<(Value, Vec<u8>)>> {
        if self.tests >= self.max_tests {
            self.stage = Stage::Done;
        }
        let max = max
            .max(1)
            .min(self.max_tests.saturating_sub(self.tests).max(1));
        self.batch = match &mut self.stage {
            Stage::Done => return None,
            Stage::Combine(c) => vec![c.clone()],
            Stage::Probe(p) => std::mem::take(p),
            Stage::Sweep => {
                let b = self.next_candidates(max);
                if b.is_empty() {
                    // A whole round and nothing failed: the fixpoint.
                    self.complete = true;
                    self.kept = std::mem::take(&mut self.round_passed);
                    let probes = self.probes();
                    if probes.is_empty() {
                        self.stage = Stage::Done;
                        return None;
                    }
                    self.stage = Stage::Probe(Vec::new());
                    probes
                } else {
                    b
                }
            }
        };
        self.tests += self.batch.len();
        Some(
            self.batch
                .iter()
                .map(|c| (c.value.clone(), c.body.clone()))
                .collect(),
        )
    }

    /// Applies the next proposals of the round until `max` are admitted (valid, smaller, new).
    fn next_candidates(&mut self, max: usize) -> Vec<Cand> {
        let mut out = Vec::new();
        while out.len() < max && self.pos < self.round.len() {
            let p = self.round[self.pos].clone();
            self.pos += 1;
            let mut value = applied(&self.current, &p.edits);
            if value == self.current || !self.rules.admit(&mut value) {
                continue;
            }
            let body = activesupport_json(&value);
            if body.len() >= self.current_len || !self.seen.insert(hash(&body)) {
                continue;
            }
            out.push(Cand {
                key: p.key,
                pointer: p.pointer,
                edits: p.edits,
                value,
                body,
            });
        }
        out
    }

    /// Whether each candidate of the last batch still fails the same way. Returns the index (in the
    /// batch) of the candidate that became the current payload, if one did.
    pub(crate) fn feed(&mut self, fails: &[bool]) -> Option<usize> {
        let batch = std::mem::take(&mut self.batch);
        match std::mem::replace(&mut self.stage, Stage::Sweep) {
            Stage::Done => {
                self.stage = Stage::Done;
                None
            }
            Stage::Probe(_) => {
                for (c, f) in batch.iter().zip(fails) {
                    if !f {
                        self.kept.push(c.pointer.clone());
                    }
                }
                self.stage = Stage::Done;
                None
            }
            Stage::Combine(_) => {
                let adopted = fails.first().copied().unwrap_or(false);
                if let (true, Some(c)) = (adopted, batch.into_iter().next()) {
                    self.adopt(c);
                }
                self.start_round();
                adopted.then_some(0)
            }
            Stage::Sweep => {
                let mut failing = Vec::new();
                for (i, (c, f)) in batch.iter().zip(fails).enumerate() {
                    if *f {
                        failing.push(i);
                    } else {
                        self.passed.insert(c.key.clone());
                        self.round_passed.push(c.pointer.clone());
                    }
                }
                let best = *failing.iter().min_by_key(|i| batch[**i].body.len())?;
                let previous = self.current.clone();
                self.adopt(batch[best].clone());
                // Several reductions failed: try them all at once, which is often smaller still.
                if failing.len() > 1 {
                    let edits: Vec<Edit> = failing
                        .iter()
                        .flat_map(|i| batch[*i].edits.iter().cloned())
                        .collect();
                    let mut value = applied(&previous, &edits);
                    if self.rules.admit(&mut value) {
                        let body = activesupport_json(&value);
                        if body.len() < self.current_len && value != self.current {
                            self.stage = Stage::Combine(Cand {
                                key: "combined".into(),
                                pointer: String::new(),
                                edits,
                                value,
                                body,
                            });
                            return Some(best);
                        }
                    }
                }
                self.start_round();
                Some(best)
            }
        }
    }

    fn adopt(&mut self, c: Cand) {
        self.current = c.value;
        self.current_len = c.body.len();
    }

    fn start_round(&mut self) {
        let event = match self.rules {
            Rules::Contract { event, .. } => Some(event),
            Rules::Json => None,
        };
        let mut round = reductions(self.rules.node(&self.current), event, &self.current);
        // Under `compat` a key the payload's own shape requires may be optional in another release's
        // shape (the contract decides in `admit`): those shapes' reductions are proposed too.
        if let Rules::Contract {
            generator, event, ..
        } = self.rules
        {
            let shapes = generator.shapes(event);
            if shapes.len() > 1 {
                for (_, node) in shapes {
                    for p in reductions(Some(node), Some(event), &self.current) {
                        if !round.iter().any(|q| q.key == p.key) {
                            round.push(p);
                        }
                    }
                }
            }
        }
        // Untried reductions first, biggest saving first; those that already made the failure
        // disappear last (they are tried again only in the sweep that proves the fixpoint).
        round.sort_by_key(|p| (self.passed.contains(&p.key), std::cmp::Reverse(p.saving)));
        self.round = round;
        self.pos = 0;
        self.seen.clear();
        self.round_passed.clear();
    }

    /// At the fixpoint: each remaining `null` replaced by a non-null value the contract allows there.
    /// Not reductions (never adopted); a probe that makes the failure go away shows the null matters.
    fn probes(&self) -> Vec<Cand> {
        let Rules::Contract { event, .. } = self.rules else {
            return Vec::new();
        };
        let Some(root) = self.rules.node(&self.current) else {
            return Vec::new();
        };
        let mut nulls = Vec::new();
        collect_nulls(&self.current, "", &mut nulls);
        let mut out = Vec::new();
        for ptr in nulls {
            let Some(node) = node_at(root, &self.current, &ptr) else {
                continue;
            };
            let mut sampler = Sampler::new(vec![node], event, 7);
            for _ in 0..8 {
                let Ok(x) = sampler.next_value() else { break };
                if x.is_null() {
                    continue;
                }
                let edits = vec![Edit::Set(ptr.clone(), x)];
                let mut value = applied(&self.current, &edits);
                if self.rules.admit(&mut value) {
                    let body = activesupport_json(&value);
                    out.push(Cand {
                        key: format!("probe {ptr}"),
                        pointer: ptr.clone(),
                        edits,
                        value,
                        body,
                    });
                    break;
                }
            }
        }
        out
    }

    /// The report: sizes, tests, and the kept pointers (the deepest of nested ones).
    pub(crate) fn finish(&self) -> Shrunk {
        let mut kept: Vec<String> = self.kept.clone();
        kept.sort();
        kept.dedup();
        let deepest: Vec<String> = kept
            .iter()
            .filter(|p| {
                !kept
                    .iter()
                    .any(|q| q.len() > p.len() && q.starts_with(&format!("{p}/")))
            })
            .cloned()
            .collect();
        Shrunk {
            before_bytes: self.before,
            after_bytes: self.current_len,
            tests: self.tests,
            complete: self.complete,
            contract: matches!(self.rules, Rules::Contract { .. }),
            kept: deepest
                .into_iter()
                .map(|p| Kept {
                    value: self
                        .current
                        .pointer(&p)
                        .map_or_else(|| "(absent)".to_string(), shorten),
                    pointer: p,
                })
                .collect(),
        }
    }
}

fn collect_nulls(v: &Value, ptr: &str, out: &mut Vec<String>) {
    match v {
        Value::Null => out.push(ptr.to_string()),
        Value::Object(m) => {
            for (k, x) in m {
                collect_nulls(x, &crate::finding::push_token(ptr, k), out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                collect_nulls(x, &format!("{ptr}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// Every reduction of `v`, with the bytes each should save. With a schema, required keys are kept, a value
/// becomes `null` where that is allowed, an enum value the shortest one allowed there and a formatted
/// string (a timestamp) the shortest of a few drawn from the schema; the contract decides anyway.
fn reductions(node: Option<&Node>, event: Option<EventName>, v: &Value) -> Vec<Proposal> {
    let mut out = Vec::new();
    if let Some(node) = node {
        let mut optional = Vec::new();
        let mut saving = 0;
        super::tree::walk(node, v, "", &mut |ptr, _, alt, x| {
            if let (Ty::Object(o), Value::Object(m)) = (&alt.ty, x) {
                for (k, y) in m.iter().filter(|(k, _)| !o.required.contains(*k)) {
                    saving += size(y) + k.len() + 4;
                    optional.push(Edit::Remove(crate::finding::push_token(ptr, k)));
                }
            }
        });
        if !optional.is_empty() {
            out.push(Proposal {
                key: "every optional key".into(),
                pointer: String::new(),
                edits: optional,
                saving,
            });
        }
    }
    visit(node, event, v, "", &mut out);
    out
}

/// Bytes of `v` as sent.
fn size(v: &Value) -> usize {
    match v {
        Value::String(s)
            if s.bytes()
                .all(|b| (0x20..0x7f).contains(&b) && !b"<>&\"\\".contains(&b)) =>
        {
            s.len() + 2
        }
        _ => activesupport_json(v).len(),
    }
}

/// Draws of a value the contract allows at `node`, for the shortest one: timestamps and other formatted
/// strings cannot simply be cut.
const SHORTEST_DRAWS: usize = 16;

fn visit(
    node: Option<&Node>,
    event: Option<EventName>,
    v: &Value,
    ptr: &str,
    out: &mut Vec<Proposal>,
) {
    let alt = node.and_then(|n| alt_of(n, v));
    let here = size(v);
    let set = |what: &str, to: Value, out: &mut Vec<Proposal>| {
        let saving = here.saturating_sub(size(&to));
        out.push(Proposal {
            key: format!("{what} {ptr}"),
            pointer: ptr.to_string(),
            edits: vec![Edit::Set(ptr.to_string(), to)],
            saving,
        });
    };
    // `null` where the contract allows it is the smallest value of all (as proptest shrinks a union to
    // its first branch); probes at the fixpoint tell whether a null matters.
    if !v.is_null() && node.is_some_and(|n| n.accepts(&Value::Null)) && here > 4 {
        set("null at", Value::Null, out);
    }
    // An enum value: the shortest value allowed there.
    if let Some(values) = alt.and_then(|a| a.values.as_ref()) {
        if let Some(shortest) = values.iter().min_by_key(|x| size(x)) {
            if size(shortest) < here {
                set("shortest allowed value at", shortest.clone(), out);
            }
        }
        return;
    }
    // A formatted string (a timestamp): the shortest of a few values the contract allows there.
    if let (Some(n), Some(event), Value::String(_)) = (node, event, v) {
        if alt.is_some_and(|a| {
            matches!(
                &a.ty,
                Ty::String {
                    format: Some(_),
                    ..
                } | Ty::String {
                    pattern: Some(_),
                    ..
                }
            )
        }) {
            let mut sampler = Sampler::new(vec![n], event, here as u64);
            let shortest = (0..SHORTEST_DRAWS)
                .filter_map(|_| sampler.next_value().ok())
                .filter(|x| x.is_string())
                .min_by_key(size);
            if let Some(x) = shortest.filter(|x| size(x) < here) {
                set("shorter allowed value at", x, out);
            }
            return;
        }
    }
    match v {
        Value::Object(m) => {
            let o = match alt.map(|a| &a.ty) {
                Some(Ty::Object(o)) => Some(o),
                _ => None,
            };
            if !m.is_empty() && !ptr.is_empty() {
                set("empty", Value::Object(Default::default()), out);
            }
            let mut removable = Vec::new();
            for (k, x) in m {
                let child = crate::finding::push_token(ptr, k);
                let keep =
                    (ptr.is_empty() && k == "event") || o.is_some_and(|o| o.required.contains(k));
                if !keep {
                    let saving = size(x) + k.len() + 4;
                    removable.push((child.clone(), saving));
                    out.push(Proposal {
                        key: format!("remove {child}"),
                        pointer: child.clone(),
                        edits: vec![Edit::Remove(child.clone())],
                        saving,
                    });
                }
                let child_node = o.and_then(|o| match o.prop(k) {
                    Some(n) => Some(n),
                    None => match &o.additional {
                        Some(Some(a)) => Some(&**a),
                        _ => None,
                    },
                });
                visit(child_node, event, x, &child, out);
            }
            // Half of the keys at once, each half: many keys go in a few rounds.
            if removable.len() >= 4 {
                let half = removable.len() / 2;
                for (which, part) in [
                    ("first", &removable[..half]),
                    ("second", &removable[half..]),
                ] {
                    out.push(Proposal {
                        key: format!("{which} half of the keys of {ptr}"),
                        pointer: ptr.to_string(),
                        edits: part.iter().map(|(p, _)| Edit::Remove(p.clone())).collect(),
                        saving: part.iter().map(|(_, s)| s).sum(),
                    });
                }
            }
        }
        Value::Array(a) => {
            let items = match alt.map(|a| &a.ty) {
                Some(Ty::Array { items, prefix, .. }) => Some((items, prefix)),
                _ => None,
            };
            if !a.is_empty() {
                set("empty", Value::Array(Vec::new()), out);
            }
            if a.len() >= 2 {
                let half = a.len() / 2;
                set("first half of", Value::Array(a[..half].to_vec()), out);
                set("second half of", Value::Array(a[half..].to_vec()), out);
            }
            for (i, x) in a.iter().enumerate() {
                let child = format!("{ptr}/{i}");
                if a.len() <= 16 {
                    out.push(Proposal {
                        key: format!("remove {child}"),
                        pointer: child.clone(),
                        edits: vec![Edit::Remove(child.clone())],
                        saving: size(x) + 1,
                    });
                }
                let child_node =
                    items.and_then(|(items, prefix)| prefix.get(i).or(items.as_deref()));
                visit(child_node, event, x, &child, out);
            }
        }
        Value::String(s) if !s.is_empty() => {
            let (min_len, free) = match alt {
                Some(a) => match &a.ty {
                    Ty::String {
                        format: None,
                        pattern: None,
                        min_len,
                        ..
                    } if a.values.is_none() => (*min_len as usize, true),
                    _ => (0, false),
                },
                None => (0, true),
            };
            if free {
                let chars = s.chars().count();
                set("shortest", Value::String("x".repeat(min_len)), out);
                // Halves first, then a quarter and an eighth less: a length threshold is found in a few
                // rounds, not one character at a time; short strings then lose one character.
                if chars > 8 {
                    for (num, den, what) in [
                        (1, 2, "half of"),
                        (3, 4, "three quarters of"),
                        (7, 8, "seven eighths of"),
                    ] {
                        let keep = chars * num / den;
                        if keep >= min_len && keep < chars {
                            set(what, Value::String(s.chars().take(keep).collect()), out);
                        }
                    }
                }
                if chars > min_len && chars <= 16 {
                    set(
                        "shorter",
                        Value::String(s.chars().take(chars - 1).collect()),
                        out,
                    );
                }
            }
        }
        Value::Number(n) => match alt.map(|a| &a.ty) {
            Some(Ty::Number { min, max, .. }) => {
                let x = n.as_f64().unwrap_or(0.0);
                let lowest = 0f64
                    .max(min.unwrap_or(f64::MIN))
                    .min(max.unwrap_or(f64::MAX));
                // The lowest value allowed, then the same value without its fraction.
                for (what, y) in [("lowest", lowest), ("whole", x.trunc())] {
                    if y != x {
                        if let Some(y) = serde_json::Number::from_f64(y) {
                            set(what, Value::Number(y), out);
                        }
                    }
                }
            }
            Some(Ty::Integer { min, max, .. }) => {
                let lo = min.unwrap_or(i64::MIN);
                let zero = 0i64.clamp(lo, max.unwrap_or(i64::MAX).max(lo));
                if n.as_i64() != Some(zero) {
                    set("zero", zero.into(), out);
                }
            }
            None if n.as_i64() != Some(0) => set("zero", 0.into(), out),
            _ => {}
        },
        _ => {}
    }
}

/// Minimises `payload` in process: the smallest valid payload of `event` under the generator's profile for
/// which `still_fails` holds, found by the same reducer as `hookcheck fire` (one candidate at a time).
///
/// ```
/// use hookcheck::{fire::minimize, generate::Generator, Catalog, EventName, Profile};
/// let catalog = Catalog::shared()?;
/// let generator = Generator::new(catalog, Profile::Compat)?;
/// let mut payload = generator.values(EventName::ContactCreated, 3, 1)?.remove(0);
/// payload["name"] = "Ana Maria da Silva".into();
/// // A handler that fails whenever the contact's name is longer than 2 characters:
/// let fails = |v: &serde_json::Value| v["name"].as_str().is_some_and(|n| n.chars().count() > 2);
/// let (small, report) = minimize(catalog, &generator, EventName::ContactCreated, &payload, 1_000, fails);
/// assert_eq!(small["name"], "Ana");
/// assert!(report.after_bytes < report.before_bytes);
/// assert_eq!(report.kept[0].pointer, "/name");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn minimize(
    catalog: &Catalog,
    generator: &Generator,
    event: EventName,
    payload: &Value,
    max_tests: usize,
    mut still_fails: impl FnMut(&Value) -> bool,
) -> (Value, Shrunk) {
    let rules = Rules::Contract {
        catalog,
        generator,
        profile: generator.profile(),
        event,
    };
    let mut r = Reducer::new(rules, payload.clone(), max_tests);
    while let Some(batch) = r.batch(1) {
        let fails: Vec<bool> = batch.iter().map(|(v, _)| still_fails(v)).collect();
        r.feed(&fails);
    }
    (r.current().clone(), r.finish())
}

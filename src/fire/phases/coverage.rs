//! The coverage phase: few valid payloads that together exercise every item the generator knows (enum
//! values, optional keys present and absent, every branch of a union, `null` branches included, so every
//! release shape the profile allows), plus packed payloads for what sampling does not aim at: no optional
//! key at all, every nullable value `null`, lower and upper bounds.
//!
//! Packing many variations into one payload keeps the phase small; when a packed payload fails,
//! shrinking finds the variation that matters.
use std::collections::BTreeSet;

use serde_json::{Number, Value};

use super::{conforms, coverage_seed, Planner};
use crate::{
    event::EventName,
    fire::{
        case::{Case, Expect},
        phase::Phase,
        tree::{applied, skeleton, walk, Edit},
    },
    generate::{node::Ty, Coverage, GenerateError, Item, Steer},
    semantic,
};

/// Draws per event before the phase settles for what it reached. Draws aim at what is still uncovered
/// ([`Steer`]), so every item of the current schemas is reached in far fewer; the note in the outcome
/// says if one was missed.
const MAX_DRAWS: usize = 400;

fn item_text(item: &Item) -> String {
    item.to_string()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The coverage cases of one event; items never reached are reported through `missed`.
pub(crate) fn cases(p: &Planner<'_>, event: EventName) -> Result<Vec<Case>, GenerateError> {
    let per_shape = p.generator.coverage_items(event);
    let mut uncovered: BTreeSet<Item> = per_shape.iter().flatten().cloned().collect();
    let total = uncovered.len();
    let mut out = Vec::new();
    let mut base = None;
    for draw in 0..MAX_DRAWS as u64 {
        if uncovered.is_empty() {
            break;
        }
        // A fresh record per draw that expects only what is still uncovered: what the draw adds is
        // read off directly, and the cost shrinks as coverage grows.
        let cov = Coverage::default();
        for item in &uncovered {
            cov.expect(item.clone());
        }
        let shapes = (0..per_shape.len())
            .filter(|&k| !per_shape[k].is_disjoint(&uncovered))
            .collect();
        let steer = Steer::new(&uncovered).with_shapes(shapes);
        let v = p
            .generator
            .sampler(coverage_seed(p.seed).wrapping_add(draw), event)
            .steered(&cov, &steer)
            .next_value()?;
        let new: Vec<Item> = cov
            .table()
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .map(|(i, _)| i)
            .collect();
        for item in &new {
            uncovered.remove(item);
        }
        if base.is_none() {
            base = Some(v.clone());
        }
        if let Some(first) = new.first() {
            let label = match new.len() {
                1 => format!("covers {}", item_text(first)),
                n => format!("covers {} and {} more items", item_text(first), n - 1),
            };
            out.push(Case::of_payload(
                Phase::Coverage,
                Some(event),
                Expect::Accept,
                label,
                v,
            ));
        }
    }
    if !uncovered.is_empty() {
        p.note(format!(
            "coverage: {event}: {} of {total} items not reached in {MAX_DRAWS} draws (first: {})",
            uncovered.len(),
            uncovered.iter().next().map(item_text).unwrap_or_default()
        ));
    }
    let base = match base {
        Some(b) => b,
        None => p.base(event, 0)?,
    };
    let node = super::shape(p.catalog, p.generator, event, &base);
    let mut packed: Vec<(String, Value)> = Vec::new();
    let mut bare = skeleton(node, &base);
    semantic::repair(event, &mut bare);
    if conforms(p.catalog, p.profile, &bare) {
        packed.push(("no optional key".into(), bare));
    }
    for (what, edits) in directed(node, &base) {
        let mut found = Vec::new();
        pack(p, event, &base, &edits, &mut found);
        let n = found.len();
        for (i, v) in found.into_iter().enumerate() {
            let label = if n == 1 {
                what.clone()
            } else {
                format!("{what} ({} of {n})", i + 1)
            };
            packed.push((label, v));
        }
    }
    for (label, v) in packed {
        if v != base && !out.iter().any(|c| c.payload.as_ref() == Some(&v)) {
            out.push(Case::of_payload(
                Phase::Coverage,
                Some(event),
                Expect::Accept,
                label,
                v,
            ));
        }
    }
    Ok(out)
}

/// Edit lists that each make one packed payload: nullable values null (scalars; then objects and lists,
/// in layers that do not nest), lower bounds, upper bounds.
fn directed(node: &crate::generate::Node, base: &Value) -> Vec<(String, Vec<Edit>)> {
    let mut null_leaves = Vec::new();
    let mut null_containers: Vec<String> = Vec::new();
    let mut low = Vec::new();
    let mut high = Vec::new();
    walk(node, base, "", &mut |ptr, n, alt, v| {
        if ptr.is_empty() || ptr == "/event" {
            return;
        }
        if !v.is_null() && n.accepts(&Value::Null) {
            if v.is_object() || v.is_array() {
                null_containers.push(ptr.to_string());
            } else {
                null_leaves.push(Edit::Set(ptr.to_string(), Value::Null));
            }
        }
        if alt.values.is_some() {
            return;
        }
        match &alt.ty {
            Ty::Integer {
                min,
                max,
                format: None,
            } => {
                low.extend(min.map(|m| Edit::Set(ptr.to_string(), m.into())));
                high.extend(max.map(|m| Edit::Set(ptr.to_string(), m.into())));
            }
            Ty::Number {
                min,
                max,
                format: None,
            } => {
                let num = |x: f64| Number::from_f64(x).map(Value::Number);
                low.extend(min.and_then(num).map(|m| Edit::Set(ptr.to_string(), m)));
                high.extend(max.and_then(num).map(|m| Edit::Set(ptr.to_string(), m)));
            }
            Ty::String {
                format: None,
                pattern: None,
                min_len,
                max_len,
            } => {
                low.push(Edit::Set(
                    ptr.to_string(),
                    Value::String("x".repeat(*min_len as usize)),
                ));
                if let Some(m) = max_len {
                    high.push(Edit::Set(
                        ptr.to_string(),
                        Value::String("é".repeat(*m as usize)),
                    ));
                }
            }
            _ => {}
        }
    });
    // Objects and lists that contain one another cannot all be null in one payload: layer them.
    let mut layers: Vec<Vec<String>> = Vec::new();
    for ptr in null_containers {
        let nests =
            |q: &String| ptr.starts_with(&format!("{q}/")) || q.starts_with(&format!("{ptr}/"));
        match layers.iter_mut().find(|l| !l.iter().any(nests)) {
            Some(l) => l.push(ptr),
            None => layers.push(vec![ptr]),
        }
    }
    let mut out = vec![("nullable values null".to_string(), null_leaves)];
    for (i, l) in layers.into_iter().enumerate() {
        out.push((
            format!("nullable objects and lists null (layer {})", i + 1),
            l.into_iter().map(|p| Edit::Set(p, Value::Null)).collect(),
        ));
    }
    out.push(("lower bounds (empty strings, minimum numbers)".into(), low));
    out.push((
        "upper bounds (longest strings, maximum numbers)".into(),
        high,
    ));
    out
}

/// Applies `edits` together when the result is valid; otherwise splits them in halves, so one edit the
/// contract refuses in this payload (a cross-field rule) does not lose the others.
fn pack(p: &Planner<'_>, event: EventName, base: &Value, edits: &[Edit], out: &mut Vec<Value>) {
    if edits.is_empty() {
        return;
    }
    let mut v = applied(base, edits);
    semantic::repair(event, &mut v);
    if conforms(p.catalog, p.profile, &v) {
        out.push(v);
        return;
    }
    if edits.len() > 1 {
        let (a, b) = edits.split_at(edits.len() / 2);
        pack(p, event, base, a, out);
        pack(p, event, base, b, out);
    }
}

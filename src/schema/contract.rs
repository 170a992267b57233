//! One compiled contract: a set of schema documents (the files as written, or one release derived from them),
//! their closed twins, and run-time validators compiled on first need.
use std::{
    collections::{BTreeSet, HashMap},
    sync::{Arc, Mutex, OnceLock},
};

use jsonschema::{Registry, Resource, Validator};
use serde_json::{json, Value};

use super::{
    closure::{self, DeclaredKeys, DeclaredWhen},
    options,
    resolve::{Documents, BASE_URI},
};
use crate::{error::Error, event::EventName};

/// The compiled validators for one event under one contract.
#[derive(Clone, Copy)]
pub struct EventValidators<'a> {
    /// The schema as written: its errors are the contract violations.
    pub open: &'a Validator,
    /// The closed twin (see [`closure`]): valid means no errors and no unknown keys.
    pub closed: &'a Validator,
}

/// The run-time validators of one event, each compiled on first need (a verdict needs only the closed one).
#[derive(Default)]
struct Compiled {
    open: OnceLock<Result<Validator, String>>,
    closed: OnceLock<Result<Validator, String>>,
}

/// A document set with its registry (schemas and closed twins), compiled lazily.
pub(crate) struct Contract {
    /// `compat`, or the release range the contract holds for (in closed-twin root URIs and messages).
    label: String,
    /// The events this contract sends.
    events: Vec<EventName>,
    registry: Registry<'static>,
    declared: DeclaredKeys,
    declared_when: DeclaredWhen,
    /// The `if` subschemas [`Contract::declares`] has evaluated, compiled (`None`: it did not compile).
    conditions: Mutex<HashMap<String, Option<Arc<Validator>>>>,
    /// Per event (in `events` order), compiled on first need: a release contract is often asked about one
    /// event only.
    compiled: Vec<Compiled>,
    entry: OnceLock<Result<Validator, String>>,
}

impl Contract {
    /// Builds the registry of `docs` (every `files` entry and its closed twin, one root per event).
    pub(crate) fn new(
        label: String,
        files: &[(&str, &str)],
        docs: &Documents,
        events: Vec<EventName>,
    ) -> Result<Self, Error> {
        let roots: Vec<(String, String)> = events
            .iter()
            .map(|e| {
                (
                    closure::root_uri(&label, e.as_str()),
                    format!("{BASE_URI}chatwoot/events/{e}.json"),
                )
            })
            .collect();
        let twins = closure::twin_set(files, docs, &roots);
        let registry = Registry::new()
            .extend(
                twins
                    .resources
                    .into_iter()
                    .map(|(uri, doc)| (uri, Resource::from_contents(doc))),
            )
            .and_then(|b| b.prepare())
            .map_err(|e| Error::SchemaCompile {
                id: format!("schemas/ ({label})"),
                message: e.to_string(),
            })?;
        Ok(Self {
            label,
            compiled: events.iter().map(|_| Compiled::default()).collect(),
            events,
            registry,
            declared: twins.declared,
            declared_when: twins.declared_when,
            conditions: Mutex::new(HashMap::new()),
            entry: OnceLock::new(),
        })
    }

    /// The events this contract sends.
    pub(crate) fn events(&self) -> &[EventName] {
        &self.events
    }

    /// Whether this contract sends `event`.
    pub(crate) fn has_event(&self, event: EventName) -> bool {
        self.events.contains(&event)
    }

    fn slot(&self, event: EventName) -> Result<&Compiled, Error> {
        self.events
            .iter()
            .position(|e| *e == event)
            .and_then(|i| self.compiled.get(i))
            .ok_or_else(|| Error::SchemaCompile {
                id: format!("chatwoot/events/{event}.json ({})", self.label),
                message: "not in this contract".into(),
            })
    }

    fn build<'a>(
        &'a self,
        cell: &'a OnceLock<Result<Validator, String>>,
        target: String,
        event: EventName,
    ) -> Result<&'a Validator, Error> {
        cell.get_or_init(|| {
            options(&self.registry)
                .build(&json!({ "$ref": target }))
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|message| Error::SchemaCompile {
            id: format!("the {} validators of {event}", self.label),
            message: message.clone(),
        })
    }

    /// The closed validator of one event (valid = no error and no unknown key), compiled on first use.
    pub(crate) fn closed(&self, event: EventName) -> Result<&Validator, Error> {
        let slot = self.slot(event)?;
        self.build(
            &slot.closed,
            closure::root_uri(&self.label, event.as_str()),
            event,
        )
    }

    /// The open validator of one event (the schema as written), compiled on first use.
    pub(crate) fn open(&self, event: EventName) -> Result<&Validator, Error> {
        let slot = self.slot(event)?;
        self.build(
            &slot.open,
            format!("{BASE_URI}chatwoot/events/{event}.json"),
            event,
        )
    }

    /// Both validators of one event, compiled on first use (in parallel when neither is yet).
    pub(crate) fn event(&self, event: EventName) -> Result<EventValidators<'_>, Error> {
        // Compiled already (every payload after the first): no thread to start.
        let slot = self.slot(event)?;
        if let (Some(Ok(open)), Some(Ok(closed))) = (slot.open.get(), slot.closed.get()) {
            return Ok(EventValidators { open, closed });
        }
        let (open, closed) = std::thread::scope(|scope| {
            let open = scope.spawn(|| self.open(event).map(|_| ()));
            let closed = self.closed(event);
            (
                open.join().unwrap_or_else(|_| {
                    Err(Error::SchemaCompile {
                        id: event.as_str().into(),
                        message: "compiler thread panicked".into(),
                    })
                }),
                closed,
            )
        });
        open?;
        Ok(EventValidators {
            open: self.open(event)?,
            closed: closed?,
        })
    }

    /// The entry schema (dispatching on `event`), as another validator would use it.
    pub(crate) fn entry(&self) -> Result<&Validator, Error> {
        self.entry
            .get_or_init(|| {
                options(&self.registry)
                    .build(&json!({ "$ref": format!("{BASE_URI}chatwoot/webhook.json") }))
                    .map_err(|e| e.to_string())
            })
            .as_ref()
            .map_err(|message| Error::SchemaCompile {
                id: format!("chatwoot/webhook.json ({})", self.label),
                message: message.clone(),
            })
    }

    /// Keys declared by any branch of the closed schema object at `location` (`<uri>#<pointer>`).
    pub(crate) fn declared_keys(&self, location: &str) -> Option<&BTreeSet<String>> {
        self.declared.get(location)
    }

    /// Whether a branch of the schema object at `location` that applies to `object` declares `key`: as
    /// [`Contract::declared_keys`], but a branch behind an `if` counts only when `object` takes it (an `if`
    /// that cannot be evaluated counts as taken).
    pub(crate) fn declares(&self, location: &str, key: &str, object: &Value) -> bool {
        let Some(ways) = self.declared_when.get(location).and_then(|w| w.get(key)) else {
            return self
                .declared
                .get(location)
                .is_some_and(|keys| keys.contains(key));
        };
        ways.iter().any(|conditions| {
            conditions
                .iter()
                .all(|(uri, holds)| self.holds(uri, object).is_none_or(|h| h == *holds))
        })
    }

    fn holds(&self, uri: &str, object: &Value) -> Option<bool> {
        let validator = {
            let mut cache = self.conditions.lock().ok()?;
            cache
                .entry(uri.to_string())
                .or_insert_with(|| {
                    options(&self.registry)
                        .build(&json!({ "$ref": uri }))
                        .ok()
                        .map(Arc::new)
                })
                .clone()?
        };
        Some(validator.is_valid(object))
    }
}

/// The events a document set sends: the `event-name` enum of `_defs/common.json`, in [`EventName::ALL`] order.
pub fn events_of(docs: &Documents) -> Vec<EventName> {
    let id = format!("{BASE_URI}chatwoot/_defs/common.json");
    let names: Vec<&str> = docs
        .get(&id)
        .and_then(|d| d.pointer("/$defs/event-name/enum"))
        .and_then(Value::as_array)
        .map(|v| v.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    EventName::ALL
        .into_iter()
        .filter(|e| names.contains(&e.as_str()))
        .collect()
}

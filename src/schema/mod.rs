//! The schema catalog: every file of `schemas/`, embedded at build time and compiled once.
//!
//! Data flows one way: `schemas/` (embedded) -> [`Catalog`] -> validator / generators -> checks -> report.
pub mod closure;
pub mod resolve;

use std::{collections::HashMap, sync::OnceLock};

use jsonschema::{Draft, Registry, Resource, Validator, ValidatorMap};
use serde_json::{json, Value};

use crate::{
    error::{Error, Result},
    event::EventName,
    format,
    profile::Profile,
};
use closure::{close_document, closed_uri, DeclaredKeys};
use resolve::{Documents, BASE_URI};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}

/// One embedded schema file.
#[derive(Debug, Clone)]
pub struct SchemaFile {
    /// Path below `schemas/`, e.g. `chatwoot/events/message_created.json`.
    pub path: &'static str,
    /// The file's `$id`.
    pub id: String,
    /// The parsed document.
    pub document: Value,
    /// The file's exact text.
    pub text: &'static str,
}

/// One embedded contract example (`examples/`): a hand-built delivery with `headers` and `body`.
#[derive(Debug, Clone, Copy)]
pub struct Example {
    /// Path below `examples/`, e.g. `chatwoot/message_created.incoming_contact.json`.
    pub path: &'static str,
    /// The file's exact text.
    pub text: &'static str,
}

/// The compiled validators for one event under one profile.
#[derive(Clone, Copy)]
pub struct EventValidators<'a> {
    /// The schema as written: its errors are the contract violations.
    pub open: &'a Validator,
    /// The closed twin (see [`closure`]): valid means no errors and no unknown keys.
    pub closed: &'a Validator,
}

/// Every schema of `schemas/`, compiled once: compile once, validate many.
///
/// ```
/// let catalog = hookcheck::Catalog::shared().unwrap();
/// assert_eq!(catalog.files().iter().filter(|f| f.path.starts_with("chatwoot/events/")).count(), 12);
/// ```
pub struct Catalog {
    files: Vec<SchemaFile>,
    open: ValidatorMap,
    closed: ValidatorMap,
    entries: OnceLock<std::result::Result<HashMap<Profile, Validator>, String>>,
    registry: Registry<'static>,
    declared: DeclaredKeys,
    docs: Documents,
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalog")
            .field("files", &self.files.len())
            .finish_non_exhaustive()
    }
}

/// The `jsonschema` options hookcheck uses everywhere: draft 2020-12, formats checked, the custom timestamp
/// formats registered, references resolved only from `registry` (never the network).
fn options<'a>(registry: &'a Registry<'a>) -> jsonschema::ValidationOptions<'a> {
    let mut opts = jsonschema::options()
        .with_draft(Draft::Draft202012)
        .with_registry(registry)
        .should_validate_formats(true)
        .with_pattern_options(jsonschema::PatternOptions::regex());
    for name in format::ALL {
        opts = opts.with_format(name, move |s: &str| format::check(name, s).unwrap_or(true));
    }
    opts
}

impl Catalog {
    /// Loads and compiles the embedded schemas.
    ///
    /// # Errors
    /// A schema file that is not JSON, has no `$id`, or does not compile (a defect in `schemas/`, caught by
    /// the test suite before release).
    pub fn load() -> Result<Self> {
        let mut files = Vec::new();
        let mut docs = Documents::default();
        for (path, text) in embedded::SCHEMA_FILES {
            let document: Value =
                serde_json::from_str(text).map_err(|source| Error::SchemaJson {
                    path: path.to_string(),
                    source,
                })?;
            let id = document
                .get("$id")
                .and_then(Value::as_str)
                .ok_or(Error::SchemaShape {
                    path: path.to_string(),
                    keyword: "$id",
                })?
                .to_string();
            docs.insert(id.clone(), document.clone());
            files.push(SchemaFile {
                path,
                id,
                document,
                text,
            });
        }

        let mut declared = DeclaredKeys::new();
        let mut resources: Vec<(String, Value)> = Vec::with_capacity(files.len() * 2 + 24);
        for f in &files {
            let inject = !f.path.starts_with("chatwoot/profiles/");
            resources.push((f.id.clone(), f.document.clone()));
            resources.push((
                closed_uri(&f.id),
                close_document(&f.id, &f.document, &docs, inject, &mut declared),
            ));
        }
        for profile in Profile::ALL {
            for event in EventName::ALL {
                let target = format!("{BASE_URI}{}", profile.event_path(event));
                let root_id = root_uri(profile, event);
                let keys = closure::declared_keys(
                    &docs,
                    &target,
                    &json!({ "$ref": target }),
                    &mut Default::default(),
                );
                declared.insert(format!("{root_id}#"), keys);
                resources.push((
                    root_id.clone(),
                    json!({"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": root_id,
                           "$ref": closed_uri(&target), "unevaluatedProperties": false}),
                ));
            }
        }
        let registry = Registry::new()
            .extend(
                resources
                    .into_iter()
                    .map(|(uri, doc)| (uri, Resource::from_contents(doc))),
            )
            .and_then(|b| b.prepare())
            .map_err(|e| Error::SchemaCompile {
                id: "schemas/".into(),
                message: e.to_string(),
            })?;

        // One compilation per group (open / closed), both profiles and all events at once, in parallel:
        // `build_map` compiles the shared subschemas (conversation, contact...) once per group instead of
        // once per event.
        let group = |suffix: &str| -> Result<ValidatorMap> {
            let mut defs = serde_json::Map::new();
            for profile in Profile::ALL {
                for event in EventName::ALL {
                    let target = if suffix == "closed" {
                        root_uri(profile, event)
                    } else {
                        format!("{BASE_URI}{}", profile.event_path(event))
                    };
                    defs.insert(def_name(profile, event), json!({ "$ref": target }));
                }
            }
            options(&registry)
                .build_map(&json!({ "$defs": defs }))
                .map_err(|e| Error::SchemaCompile {
                    id: format!("{suffix} validators"),
                    message: e.to_string(),
                })
        };
        let (open, closed) = std::thread::scope(|scope| {
            let open = scope.spawn(|| group("open"));
            let closed = group("closed");
            (
                open.join().unwrap_or_else(|_| {
                    Err(Error::SchemaCompile {
                        id: "open validators".into(),
                        message: "compiler thread panicked".into(),
                    })
                }),
                closed,
            )
        });
        let (open, closed) = (open?, closed?);
        for profile in Profile::ALL {
            for event in EventName::ALL {
                let key = format!("#/$defs/{}", def_name(profile, event));
                if open.get(&key).is_none() || closed.get(&key).is_none() {
                    return Err(Error::SchemaCompile {
                        id: key,
                        message: "not compiled".into(),
                    });
                }
            }
        }
        Ok(Self {
            files,
            open,
            closed,
            entries: OnceLock::new(),
            registry,
            declared,
            docs,
        })
    }

    /// A process-wide catalog, compiled on first use.
    ///
    /// # Errors
    /// As [`Catalog::load`]; the error is returned on every call.
    pub fn shared() -> Result<&'static Catalog> {
        static SHARED: OnceLock<std::result::Result<Catalog, String>> = OnceLock::new();
        SHARED
            .get_or_init(|| Catalog::load().map_err(|e| e.to_string()))
            .as_ref()
            .map_err(|message| Error::SchemaCompile {
                id: "schemas/".into(),
                message: message.clone(),
            })
    }

    /// Every embedded schema file, sorted by path.
    pub fn files(&self) -> &[SchemaFile] {
        &self.files
    }

    /// The embedded schema file at `path` (below `schemas/`).
    pub fn file(&self, path: &str) -> Option<&SchemaFile> {
        self.files.iter().find(|f| f.path == path)
    }

    /// The embedded contract examples that carry a payload (`body`), sorted by path.
    pub fn examples(&self) -> Vec<Example> {
        embedded::EXAMPLE_FILES
            .iter()
            .filter(|(_, text)| {
                serde_json::from_str::<Value>(text).is_ok_and(|v| v.get("body").is_some())
            })
            .map(|(path, text)| Example { path, text })
            .collect()
    }

    /// An embedded file of `examples/` by path (e.g. `chatwoot/signature_test_vector.json`).
    pub fn example_file(&self, path: &str) -> Option<Example> {
        embedded::EXAMPLE_FILES
            .iter()
            .find(|(p, _)| *p == path)
            .map(|(path, text)| Example { path, text })
    }

    /// Every schema document by `$id`, for static walks (generators).
    pub fn documents(&self) -> &Documents {
        &self.docs
    }

    /// The validators of one event under one profile.
    pub fn event(&self, profile: Profile, event: EventName) -> EventValidators<'_> {
        let key = format!("#/$defs/{}", def_name(profile, event));
        // `load` checked that every (profile, event) pair is in both maps.
        match (self.open.get(&key), self.closed.get(&key)) {
            (Some(open), Some(closed)) => EventValidators { open, closed },
            _ => unreachable!("Catalog::load compiles every (profile, event) pair"),
        }
    }

    /// The profile's entry schema (dispatching on `event`), as another validator would use it. Compiled on
    /// first use: hookcheck dispatches on `event` itself, so only tests and exports need it.
    ///
    /// # Errors
    /// The entry schema does not compile.
    pub fn entry(&self, profile: Profile) -> Result<&Validator> {
        let entries = self.entries.get_or_init(|| {
            let mut m = HashMap::new();
            for p in Profile::ALL {
                let uri = format!("{BASE_URI}{}", p.entry_path());
                let v = options(&self.registry)
                    .build(&json!({ "$ref": uri }))
                    .map_err(|e| e.to_string())?;
                m.insert(p, v);
            }
            Ok(m)
        });
        match entries {
            Ok(m) => m.get(&profile).ok_or_else(|| Error::SchemaCompile {
                id: profile.entry_path().into(),
                message: "missing".into(),
            }),
            Err(message) => Err(Error::SchemaCompile {
                id: profile.entry_path().into(),
                message: message.clone(),
            }),
        }
    }

    /// Keys declared by any branch of the closed schema object at `location` (`<uri>#<pointer>`).
    pub(crate) fn declared_keys(
        &self,
        location: &str,
    ) -> Option<&std::collections::BTreeSet<String>> {
        self.declared.get(location)
    }
}

fn def_name(profile: Profile, event: EventName) -> String {
    format!("{}-{}", profile.name(), event.as_str())
}

fn root_uri(profile: Profile, event: EventName) -> String {
    format!(
        "{}root/{}/{}.json",
        closure::CLOSED_URI,
        profile.name(),
        event.as_str()
    )
}

/// Renders a keyword location URI as `path/below/schemas.json#/pointer`, mapping the closed twin back.
pub fn display_location(uri: &str) -> String {
    let open = closure::open_uri(uri);
    match open.strip_prefix(BASE_URI) {
        Some(rest) => rest.to_string(),
        None => open,
    }
}

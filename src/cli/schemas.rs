//! `hookcheck schemas`: list, show, export and diff the schema files.
use std::{
    collections::BTreeMap,
    io::{self, Write},
    path::PathBuf,
};

use serde_json::{json, Value};

use hookcheck::{
    diff::{self, Audience, Change, SchemaSet},
    error::Error,
    exit::ExitCodes,
    export,
    profile::Profile,
    schema::Catalog,
};

/// The `hookcheck schemas` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum SchemasCommand {
    /// List the embedded schema files with their titles.
    List,
    /// Print one embedded schema file, e.g. chatwoot/events/message_created.json.
    Show {
        /// A path below schemas/ (a leading `schemas/` is accepted).
        path: String,
    },
    /// Export the contract for other tools: one JSON Schema bundle, OpenAPI 3.1 or AsyncAPI 3.0.
    ///
    /// bundle: one self-contained JSON Schema 2020-12 document (every $ref local, into $defs), for tools
    /// that cannot follow references across files. openapi: the events under `webhooks`, with the signing
    /// headers. asyncapi: one channel, operation and message per event. Plain JSON Schema: no `x-` keyword.
    /// A release's export is exactly that release's contract; the compat export is the plain union (it
    /// accepts more than any release sent: for hookcheck's exact compat verdict use --every-release).
    Export {
        /// Output format.
        #[arg(long, value_enum)]
        format: ExportFormat,
        /// Write here instead of stdout (with --every-release or --format dir: a directory).
        #[arg(long, value_name = "PATH")]
        out: Option<PathBuf>,
        #[command(flatten)]
        contract: super::common::ContractArgs,
        /// Write one export per distinct release contract into the directory --out, named
        /// `<format>-<newest release>.json`, and `index.json` listing the releases and events of each.
        /// What compat accepts, one of those bundles accepts; what none accepts, compat rejects.
        #[arg(long, requires = "out", conflicts_with_all = ["profile", "release"])]
        every_release: bool,
    },
    /// The release history the annotations state: every key, branch and enum value that only some
    /// releases send, with its range and source (Markdown table).
    ///
    /// `--write-readme FILE` replaces the table between the `<!-- release-table -->` markers of FILE (how
    /// `schemas/README.md` is kept current; a test fails when it is stale).
    History {
        /// Rewrite the table inside this Markdown file instead of printing it.
        #[arg(long, value_name = "FILE")]
        write_readme: Option<PathBuf>,
    },
    /// List the changes between two versions of the schema set that break consumers or senders.
    ///
    /// OLD and NEW are directories of schema files (schemas/ or schemas/chatwoot/ of a checkout) or bundles
    /// from `hookcheck schemas export --format bundle`. Consumers (who receive webhooks) break when the
    /// schema widens: a key removed or made optional, a type widened, an enum value added. Senders break
    /// when it narrows: a key made required, a type narrowed, an enum value removed, an event removed. An
    /// added event or optional key breaks no one.
    #[command(
        after_help = "Exit codes:\n  0  no breaking change for the chosen audience\n  \
                            1  at least one breaking change\n  2  usage error, or a schema set that cannot be read"
    )]
    Diff {
        /// The old version: a directory or a bundle (not with --release).
        #[arg(required_unless_present = "release")]
        old: Option<PathBuf>,
        /// The new version: a directory or a bundle (not with --release).
        #[arg(required_unless_present = "release")]
        new: Option<PathBuf>,
        /// Compare two releases of the embedded contract instead: `--release 3.0.0 --release 4.15.1` (old,
        /// then new). The upgrade guide: what breaks consumers and what breaks senders between them.
        #[arg(long, value_name = "X.Y.Z", num_args = 1, conflicts_with_all = ["old", "new"])]
        release: Vec<String>,
        /// Whose breaking changes fail the run (exit 1).
        #[arg(long = "for", value_enum, default_value_t = Audience::Both, value_name = "AUDIENCE")]
        audience: Audience,
        /// Which entry schema of a directory to compare (a bundle has one already).
        #[arg(long, default_value = "compat", value_name = "PROFILE")]
        profile: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
        format: DiffFormat,
    },
}

/// Output format of `schemas diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    /// Grouped, readable lines.
    Human,
    /// JSON lines: one `change` per place, then a `summary`.
    Json,
}

/// What `schemas export --format` writes: one of the library's exports, or the schema files themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// One self-contained JSON Schema 2020-12 document (every `$ref` local, into `$defs`).
    Bundle,
    /// OpenAPI 3.1: the events under `webhooks`, with the signing headers.
    Openapi,
    /// AsyncAPI 3.0: one channel, operation and message per event.
    Asyncapi,
    /// The schema files as a directory tree under --out (`DIR/chatwoot/webhook.json`, ...), for
    /// validators that load files: as written for `compat`, derived for --release X.Y.Z.
    Dir,
}

impl ExportFormat {
    fn library(self) -> Option<export::Format> {
        match self {
            ExportFormat::Bundle => Some(export::Format::Bundle),
            ExportFormat::Openapi => Some(export::Format::Openapi),
            ExportFormat::Asyncapi => Some(export::Format::Asyncapi),
            ExportFormat::Dir => None,
        }
    }
}

/// `schemas export --format dir --out DIR`: every schema file at its path below DIR (the files as
/// written for `compat`; each derived for one release).
fn export_dir(profile: Profile, dir: &std::path::Path) -> Result<u8, Error> {
    let catalog = Catalog::shared()?;
    let docs = catalog.documents_for(profile)?;
    for f in catalog.files() {
        let path = dir.join(f.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| at(parent, e))?;
        }
        let text = match (profile, docs.get(&f.id)) {
            (Profile::Compat, _) | (_, None) => f.text.to_string(),
            (_, Some(doc)) => export::to_text(doc),
        };
        std::fs::write(&path, text).map_err(|e| at(&path, e))?;
    }
    eprintln!(
        "hookcheck: wrote {} ({}) below {}",
        hookcheck::report::count(catalog.files().len(), "schema file", "schema files"),
        profile,
        dir.display()
    );
    Ok(ExitCodes::OK)
}

/// Runs a `hookcheck schemas` subcommand; returns the exit code.
///
/// # Errors
/// An unknown schema path or profile, an unreadable input, a failed write.
pub fn run(cmd: SchemasCommand) -> Result<u8, Error> {
    match cmd {
        SchemasCommand::List => list(),
        SchemasCommand::History { write_readme } => history(write_readme.as_deref()),
        SchemasCommand::Show { path } => show(&path),
        SchemasCommand::Export {
            format: ExportFormat::Dir,
            out,
            contract,
            every_release,
        } => match out {
            Some(dir) if !every_release => export_dir(contract.profile()?, &dir),
            _ => Err(Error::Unknown {
                what: "export",
                given: "--format dir".into(),
                hint:
                    "; it needs --out DIR (and takes --profile or --release, not --every-release)"
                        .into(),
            }),
        },
        SchemasCommand::Export {
            format,
            out: Some(dir),
            every_release: true,
            ..
        } => export_every_release(format.library().unwrap_or(export::Format::Bundle), &dir),
        SchemasCommand::Export {
            format,
            out,
            contract,
            ..
        } => {
            let profile = contract.profile()?;
            let format = format.library().unwrap_or(export::Format::Bundle);
            let doc = export::export(Catalog::shared()?, format, profile)?;
            let text = export::to_text(&doc);
            match out {
                Some(path) => std::fs::write(&path, text).map_err(Error::Write)?,
                None => io::stdout()
                    .lock()
                    .write_all(text.as_bytes())
                    .map_err(Error::Write)?,
            }
            Ok(ExitCodes::OK)
        }
        SchemasCommand::Diff {
            old,
            new,
            audience,
            profile,
            format,
            release,
        } => {
            let profile: Profile = profile.parse()?;
            // The profile picks the entry schema of a directory: it means nothing for two releases.
            let (o, n, dir_profile) = match (old, new, release.as_slice()) {
                (_, _, [a, b]) => {
                    let catalog = Catalog::shared()?;
                    (
                        SchemaSet::from_catalog(catalog, Profile::release(a)?)?,
                        SchemaSet::from_catalog(catalog, Profile::release(b)?)?,
                        None,
                    )
                }
                (Some(old), Some(new), []) => (
                    SchemaSet::load(&old, profile)?,
                    SchemaSet::load(&new, profile)?,
                    Some(profile),
                ),
                _ => {
                    return Err(Error::Unknown {
                        what: "diff arguments",
                        given: format!("{} --release", release.len()),
                        hint: "; give OLD and NEW, or --release A --release B (exactly two)".into(),
                    })
                }
            };
            let changes = diff::diff(&o, &n);
            let mut out = io::BufWriter::new(io::stdout().lock());
            let breaking = match format {
                DiffFormat::Human => human(&mut out, &o, &n, &changes, audience, dir_profile),
                DiffFormat::Json => json_lines(&mut out, &changes, audience),
            }
            .map_err(Error::Write)?;
            out.flush().map_err(Error::Write)?;
            Ok(if breaking > 0 {
                ExitCodes::FINDINGS
            } else {
                ExitCodes::OK
            })
        }
    }
}

/// `schemas export --every-release --out DIR`: one file per distinct release contract and `index.json`.
fn export_every_release(format: export::Format, dir: &std::path::Path) -> Result<u8, Error> {
    let name = match format {
        export::Format::Bundle => "bundle",
        export::Format::Openapi => "openapi",
        export::Format::Asyncapi => "asyncapi",
    };
    std::fs::create_dir_all(dir).map_err(|e| at(dir, e))?;
    let catalog = Catalog::shared()?;
    let mut contracts = Vec::new();
    for (releases, doc) in export::every_release(catalog, format)? {
        let Some(newest) = releases.newest() else {
            continue;
        };
        let file = format!("{name}-{newest}.json");
        let path = dir.join(&file);
        std::fs::write(&path, export::to_text(&doc)).map_err(|e| at(&path, e))?;
        let events = catalog.events(hookcheck::Profile::Release(newest))?;
        contracts.push(json!({
            "file": file,
            "releases": releases.iter().map(|r| r.version()).collect::<Vec<_>>(),
            "ranges": releases.to_string(),
            "events": events.iter().map(|e| e.as_str()).collect::<Vec<_>>(),
        }));
    }
    let index = json!({
        "description": "One export per distinct Chatwoot release contract (releases whose contracts are \
            identical share one), with the releases and the events of each. A payload that none of them \
            accepts conforms to no release. hookcheck's compat is stricter than `one of them accepts`: it \
            also rejects a payload whose only accepting releases never sent some of its keys.",
        "generated_by": format!("hookcheck {}", env!("CARGO_PKG_VERSION")),
        "format": name,
        "contracts": contracts,
    });
    let path = dir.join("index.json");
    std::fs::write(&path, export::to_text(&index)).map_err(|e| at(&path, e))?;
    Ok(ExitCodes::OK)
}

/// A write error that names the file.
fn at(path: &std::path::Path, e: io::Error) -> Error {
    Error::Write(io::Error::new(e.kind(), format!("{}: {e}", path.display())))
}

fn list() -> Result<u8, Error> {
    let catalog = Catalog::shared()?;
    let mut out = io::stdout().lock();
    for f in catalog.files() {
        let title = f
            .document
            .get("title")
            .and_then(Value::as_str)
            .unwrap_or("");
        writeln!(out, "{:<58} {title}", f.path).map_err(Error::Write)?;
    }
    Ok(ExitCodes::OK)
}

fn show(path: &str) -> Result<u8, Error> {
    let catalog = Catalog::shared()?;
    let wanted = path.trim_start_matches("schemas/");
    let f = catalog.file(wanted).ok_or_else(|| {
        // The nearest path, or the one whose file name matches (`contact_created.json`).
        let near = catalog
            .files()
            .iter()
            .map(|f| (hookcheck::event::levenshtein(wanted, f.path), f.path))
            .filter(|(d, p)| *d <= wanted.len() / 3 || p.ends_with(&format!("/{wanted}")))
            .min();
        Error::Unknown {
            what: "schema file",
            given: path.to_string(),
            hint: match near {
                Some((_, p)) => {
                    format!("; did you mean `{p}`? (`hookcheck schemas list` lists them)")
                }
                None => "; run `hookcheck schemas list` for the list".into(),
            },
        }
    })?;
    io::stdout()
        .lock()
        .write_all(f.text.as_bytes())
        .map_err(Error::Write)?;
    Ok(ExitCodes::OK)
}

fn place(c: &Change) -> String {
    let mut s = format!(
        "{}  {}",
        if c.event.is_empty() { "-" } else { &c.event },
        if c.pointer.is_empty() {
            "/"
        } else {
            &c.pointer
        }
    );
    if !c.branch.is_empty() {
        s.push_str(&format!("  ({})", c.branch.join("; ")));
    }
    s
}

/// Writes the grouped report; returns the number of breaking changes (places) for `audience`.
fn human(
    out: &mut impl Write,
    old: &SchemaSet,
    new: &SchemaSet,
    changes: &[Change],
    audience: Audience,
    profile: Option<Profile>,
) -> io::Result<usize> {
    let profile_note = match profile {
        Some(profile) if old.directory || new.directory => {
            format!("; directories under profile {profile}")
        }
        _ => String::new(),
    };
    writeln!(
        out,
        "hookcheck schemas diff: {} -> {} ({} events -> {}{profile_note})",
        old.origin,
        new.origin,
        diff::event_count(old),
        diff::event_count(new)
    )?;
    // Group identical changes (same kind and message) across places.
    let mut groups: BTreeMap<(bool, &str, &str), Vec<&Change>> = BTreeMap::new();
    for c in changes {
        let breaking = c.breaks(audience);
        groups
            .entry((!breaking, c.kind.name(), c.message.as_str()))
            .or_default()
            .push(c);
    }
    const SHOWN: usize = 6;
    for ((not_breaking, kind, message), places) in &groups {
        let who = places[0].breaking_for();
        let head = if *not_breaking {
            if who.is_empty() {
                "note".to_string()
            } else {
                format!("note (breaks {} only)", who.join(", "))
            }
        } else {
            format!("BREAKING for {}", who.join(" and "))
        };
        writeln!(out, "\n{head}: {kind}: {message}")?;
        for c in places.iter().take(SHOWN) {
            writeln!(out, "    {}", place(c))?;
        }
        if places.len() > SHOWN {
            let more = places.len() - SHOWN;
            writeln!(
                out,
                "    ... and {}",
                hookcheck::report::count(more, "more place", "more places")
            )?;
        }
    }
    let count = |a: Audience| changes.iter().filter(|c| c.breaks(a)).count();
    let breaking = changes.iter().filter(|c| c.breaks(audience)).count();
    writeln!(
        out,
        "\n{} changes at {} places: {} break consumers, {} break senders, {} break no one{}",
        groups.len(),
        changes.len(),
        count(Audience::Consumers),
        count(Audience::Senders),
        changes.iter().filter(|c| !c.breaks(Audience::Both)).count(),
        match (breaking, audience) {
            (0, _) => " -> OK".to_string(),
            (_, Audience::Both) => " -> breaking".to_string(),
            (_, Audience::Consumers) => " -> breaking for consumers".to_string(),
            (_, Audience::Senders) => " -> breaking for senders".to_string(),
        }
    )?;
    Ok(breaking)
}

fn json_lines(out: &mut impl Write, changes: &[Change], audience: Audience) -> io::Result<usize> {
    for c in changes {
        let line = json!({
            "type": "change",
            "kind": c.kind.name(),
            "breaking_for": c.breaking_for(),
            "event": c.event,
            "pointer": c.pointer,
            "branch": c.branch,
            "message": c.message,
        });
        writeln!(out, "{line}")?;
    }
    let count = |a: Audience| changes.iter().filter(|c| c.breaks(a)).count();
    let breaking = count(audience);
    let summary = json!({
        "type": "summary",
        "audience": match audience { Audience::Consumers => "consumers", Audience::Senders => "senders", Audience::Both => "both" },
        "changes": changes.len(),
        "breaking_consumers": count(Audience::Consumers),
        "breaking_senders": count(Audience::Senders),
        "non_breaking": changes.iter().filter(|c| !c.breaks(Audience::Both)).count(),
        "breaking": breaking > 0,
    });
    writeln!(out, "{summary}")?;
    Ok(breaking)
}

/// The markers around the generated release table in `schemas/README.md`.
pub const TABLE_START: &str = "<!-- release-table -->";
/// See [`TABLE_START`].
pub const TABLE_END: &str = "<!-- /release-table -->";

/// `text` with the release table between its markers replaced by `table`, or `None` without markers.
pub fn with_release_table(text: &str, table: &str) -> Option<String> {
    let start = text.find(TABLE_START)? + TABLE_START.len();
    let end = start + text[start..].find(TABLE_END)?;
    Some(format!(
        "{}\n(Generated by `hookcheck schemas history --write-readme schemas/README.md`; do not edit by hand.)\n\n{table}{}",
        &text[..start],
        &text[end..]
    ))
}

fn history(write_readme: Option<&std::path::Path>) -> Result<u8, Error> {
    let catalog = Catalog::shared()?;
    let table =
        hookcheck::schema::history::markdown(&hookcheck::schema::history::changes(catalog.files()));
    match write_readme {
        None => io::stdout()
            .lock()
            .write_all(table.as_bytes())
            .map_err(Error::Write)?,
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
                path: path.to_path_buf(),
                source,
            })?;
            let Some(updated) = with_release_table(&text, &table) else {
                return Err(Error::Unknown {
                    what: "release-table markers in",
                    given: path.display().to_string(),
                    hint: format!("; add `{TABLE_START}` and `{TABLE_END}` where the table goes"),
                });
            };
            std::fs::write(path, updated).map_err(Error::Write)?;
        }
    }
    Ok(ExitCodes::OK)
}

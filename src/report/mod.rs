//! Rendering reports: one finding model, human and JSON-lines output ([`delivery`] for `verify`).
//!
//! ## JSON lines (`--format json`)
//!
//! One JSON object per line. Every line has a `type`:
//!
//! * `finding`: `{"type":"finding","source":"path or -","line":12|null,"event":"message_created"|null,
//!   "profile":"compat","severity":"error"|"warning","rule":"schema/type","pointer":"/id",
//!   "schema":"chatwoot/_defs/common.json#/$defs/id/type"|null,"message":"...","value":"\"1\""|null}`
//! * `input_error`: `{"type":"input_error","source":"...","message":"..."}` for an input that could not be read;
//! * `summary` (last line): `{"type":"summary","payloads":N,"conforming":N,"violating":N,"errors":N,
//!   "warnings":N,"input_errors":N}`.
//!
//! Field names are stable; new fields may be added.
pub mod delivery;

use std::io::{self, Write};

use serde::Serialize;

use crate::{finding::Finding, validate::Report};

/// Output format of `hookcheck validate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// Readable blocks per finding and a summary line.
    #[default]
    Human,
    /// One JSON object per finding per line, then a summary object (see the module docs).
    Json,
}

/// Where a payload came from.
#[derive(Debug, Clone, Copy)]
pub struct Origin<'a> {
    /// File path, or `-` for stdin, or `embedded:<path>`.
    pub source: &'a str,
    /// Line number in a line-split input.
    pub line: Option<usize>,
}

/// Counts over a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// Payloads checked.
    pub payloads: usize,
    /// Payloads with no error (warnings allowed unless denied).
    pub conforming: usize,
    /// Payloads with an error (or a warning under `--deny-warnings`).
    pub violating: usize,
    /// Error findings.
    pub errors: usize,
    /// Warning findings.
    pub warnings: usize,
    /// Inputs that could not be read.
    pub input_errors: usize,
}

/// Writes reports as they are produced, so memory does not grow with the number of payloads.
pub struct Reporter<W: Write> {
    out: W,
    format: Format,
    deny_warnings: bool,
    verbose: bool,
    totals: Totals,
}

#[derive(Serialize)]
struct FindingLine<'a> {
    r#type: &'static str,
    source: &'a str,
    line: Option<usize>,
    event: Option<&'a str>,
    profile: &'a str,
    #[serde(flatten)]
    finding: &'a Finding,
}

impl<W: Write> Reporter<W> {
    /// A reporter writing to `out`.
    pub fn new(out: W, format: Format, deny_warnings: bool, verbose: bool) -> Self {
        Self {
            out,
            format,
            deny_warnings,
            verbose,
            totals: Totals::default(),
        }
    }

    /// The counts so far.
    pub fn totals(&self) -> Totals {
        self.totals
    }

    /// Renders one payload's report.
    ///
    /// # Errors
    /// Writing failed.
    pub fn payload(&mut self, origin: Origin<'_>, report: &Report) -> io::Result<()> {
        let t = &mut self.totals;
        t.payloads += 1;
        let conforms = report.conforms(self.deny_warnings);
        if conforms {
            t.conforming += 1;
        } else {
            t.violating += 1;
        }
        t.errors += report.errors().count();
        t.warnings += report.warnings().count();
        match self.format {
            Format::Json => {
                for f in &report.findings {
                    let line = FindingLine {
                        r#type: "finding",
                        source: origin.source,
                        line: origin.line,
                        event: report.event.as_deref(),
                        profile: report.profile.name(),
                        finding: f,
                    };
                    serde_json::to_writer(&mut self.out, &line)?;
                    self.out.write_all(b"\n")?;
                }
            }
            Format::Human => {
                let place = match origin.line {
                    Some(n) => format!("{}:{n}", origin.source),
                    None => origin.source.to_string(),
                };
                if self.verbose && report.findings.is_empty() {
                    writeln!(self.out, "ok: {place} ({})", event_label(report))?;
                }
                for f in &report.findings {
                    writeln!(self.out, "{}[{}]: {}", f.severity, f.rule, f.message)?;
                    let at = if f.pointer.is_empty() {
                        "(root)"
                    } else {
                        f.pointer.as_str()
                    };
                    writeln!(
                        self.out,
                        "  --> {place} at {at}  ({}, profile {})",
                        event_label(report),
                        report.profile
                    )?;
                    if let Some(v) = &f.value {
                        writeln!(self.out, "   = value: {v}")?;
                    }
                    if let Some(s) = &f.schema {
                        writeln!(self.out, "   = schema: {s}")?;
                    }
                }
                if !report.findings.is_empty() {
                    writeln!(self.out)?;
                }
            }
        }
        Ok(())
    }

    /// Renders an input that could not be read.
    ///
    /// # Errors
    /// Writing failed.
    pub fn input_error(&mut self, source: &str, message: &str) -> io::Result<()> {
        self.totals.input_errors += 1;
        match self.format {
            Format::Json => {
                let line = serde_json::json!({"type": "input_error", "source": source, "message": message});
                writeln!(self.out, "{line}")
            }
            Format::Human => writeln!(self.out, "input error: {source}: {message}\n"),
        }
    }

    /// Renders the summary and returns the totals.
    ///
    /// # Errors
    /// Writing failed.
    pub fn finish(mut self) -> io::Result<Totals> {
        let t = self.totals;
        match self.format {
            Format::Json => {
                let mut v = serde_json::to_value(t).map_err(io::Error::other)?;
                if let Some(o) = v.as_object_mut() {
                    o.insert("type".into(), "summary".into());
                }
                writeln!(self.out, "{v}")?;
            }
            Format::Human => {
                writeln!(
                    self.out,
                    "checked {} payload{}: {} conform, {} violate the contract ({} error{}, {} warning{}){}",
                    t.payloads,
                    plural(t.payloads),
                    t.conforming,
                    t.violating,
                    t.errors,
                    plural(t.errors),
                    t.warnings,
                    plural(t.warnings),
                    if t.input_errors > 0 { format!("; {} input(s) could not be read", t.input_errors) } else { String::new() }
                )?;
            }
        }
        self.out.flush()?;
        Ok(t)
    }
}

fn event_label(report: &Report) -> String {
    match &report.event {
        Some(e) => format!("event {e}"),
        None => "event unknown".to_string(),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

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
#[cfg(feature = "fire")]
pub mod fire;

use std::io::{self, Write};

use serde::Serialize;

use crate::{finding::Finding, validate::Report};

/// Output format of `hookcheck validate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
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
        let mut text = Vec::new();
        let tally = self.renderer().render(origin, report, &mut text);
        self.rendered(tally, &text)
    }

    /// The renderer of this reporter's settings, to render payloads on other threads
    /// ([`Reporter::rendered`] then writes them in order).
    pub fn renderer(&self) -> Renderer {
        Renderer {
            format: self.format,
            deny_warnings: self.deny_warnings,
            verbose: self.verbose,
        }
    }

    /// Writes a payload that [`Renderer::render`] rendered, and counts it.
    ///
    /// # Errors
    /// Writing failed.
    pub fn rendered(&mut self, tally: Tally, text: &[u8]) -> io::Result<()> {
        let t = &mut self.totals;
        t.payloads += 1;
        if tally.conforms {
            t.conforming += 1;
        } else {
            t.violating += 1;
        }
        t.errors += tally.errors;
        t.warnings += tally.warnings;
        self.out.write_all(text)
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
                    if t.input_errors > 0 { format!("; {} could not be read", count(t.input_errors, "input", "inputs")) } else { String::new() }
                )?;
            }
        }
        self.out.flush()?;
        Ok(t)
    }
}

/// Renders payload reports in a [`Reporter`]'s format; `Copy` and `Send`, so worker threads can render
/// while the reporter writes in input order.
#[derive(Debug, Clone, Copy)]
pub struct Renderer {
    format: Format,
    deny_warnings: bool,
    verbose: bool,
}

/// What one rendered payload adds to the [`Totals`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    /// The payload conforms (see [`Report::conforms`]).
    pub conforms: bool,
    /// Its error findings.
    pub errors: usize,
    /// Its warning findings.
    pub warnings: usize,
}

impl Renderer {
    /// Appends the rendering of one payload's report to `out`.
    pub fn render(&self, origin: Origin<'_>, report: &Report, out: &mut Vec<u8>) -> Tally {
        let tally = Tally {
            conforms: report.conforms(self.deny_warnings),
            errors: report.errors().count(),
            warnings: report.warnings().count(),
        };
        // Writing to a Vec cannot fail; a finding that cannot be serialised (it always can) would
        // show as a truncated line rather than vanish silently.
        let _ = self.write(origin, report, out);
        tally
    }

    fn write(&self, origin: Origin<'_>, report: &Report, out: &mut Vec<u8>) -> io::Result<()> {
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
                    serde_json::to_writer(&mut *out, &line)?;
                    out.push(b'\n');
                }
            }
            Format::Human => {
                let place = match origin.line {
                    Some(n) => format!("{}:{n}", origin.source),
                    None => origin.source.to_string(),
                };
                if self.verbose && report.findings.is_empty() {
                    writeln!(out, "ok: {place} ({})", event_label(report))?;
                }
                // Messages, pointers and values carry payload text (keys, strings): escaped, so a
                // payload cannot forge report lines or drive the terminal.
                let place = crate::escape::text(&place);
                for f in &report.findings {
                    writeln!(
                        out,
                        "{}[{}]: {}",
                        f.severity,
                        f.rule,
                        crate::escape::text(&f.message)
                    )?;
                    let at = if f.pointer.is_empty() {
                        "(root)".into()
                    } else {
                        crate::escape::text(&f.pointer)
                    };
                    let judged = match &f.release {
                        Some(r) => format!(", closest release {r}"),
                        None => String::new(),
                    };
                    writeln!(
                        out,
                        "  --> {place} at {at}  ({}, profile {}{judged})",
                        event_label(report),
                        report.profile
                    )?;
                    if let Some(v) = &f.value {
                        writeln!(out, "   = value: {}", crate::escape::text(v))?;
                    }
                    if let Some(s) = &f.schema {
                        writeln!(out, "   = schema: {s}")?;
                    }
                }
                if let (Some(r), false) = (report.closest, report.conforms(false)) {
                    writeln!(
                        out,
                        "note: no Chatwoot release sends this payload; closest release: {r} (findings judged against it)"
                    )?;
                }
                if !report.findings.is_empty() {
                    writeln!(out)?;
                }
            }
        }
        Ok(())
    }
}

fn event_label(report: &Report) -> String {
    match &report.event {
        Some(e) => format!("event {}", crate::escape::short(e, 64)),
        None => "event unknown".to_string(),
    }
}

/// `n` and the noun that agrees with it, so that every count hookcheck prints reads right.
///
/// ```
/// assert_eq!(hookcheck::report::count(1, "delivery", "deliveries"), "1 delivery");
/// assert_eq!(hookcheck::report::count(2, "delivery", "deliveries"), "2 deliveries");
/// ```
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

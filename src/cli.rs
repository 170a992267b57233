//! The command line: `hookcheck validate` and `hookcheck schemas`.
use std::{io, path::PathBuf, process::ExitCode};

use clap::{Parser, Subcommand};
use serde_json::Value;

use crate::{
    error::Error,
    event::EventName,
    exit::ExitCodes,
    input,
    profile::Profile,
    report::{Format, Origin, Reporter},
    schema::Catalog,
    validate::{decode, Options, Report, DEFAULT_MAX_BYTES},
};

const EXIT_HELP: &str = "Exit codes:
  0  every payload (delivery) conforms (warnings allowed unless --deny-warnings)
  1  at least one payload (delivery) violates the contract
  2  usage error, or an input that could not be read
  4  verify/listen: no delivery arrived at all; fire: the consumer could not be reached";

/// Contract testing for Chatwoot-style webhooks.
#[derive(Debug, Parser)]
#[command(name = "hookcheck", version, about, after_help = EXIT_HELP)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check webhook payloads against the contract.
    ///
    /// Inputs: files (`.json` = one payload, `.ndjson`/`.jsonl` = one per line, other names sniffed),
    /// directories (searched recursively for those three extensions), `-` for stdin (NDJSON or one
    /// document). With no input, checks the contract examples embedded in hookcheck.
    ///
    /// A `.json` file holding `{"headers": {...}, "body": {...}}` without an `event` key is a recorded
    /// delivery: its `body` is checked and pointers start with `/body`.
    #[command(after_help = EXIT_HELP)]
    Validate(ValidateArgs),
    /// Generate payloads from the schemas: valid, or broken in exactly one way (NDJSON on stdout).
    ///
    /// The same seed always gives byte-identical output; the seed in use is printed on stderr.
    Generate(GenerateArgs),
    /// Check a sender's deliveries: start a receiver, run CMD with WEBHOOK_URL, WEBHOOK_SECRET and
    /// WEBHOOK_EVENTS in its environment, and check every request it sends.
    ///
    /// Without CMD, the embedded reference sender delivers generated payloads of every subscribed event
    /// (the main job on its embedded default).
    #[command(after_help = EXIT_HELP)]
    Verify(crate::cli_verify::VerifyArgs),
    /// A long-running receiver for live traffic: one line per delivery with its verdict, a summary on
    /// Ctrl-C, and with --record every delivery saved for `hookcheck validate`.
    #[command(after_help = EXIT_HELP)]
    Listen(crate::cli_verify::ListenArgs),
    /// Test a webhook consumer: deliver generated, correctly signed webhooks (and forged and hostile ones)
    /// to URL, judge every answer, shrink each failure to a minimal payload, and group what failed.
    ///
    /// Exit codes: 0 no failure, 1 failures (or, with --replay, a delivery still failing), 2 usage error,
    /// 4 the consumer could not be reached at all.
    #[command(after_help = EXIT_HELP)]
    Fire(crate::cli_fire::FireArgs),
    /// The schema files: list, show, export (bundle, OpenAPI 3.1, AsyncAPI 3.0), diff.
    #[command(subcommand)]
    Schemas(crate::cli_schemas::SchemasCommand),
}

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("which").required(true).args(["event", "all"])))]
struct GenerateArgs {
    /// Generate payloads of this event.
    #[arg(long, value_name = "NAME")]
    event: Option<String>,
    /// Generate payloads of every event (COUNT each).
    #[arg(long)]
    all: bool,
    /// Payloads per event.
    #[arg(long, default_value_t = 10)]
    count: usize,
    /// Seed (default: random, printed on stderr).
    #[arg(long)]
    seed: Option<u64>,
    /// Version profile: `compat` or `v4.15`.
    #[arg(long, default_value = "compat", value_name = "PROFILE")]
    profile: String,
    /// Break each payload in exactly one way; the expected finding of each line goes to --expect, or, without
    /// it, into a `_hookcheck_expect` key of the payload.
    #[arg(long)]
    invalid: bool,
    /// With --invalid: write one expectation per line here (NDJSON: line, event, class, pointer, rule).
    #[arg(long, value_name = "FILE", requires = "invalid")]
    expect: Option<PathBuf>,
    /// Print the coverage table (enum values, optional keys, branches) instead of payloads.
    #[arg(long)]
    coverage: bool,
}

#[derive(Debug, clap::Args)]
struct ValidateArgs {
    /// Files, directories, or `-` for stdin. None: the embedded contract examples.
    paths: Vec<PathBuf>,
    /// Check every payload as this event, whatever its `event` key says.
    #[arg(long, value_name = "NAME")]
    event: Option<String>,
    /// Version profile: `compat` (any release since 2.0) or `v4.15` (the current release).
    #[arg(long, default_value = "compat", value_name = "PROFILE")]
    profile: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Treat warnings (unknown keys) as violations.
    #[arg(long)]
    deny_warnings: bool,
    /// Size cap per payload in bytes; larger payloads are a `json/too-large` finding.
    #[arg(long, default_value_t = DEFAULT_MAX_BYTES, value_name = "BYTES")]
    max_bytes: usize,
    /// Also print a line for every conforming payload.
    #[arg(short, long)]
    verbose: bool,
}

/// Runs the command line and maps the outcome to an exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() {
                ExitCodes::TOOL_ERROR
            } else {
                ExitCodes::OK
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(Error::Write(e)) if e.kind() == io::ErrorKind::BrokenPipe => {
            ExitCode::from(ExitCodes::OK)
        }
        Err(e) => {
            eprintln!("hookcheck: {e}");
            ExitCode::from(ExitCodes::TOOL_ERROR)
        }
    }
}

fn run(cli: Cli) -> Result<u8, Error> {
    match cli.command {
        Command::Validate(args) => validate(args),
        Command::Verify(args) => crate::cli_verify::verify(args),
        Command::Listen(args) => crate::cli_verify::listen(args),
        Command::Generate(args) => crate::cli_generate::run(
            args.event.as_deref(),
            args.all,
            args.count,
            args.seed,
            &args.profile,
            args.invalid,
            args.expect.as_deref(),
            args.coverage,
        ),
        Command::Fire(args) => crate::cli_fire::run(args),
        Command::Schemas(cmd) => crate::cli_schemas::run(cmd),
    }
}

/// Checks one payload's bytes, unwrapping a recorded-delivery envelope.
pub(crate) fn check_bytes(catalog: &Catalog, bytes: &[u8], opts: &Options) -> Report {
    let mut findings = Vec::new();
    let Some(value) = decode(bytes, opts.max_bytes, &mut findings) else {
        crate::validate::finish(&mut findings);
        return Report {
            profile: opts.profile,
            event: None,
            findings,
        };
    };
    let (payload, prefix) = match envelope_body(&value) {
        Some(body) => (body, "/body"),
        None => (&value, ""),
    };
    let event = catalog.check_value(payload, prefix, opts, &mut findings);
    let mut report = Report {
        profile: opts.profile,
        event: event.map(|e| e.as_str().to_string()),
        findings,
    };
    crate::validate::finish(&mut report.findings);
    report
}

/// A recorded delivery `{"headers": {...}, "body": {...}}` (no top-level `event`): its body.
fn envelope_body(value: &Value) -> Option<&Value> {
    let obj = value.as_object()?;
    if obj.contains_key("event") {
        return None;
    }
    obj.get("body").filter(|b| b.is_object())
}

fn validate(args: ValidateArgs) -> Result<u8, Error> {
    let profile: Profile = args.profile.parse()?;
    let event = args
        .event
        .as_deref()
        .map(str::parse::<EventName>)
        .transpose()?;
    let opts = Options {
        profile,
        event,
        max_bytes: args.max_bytes,
    };
    let catalog = Catalog::shared()?;
    // Clean payloads need only the compile-time verdict; the first one with findings needs the run-time
    // validators, which compile on the other core meanwhile.
    catalog.prepare(profile);
    let stdout = io::stdout().lock();
    let mut reporter = Reporter::new(
        io::BufWriter::new(stdout),
        args.format,
        args.deny_warnings,
        args.verbose,
    );

    if args.paths.is_empty() {
        let examples = catalog.examples();
        eprintln!(
            "hookcheck: no input given; checking the {} embedded contract examples",
            examples.len()
        );
        for ex in examples {
            let source = format!("embedded:examples/{}", ex.path);
            let report = check_bytes(catalog, ex.text.as_bytes(), &opts);
            reporter
                .payload(
                    Origin {
                        source: &source,
                        line: None,
                    },
                    &report,
                )
                .map_err(Error::Write)?;
        }
    } else {
        let (inputs, errors) = input::expand(&args.paths);
        for e in errors {
            eprintln!("hookcheck: {e}");
            let (source, message) = match &e {
                Error::Read { path, source } => (path.display().to_string(), source.to_string()),
                other => (String::new(), other.to_string()),
            };
            reporter
                .input_error(&source, &message)
                .map_err(Error::Write)?;
        }
        crate::cli_parallel::run(catalog, &inputs, &opts, &mut reporter)?;
    }
    let totals = reporter.finish().map_err(Error::Write)?;
    Ok(if totals.input_errors > 0 {
        ExitCodes::TOOL_ERROR
    } else if totals.violating > 0 {
        ExitCodes::FINDINGS
    } else {
        ExitCodes::OK
    })
}

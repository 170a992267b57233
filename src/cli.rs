//! The command line: `hookcheck validate` and `hookcheck schemas`.
use std::{io, path::PathBuf, process::ExitCode};

use clap::{Parser, Subcommand};
use serde_json::Value;

use crate::{
    error::Error,
    event::EventName,
    exit::ExitCodes,
    finding::Finding,
    input,
    profile::Profile,
    report::{Format, Origin, Reporter},
    schema::Catalog,
    validate::{decode, Options, Report, DEFAULT_MAX_BYTES},
};

const EXIT_HELP: &str = "Exit codes:
  0  every payload (delivery) conforms (warnings allowed unless --deny-warnings)
  1  at least one payload (delivery) violates the contract
  2  usage error, or an input that could not be read; listen: a delivery could not be
     printed or recorded (it was answered 500, not acknowledged)
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
    #[command(
        after_help = EXIT_HELP,
        mut_arg("secret", |a| a.help(
            "The webhook secret, given to CMD as WEBHOOK_SECRET (visible in `ps`: prefer --secret-file or \
             HOOKCHECK_SECRET). Default: a fresh random one")),
        mut_arg("path", |a| a.help(
            "The path deliveries must use: WEBHOOK_URL ends with it")),
        mut_arg("events", |a| a.help(
            "Subscribed events, comma-separated, given to CMD as WEBHOOK_EVENTS: a delivery of another \
             event is a finding (default: every event of the payload contract)")),
    )]
    Verify(crate::cli_verify::VerifyArgs),
    /// A long-running receiver for live traffic: one line per delivery with its verdict, a summary on
    /// Ctrl-C or SIGTERM, and with --record every delivery saved for `hookcheck validate`.
    ///
    /// A delivery is answered 200 only after its line was printed and its record written; if that fails
    /// it is answered 500 and counted as lost (exit 2). Bodies over the delivery profile's max_body_bytes
    /// get 413; slow headers or bodies are cut off after --read-timeout.
    #[command(
        after_help = EXIT_HELP,
        mut_arg("secret", |a| a.help(
            "The webhook secret: with it, every signature is verified (visible in `ps`: prefer \
             --secret-file or HOOKCHECK_SECRET). Without it, signatures are not verified")),
        mut_arg("path", |a| a.help(
            "The path every delivery must use (others are a delivery/path finding); default: any path")),
        mut_arg("events", |a| a.help(
            "Subscribed events, comma-separated: a delivery of another event is a finding (default: \
             every event of the payload contract)")),
    )]
    Listen(crate::cli_listen::ListenArgs),
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
    /// Which Chatwoot releases would have sent these payloads (`fits 2.12.1-2.16.0`), or the closest one.
    ///
    /// Inputs as for `validate` (files, directories, NDJSON, `-`); with none, the embedded examples. With
    /// --list, the known releases and the events each sends.
    #[command(
        after_help = "Exit codes:\n  0  every payload fits at least one release\n  \
                            1  a payload fits no release\n  2  usage error, or an input that could not be read"
    )]
    Releases(crate::cli_releases::ReleasesArgs),
}

/// Which payload contract a command checks or generates: `--profile` or `--release` (the same choice).
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct ContractArgs {
    /// Payload contract: `compat` (a payload conforms when some release from 2.0.0 to 4.15.1 would have
    /// sent it), `v4.15` (= --release 4.15.1), or a release X.Y.Z.
    #[arg(long, default_value = "compat", value_name = "PROFILE")]
    profile: String,
    /// Exactly what one Chatwoot release sends, X.Y.Z (`hookcheck releases --list` lists them).
    #[arg(long, value_name = "X.Y.Z", conflicts_with = "profile")]
    release: Option<String>,
}

impl ContractArgs {
    /// The chosen profile.
    pub(crate) fn profile(&self) -> Result<Profile, Error> {
        match &self.release {
            Some(r) => Profile::release(r),
            None => self.profile.parse(),
        }
    }
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
    #[command(flatten)]
    contract: ContractArgs,
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
    #[command(flatten)]
    contract: ContractArgs,
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
        Command::Listen(args) => crate::cli_listen::listen(args),
        Command::Generate(args) => crate::cli_generate::run(
            args.event.as_deref(),
            args.all,
            args.count,
            args.seed,
            args.contract.profile()?,
            args.invalid,
            args.expect.as_deref(),
            args.coverage,
        ),
        Command::Fire(args) => crate::cli_fire::run(args),
        Command::Schemas(cmd) => crate::cli_schemas::run(cmd),
        Command::Releases(args) => crate::cli_releases::run(args),
    }
}

/// The largest `.json` file `validate` reads when payloads are capped at `max_bytes`: a delivery file's body
/// (checked against `max_bytes`) may be written with every byte escaped (`\u0000`, six bytes) or as base64.
pub(crate) fn delivery_file_cap(max_bytes: usize) -> usize {
    max_bytes.saturating_mul(6).saturating_add(1024 * 1024)
}

/// Whether `bytes` declare themselves a delivery file (writers put `hookcheck_delivery` first; a hand-edited
/// file may move it, so the first 4 KiB are searched).
fn is_delivery_file(bytes: &[u8]) -> bool {
    const KEY: &[u8] = b"\"hookcheck_delivery\"";
    bytes[..bytes.len().min(4096)]
        .windows(KEY.len())
        .any(|w| w == KEY)
}

/// Checks one payload's bytes, unwrapping a recorded-delivery envelope. A delivery file
/// ([`replay`](crate::replay)) is checked by its exact body (`raw_body`/`raw_body_base64`), as `listen`
/// checked it live, so the verdicts agree; pointers are into that body.
pub(crate) fn check_bytes(catalog: &Catalog, bytes: &[u8], opts: &Options) -> Report {
    if is_delivery_file(bytes) {
        return check_delivery_file(catalog, bytes, opts);
    }
    let mut findings = Vec::new();
    let Some(value) = decode(bytes, opts.max_bytes, &mut findings) else {
        crate::validate::finish(&mut findings);
        return Report {
            profile: opts.profile,
            event: None,
            findings,
            closest: None,
        };
    };
    if is_legacy_record(&value) {
        return check_delivery_file(catalog, bytes, opts);
    }
    let (payload, prefix) = match envelope_body(&value) {
        Some(body) => (body, "/body"),
        None => (&value, ""),
    };
    let (event, closest) = catalog.check_value_judged(payload, prefix, opts, &mut findings);
    finished(opts, event, findings, closest)
}

/// A record of the old `listen --record` format: `method`, `headers` as an object, `raw_body` as text.
fn is_legacy_record(value: &Value) -> bool {
    value.as_object().is_some_and(|o| {
        !o.contains_key("event")
            && o.contains_key("method")
            && o.get("headers").is_some_and(Value::is_object)
            && o.get("raw_body").is_some_and(Value::is_string)
    })
}

fn check_delivery_file(catalog: &Catalog, bytes: &[u8], opts: &Options) -> Report {
    let mut findings = Vec::new();
    let mut event = None;
    let mut closest = None;
    match crate::replay::DeliveryFile::from_json(bytes, "delivery file") {
        Ok(file) => {
            if let Some(value) = decode(&file.body, opts.max_bytes, &mut findings) {
                (event, closest) = catalog.check_value_judged(&value, "", opts, &mut findings);
            }
        }
        Err(crate::replay::ReplayError::Format {
            pointer, message, ..
        }) => findings.push(Finding::error(
            crate::finding::rule::RECORD_FORMAT,
            if pointer == "(root)" {
                String::new()
            } else {
                pointer
            },
            format!("not a readable delivery file: {message}"),
        )),
        Err(e) => findings.push(Finding::error(
            crate::finding::rule::RECORD_FORMAT,
            "",
            e.to_string(),
        )),
    }
    finished(opts, event, findings, closest)
}

/// The report of one input, its findings sorted and capped.
fn finished(
    opts: &Options,
    event: Option<EventName>,
    findings: Vec<Finding>,
    closest: Option<crate::release::Release>,
) -> Report {
    let mut report = Report {
        profile: opts.profile,
        event: event.map(|e| e.as_str().to_string()),
        findings,
        closest,
    };
    crate::validate::finish(&mut report.findings);
    report
}

/// A recorded delivery `{"headers": {...}, "body": {...}}` (no top-level `event`): its body.
pub(crate) fn envelope_body(value: &Value) -> Option<&Value> {
    let obj = value.as_object()?;
    if obj.contains_key("event") {
        return None;
    }
    obj.get("body").filter(|b| b.is_object())
}

fn validate(args: ValidateArgs) -> Result<u8, Error> {
    let profile = args.contract.profile()?;
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
        // Reported once, in the report (stdout), in every format.
        for e in errors {
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

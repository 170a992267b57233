//! `hookcheck validate`: files, directories and NDJSON streams checked against the payload contract.
use std::{io, path::PathBuf};

use hookcheck::{
    document,
    error::Error,
    event::EventName,
    exit::ExitCodes,
    input,
    report::{Format, Origin, Reporter},
    schema::Catalog,
    validate::{Options, DEFAULT_MAX_BYTES},
};

use super::common::ContractArgs;

/// `hookcheck validate` arguments.
#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
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

pub fn run(args: ValidateArgs) -> Result<u8, Error> {
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
            let report = document::check(catalog, ex.text.as_bytes(), &opts);
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
        super::parallel::run(catalog, &inputs, &opts, &mut reporter)?;
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

//! The `hookcheck` command line: a thin layer over the library, one module per subcommand.
//!
//! Data flows one way: arguments are parsed here, the subcommand's module calls the library, and the
//! library's reporters write the output. Nothing in the library depends on this folder.
mod common;
mod fire;
mod generate;
mod listen;
mod parallel;
mod releases;
mod schemas;
mod validate;
mod verify;

use std::{io, process::ExitCode};

use clap::{Parser, Subcommand};

use hookcheck::{error::Error, exit::ExitCodes};

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
    Validate(validate::ValidateArgs),
    /// Generate payloads from the schemas: valid, or broken in exactly one way (NDJSON on stdout).
    ///
    /// The same seed always gives byte-identical output; the seed in use is printed on stderr.
    Generate(generate::GenerateArgs),
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
    Verify(verify::VerifyArgs),
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
    Listen(listen::ListenArgs),
    /// Test a webhook consumer: deliver generated, correctly signed webhooks (and forged and hostile ones)
    /// to URL, judge every answer, shrink each failure to a minimal payload, and group what failed.
    ///
    /// Exit codes: 0 no failure, 1 failures (or, with --replay, a delivery still failing), 2 usage error,
    /// 4 the consumer could not be reached at all.
    #[command(after_help = EXIT_HELP)]
    Fire(fire::FireArgs),
    /// The schema files: list, show, export (bundle, OpenAPI 3.1, AsyncAPI 3.0), diff.
    #[command(subcommand)]
    Schemas(schemas::SchemasCommand),
    /// Which Chatwoot releases would have sent these payloads (`fits 2.12.1-2.16.0`), or the closest one.
    ///
    /// Inputs as for `validate` (files, directories, NDJSON, `-`); with none, the embedded examples. With
    /// --list, the known releases and the events each sends.
    #[command(
        after_help = "Exit codes:\n  0  every payload fits at least one release\n  \
                            1  a payload fits no release\n  2  usage error, or an input that could not be read"
    )]
    Releases(releases::ReleasesArgs),
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
        Command::Validate(args) => validate::run(args),
        Command::Verify(args) => verify::verify(args),
        Command::Listen(args) => listen::listen(args),
        Command::Generate(args) => generate::run(args),
        Command::Fire(args) => fire::run(args),
        Command::Schemas(cmd) => schemas::run(cmd),
        Command::Releases(args) => releases::run(args),
    }
}

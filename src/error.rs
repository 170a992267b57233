//! Tool errors: what stops hookcheck from doing its job. A payload that breaks the contract is not an
//! error but a [`Finding`](crate::Finding).
use std::path::PathBuf;

/// Something stopped hookcheck from running: a schema that does not load, an unreadable input, a bad argument.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An embedded schema file is not valid JSON (a build-time mistake in `schemas/`).
    #[error("schema file `{path}` is not valid JSON: {source}")]
    SchemaJson {
        /// Path below `schemas/`.
        path: String,
        /// The parser's complaint.
        #[source]
        source: serde_json::Error,
    },
    /// A schema file lacks a required top-level keyword.
    #[error("schema file `{path}` has no {keyword}")]
    SchemaShape {
        /// Path below `schemas/`.
        path: String,
        /// The missing keyword, e.g. `$id`.
        keyword: &'static str,
    },
    /// A schema does not compile.
    #[error("schema `{id}` does not compile: {message}")]
    SchemaCompile {
        /// The schema's `$id` or file.
        id: String,
        /// The compiler's complaint.
        message: String,
    },
    /// Reading an input failed.
    #[error("cannot read `{path}`: {source}")]
    Read {
        /// The input path (`-` for stdin).
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// Writing an output file (`--expect`, `--junit`, ...) failed.
    #[error("cannot write `{path}`: {source}")]
    WriteFile {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// `verify -- CMD`: the command could not be started.
    #[error("cannot start `{command}`: {source}")]
    Spawn {
        /// The program.
        command: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A listening socket could not be opened.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// `listen --record DIR`: the directory cannot be created, is not a directory, or is not writable.
    #[error("cannot record into `{path}`: {reason}")]
    RecordDir {
        /// The directory.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The webhook secret given cannot be used.
    #[error("unusable secret: {0}")]
    Secret(String),
    /// Writing output failed.
    #[error("cannot write output: {0}")]
    Write(#[source] std::io::Error),
    /// A delivery profile file that cannot be used: every problem, each with its JSON Pointer.
    #[error("delivery profile file `{}`: {}", path.display(), problems.join("; "))]
    DeliveryProfileFile {
        /// The file.
        path: PathBuf,
        /// What is wrong, one entry per problem.
        problems: Vec<String>,
    },
    /// A name given on the command line or to the API is not known.
    #[error("unknown {what} `{given}`{hint}")]
    Unknown {
        /// What kind of name (`event`, `profile`).
        what: &'static str,
        /// What was given.
        given: String,
        /// `; did you mean ...?` or a list of choices.
        hint: String,
    },
}

/// `Result` with hookcheck's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

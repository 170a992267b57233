//! The `hookcheck` command: see `hookcheck --help` and the README.
fn main() -> std::process::ExitCode {
    hookcheck::cli::main()
}

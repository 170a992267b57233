//! The `hookcheck` command: see `hookcheck --help` and the README.
// mimalloc: schema compilation and validation allocate many small objects; with glibc's allocator a third
// of the instructions went to malloc/free (callgrind, see BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    hookcheck::cli::main()
}

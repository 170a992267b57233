//! The `hookcheck` command: see `hookcheck --help` and the README. The command line lives in `cli/`, a thin
//! layer over the library (`hookcheck = { default-features = false }` takes the library without it).
mod cli;

// mimalloc: schema compilation and validation allocate many small objects; with glibc's allocator a third
// of the instructions went to malloc/free (callgrind, see BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}

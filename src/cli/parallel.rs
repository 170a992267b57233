//! `validate` over many payloads on every core, in bounded memory, with output in input order.
//!
//! One thread reads records in batches; one worker per core checks and renders them; the calling thread
//! puts the batches back in order and writes them. Every channel is bounded, so memory stays flat however large
//! the input is (a 1 GB NDJSON file is read once, never held).
use std::{
    collections::BTreeMap,
    io::{IsTerminal, Write},
    sync::{mpsc, Arc, Mutex},
};

use hookcheck::{
    error::Error,
    finding::{rule, Finding},
    input::{self, Input, Records},
    report::{Origin, Renderer, Reporter, Tally},
    validate::{Options, Report},
    Catalog,
};

const BATCH: usize = 256;

enum Item {
    Payload {
        source: Arc<str>,
        line: Option<usize>,
        bytes: Vec<u8>,
        oversize: Option<usize>,
    },
    InputError {
        source: Arc<str>,
        message: String,
    },
}

enum Done {
    /// Rendered on the worker: the calling thread only writes bytes in order.
    Payload {
        tally: Tally,
        text: Vec<u8>,
    },
    InputError {
        source: Arc<str>,
        message: String,
    },
}

fn check(catalog: &Catalog, opts: &Options, renderer: Renderer, item: Item) -> Done {
    let (source, line, report) = match item {
        Item::InputError { source, message } => return Done::InputError { source, message },
        Item::Payload {
            source,
            line,
            oversize: Some(n),
            ..
        } => (
            source,
            line,
            Report {
                profile: opts.profile,
                event: None,
                findings: vec![Finding::error(
                    rule::JSON_TOO_LARGE,
                    "",
                    if n == input::UNMEASURED {
                        format!(
                            "payload is over the cap of {} bytes (reading stopped there)",
                            opts.max_bytes
                        )
                    } else {
                        format!(
                            "payload is {n} bytes, over the cap of {} bytes",
                            opts.max_bytes
                        )
                    },
                )],
                closest: None,
            },
        ),
        Item::Payload {
            source,
            line,
            bytes,
            ..
        } => (
            source,
            line,
            hookcheck::document::check(catalog, &bytes, opts),
        ),
    };
    let mut text = Vec::new();
    let tally = renderer.render(
        Origin {
            source: &source,
            line,
        },
        &report,
        &mut text,
    );
    Done::Payload { tally, text }
}

/// Reads every input, checks every payload, and renders them in input order.
pub fn run<W: Write>(
    catalog: &Catalog,
    inputs: &[Input],
    opts: &Options,
    reporter: &mut Reporter<W>,
) -> Result<(), Error> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .max(1);
    let (batch_tx, batch_rx) = mpsc::sync_channel::<(usize, Vec<Item>)>(workers * 2);
    let batch_rx = Arc::new(Mutex::new(batch_rx));
    let (done_tx, done_rx) = mpsc::sync_channel::<(usize, Vec<Done>)>(workers * 2);
    let bar = progress_bar(inputs.len());
    let renderer = reporter.renderer();
    std::thread::scope(|scope| -> Result<(), Error> {
        scope.spawn(move || read_all(inputs, opts.max_bytes, &batch_tx, &bar));
        for _ in 0..workers {
            let (rx, tx) = (batch_rx.clone(), done_tx.clone());
            scope.spawn(move || loop {
                let next = rx.lock().ok().and_then(|r| r.recv().ok());
                let Some((seq, items)) = next else { break };
                let done = items
                    .into_iter()
                    .map(|i| check(catalog, opts, renderer, i))
                    .collect();
                if tx.send((seq, done)).is_err() {
                    break;
                }
            });
        }
        drop(done_tx);
        // Reassemble in order; at most 2 x workers batches wait here.
        let mut pending: BTreeMap<usize, Vec<Done>> = BTreeMap::new();
        let mut next = 0usize;
        let mut result = Ok(());
        for (seq, done) in done_rx.iter() {
            pending.insert(seq, done);
            while let Some(batch) = pending.remove(&next) {
                next += 1;
                for d in batch {
                    if result.is_err() {
                        continue; // keep draining so the other threads can finish
                    }
                    result = match d {
                        Done::Payload { tally, text } => reporter.rendered(tally, &text),
                        // Reported once, in the report (stdout), in every format.
                        Done::InputError { source, message } => {
                            reporter.input_error(&source, &message)
                        }
                    }
                    .map_err(Error::Write);
                }
            }
        }
        result
    })
}

fn read_all(
    inputs: &[Input],
    max_bytes: usize,
    tx: &mpsc::SyncSender<(usize, Vec<Item>)>,
    bar: &indicatif::ProgressBar,
) {
    let mut seq = 0usize;
    let mut batch = Vec::with_capacity(BATCH);
    let mut flush = |batch: &mut Vec<Item>, force: bool| -> bool {
        if batch.len() >= BATCH || (force && !batch.is_empty()) {
            let full = std::mem::replace(batch, Vec::with_capacity(BATCH));
            if tx.send((seq, full)).is_err() {
                return false;
            }
            seq += 1;
        }
        true
    };
    for inp in inputs {
        bar.inc(1);
        let source: Arc<str> = Arc::from(inp.path.display().to_string());
        match input::open(inp) {
            Err(e) => batch.push(Item::InputError {
                source,
                message: e.to_string(),
            }),
            Ok(reader) => {
                // A `.json` file may be a delivery file, whose body (checked against `max_bytes`) is
                // written escaped or as base64: such a file may be larger than its body.
                let cap = match inp.layout {
                    input::Layout::Document => hookcheck::document::delivery_file_cap(max_bytes),
                    _ => max_bytes,
                };
                for record in Records::new(reader, inp.layout, cap) {
                    match record {
                        Ok(r) => batch.push(Item::Payload {
                            source: source.clone(),
                            line: r.line,
                            bytes: r.bytes,
                            oversize: r.oversize,
                        }),
                        Err(e) => {
                            batch.push(Item::InputError {
                                source: source.clone(),
                                message: e.to_string(),
                            });
                            break;
                        }
                    }
                    if !flush(&mut batch, false) {
                        return;
                    }
                }
            }
        }
        if !flush(&mut batch, false) {
            return;
        }
    }
    flush(&mut batch, true);
    bar.finish_and_clear();
}

/// A progress bar on stderr when many files are checked and stderr is a terminal.
fn progress_bar(files: usize) -> indicatif::ProgressBar {
    if files < 20 || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(files as u64);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} files {elapsed}")
    {
        bar.set_style(style);
    }
    bar
}

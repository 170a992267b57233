//! Where payloads come from: files, directories, NDJSON streams and stdin, read in bounded memory.
use std::{
    fs::File,
    io::{self, BufRead, BufReader, Read},
    path::{Path, PathBuf},
};

use crate::error::Error;

/// How an input's bytes are split into payloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// One JSON document (`.json`).
    Document,
    /// One payload per line (`.ndjson`, `.jsonl`).
    Lines,
    /// Decided from the content: NDJSON when the first non-blank line is a complete JSON value, else one
    /// document (stdin and unknown extensions).
    Sniff,
}

/// One input to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// The path, or `-` for stdin.
    pub path: PathBuf,
    /// How to split it.
    pub layout: Layout,
}

impl Input {
    /// Standard input.
    pub fn stdin() -> Self {
        Self {
            path: PathBuf::from("-"),
            layout: Layout::Sniff,
        }
    }

    /// Whether this input is standard input.
    pub fn is_stdin(&self) -> bool {
        self.path.as_os_str() == "-"
    }
}

/// The layout a file's extension implies, or `None` for extensions a directory walk skips.
pub fn layout_for(path: &Path) -> Option<Layout> {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("json") => Some(Layout::Document),
        Some("ndjson" | "jsonl") => Some(Layout::Lines),
        _ => None,
    }
}

/// Expands command-line paths: files as given (any extension), directories recursively (`.json`, `.ndjson`,
/// `.jsonl` only, sorted), `-` as stdin. Paths that cannot be read are returned as errors, in order, so that
/// nothing is silently skipped.
pub fn expand(paths: &[PathBuf]) -> (Vec<Input>, Vec<Error>) {
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            inputs.push(Input::stdin());
            continue;
        }
        match std::fs::metadata(path) {
            Err(source) => errors.push(Error::Read {
                path: path.clone(),
                source,
            }),
            Ok(m) if m.is_dir() => {
                let walker = walkdir::WalkDir::new(path)
                    .follow_links(true)
                    .sort_by_file_name();
                for entry in walker {
                    match entry {
                        Ok(e) if e.file_type().is_file() => {
                            if let Some(layout) = layout_for(e.path()) {
                                inputs.push(Input {
                                    path: e.path().to_path_buf(),
                                    layout,
                                });
                            }
                        }
                        Ok(_) => {}
                        Err(e) => {
                            let p = e.path().map_or_else(|| path.clone(), Path::to_path_buf);
                            errors.push(Error::Read {
                                path: p,
                                source: io::Error::other(e.to_string()),
                            });
                        }
                    }
                }
            }
            Ok(_) => inputs.push(Input {
                path: path.clone(),
                layout: layout_for(path).unwrap_or(Layout::Sniff),
            }),
        }
    }
    (inputs, errors)
}

/// [`Record::oversize`] of a record whose reading stopped at the cap, so its length is not known.
pub const UNMEASURED: usize = usize::MAX;

/// How far past the cap [`Records`] skips to find the end of an oversize line before giving up on the input.
pub const MAX_SKIP: usize = 64 * 1024 * 1024;

/// A payload's bytes and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// 1-based line number for line-split inputs, `None` for whole documents.
    pub line: Option<usize>,
    /// The payload bytes (without the line terminator); empty when `oversize` is set.
    pub bytes: Vec<u8>,
    /// The payload's true length when it exceeded the cap and was discarded while reading, or
    /// [`UNMEASURED`] when reading stopped at the cap (whole documents, lines without an end).
    pub oversize: Option<usize>,
}

/// Reads records from any byte stream, holding at most one record (capped at `max_bytes`) in memory.
///
/// ```
/// use hookcheck::input::{Layout, Records};
/// let data = b"{\"a\":1}\n\n{\"b\":2}\r\n".as_slice();
/// let lines: Vec<_> = Records::new(data, Layout::Lines, 1024).map(|r| r.unwrap().line).collect();
/// assert_eq!(lines, vec![Some(1), Some(3)]);
/// ```
pub struct Records<R: Read> {
    reader: BufReader<R>,
    layout: Layout,
    max_bytes: usize,
    line: usize,
    pending: Option<Record>,
    done: bool,
}

impl<R: Read> Records<R> {
    /// Wraps a reader.
    pub fn new(reader: R, layout: Layout, max_bytes: usize) -> Self {
        Self {
            reader: BufReader::with_capacity(64 * 1024, reader),
            layout,
            max_bytes,
            line: 0,
            pending: None,
            done: false,
        }
    }

    /// Reads one line (without terminator), keeping at most `max_bytes + 1` bytes of it. The rest of an
    /// oversize line is skipped to reach the next line, but at most [`MAX_SKIP`] bytes of it: a line with no
    /// end in sight (`/dev/zero`) ends the input with an error instead of being read forever.
    fn read_line(&mut self) -> io::Result<Option<Record>> {
        let mut bytes = Vec::new();
        let mut total = 0usize;
        let mut saw_any = false;
        let mut last = None;
        loop {
            let buf = self.reader.fill_buf()?;
            if buf.is_empty() {
                if !saw_any {
                    return Ok(None);
                }
                break;
            }
            saw_any = true;
            let (chunk, found) = match buf.iter().position(|b| *b == b'\n') {
                Some(i) => (&buf[..i], Some(i)),
                None => (buf, None),
            };
            // Keep one byte past the cap: a CRLF line exactly at the cap carries its `\r` there.
            let room = self.max_bytes.saturating_add(2).saturating_sub(bytes.len());
            bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
            total += chunk.len();
            if let Some(b) = chunk.last() {
                last = Some(*b);
            }
            let used = found.map_or(chunk.len(), |i| i + 1);
            self.reader.consume(used);
            if found.is_some() {
                break;
            }
            if total > self.max_bytes.saturating_add(MAX_SKIP) {
                self.line += 1;
                return Err(io::Error::other(format!(
                    "line {} has no end within {} bytes; stopped reading this input there",
                    self.line,
                    self.max_bytes.saturating_add(MAX_SKIP)
                )));
            }
        }
        self.line += 1;
        // The `\r` of a CRLF line terminator is not part of the payload, whatever the payload's size.
        if last == Some(b'\r') {
            total -= 1;
            if bytes.len() > total {
                bytes.truncate(total);
            }
        }
        Ok(Some(self.record(Some(self.line), bytes, total)))
    }

    fn record(&self, line: Option<usize>, bytes: Vec<u8>, total: usize) -> Record {
        if total > self.max_bytes {
            Record {
                line,
                bytes: Vec::new(),
                oversize: Some(total),
            }
        } else {
            Record {
                line,
                bytes,
                oversize: None,
            }
        }
    }

    /// Reads the rest of the input as one document, stopping one byte past the cap: an oversize document
    /// is reported as [`UNMEASURED`] without reading on (a 2 GB file, `/dev/zero`).
    fn read_rest(&mut self, mut bytes: Vec<u8>) -> io::Result<Record> {
        let cap = self.max_bytes as u64 + 1;
        let already = bytes.len() as u64;
        (&mut self.reader)
            .take(cap.saturating_sub(already))
            .read_to_end(&mut bytes)?;
        let total = if bytes.len() > self.max_bytes {
            UNMEASURED
        } else {
            bytes.len()
        };
        Ok(self.record(None, bytes, total))
    }

    fn next_record(&mut self) -> io::Result<Option<Record>> {
        if let Some(r) = self.pending.take() {
            return Ok(Some(r));
        }
        if self.done {
            return Ok(None);
        }
        match self.layout {
            Layout::Document => {
                self.done = true;
                self.read_rest(Vec::new()).map(Some)
            }
            Layout::Lines => loop {
                match self.read_line()? {
                    None => return Ok(None),
                    Some(r) if r.oversize.is_none() && r.bytes.iter().all(is_json_whitespace) => {
                        continue
                    }
                    Some(r) => return Ok(Some(r)),
                }
            },
            Layout::Sniff => {
                let mut skipped = Vec::new();
                let first = loop {
                    match self.read_line()? {
                        None => {
                            self.done = true;
                            return Ok(Some(Record {
                                line: None,
                                bytes: skipped,
                                oversize: None,
                            }));
                        }
                        Some(r)
                            if r.oversize.is_none() && r.bytes.iter().all(is_json_whitespace) =>
                        {
                            skipped.extend_from_slice(&r.bytes);
                            skipped.push(b'\n');
                        }
                        Some(r) => break r,
                    }
                };
                // A pretty-printed document's first line is short (`{`), so an oversize first line means
                // one-payload-per-line input: keep its line number.
                let complete = first.oversize.is_some()
                    || serde_json::from_slice::<serde::de::IgnoredAny>(&first.bytes).is_ok();
                if complete {
                    self.layout = Layout::Lines;
                    Ok(Some(first))
                } else {
                    self.done = true;
                    let mut bytes = skipped;
                    bytes.extend_from_slice(&first.bytes);
                    bytes.push(b'\n');
                    self.read_rest(bytes).map(Some)
                }
            }
        }
    }
}

impl<R: Read> Iterator for Records<R> {
    type Item = io::Result<Record>;
    fn next(&mut self) -> Option<Self::Item> {
        match self.next_record() {
            Ok(Some(r)) => Some(Ok(r)),
            Ok(None) => None,
            Err(e) => {
                self.done = true;
                self.pending = None;
                Some(Err(e))
            }
        }
    }
}

/// Opens an input for reading.
///
/// # Errors
/// The file cannot be opened.
pub fn open(input: &Input) -> Result<Box<dyn Read>, Error> {
    if input.is_stdin() {
        Ok(Box::new(io::stdin().lock()))
    } else {
        File::open(&input.path)
            .map(|f| Box::new(f) as Box<dyn Read>)
            .map_err(|source| Error::Read {
                path: input.path.clone(),
                source,
            })
    }
}

/// JSON's whitespace (RFC 8259): a line of only these is blank. A form feed is not, so such a line is
/// reported as a syntax error rather than skipped.
fn is_json_whitespace(b: &u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(data: &[u8], layout: Layout, cap: usize) -> Vec<Record> {
        Records::new(data, layout, cap)
            .map(|r| r.unwrap())
            .collect()
    }

    #[test]
    fn lines_keep_numbers_and_skip_blank_lines() {
        let rs = collect(b"{}\n  \n[1]\r\n{\"x\":2}", Layout::Lines, 100);
        let got: Vec<_> = rs.iter().map(|r| (r.line, r.bytes.as_slice())).collect();
        assert_eq!(
            got,
            vec![
                (Some(1), &b"{}"[..]),
                (Some(3), b"[1]"),
                (Some(4), b"{\"x\":2}")
            ]
        );
    }

    #[test]
    fn oversize_lines_are_reported_not_kept() {
        let rs = collect(b"{\"a\":\"0123456789\"}\n{}\n", Layout::Lines, 8);
        assert_eq!(rs[0].oversize, Some(18));
        assert!(rs[0].bytes.is_empty());
        assert_eq!((rs[1].line, rs[1].bytes.as_slice()), (Some(2), &b"{}"[..]));
    }

    #[test]
    fn sniff_tells_pretty_documents_from_ndjson() {
        let pretty = collect(b"{\n  \"event\": 1\n}\n", Layout::Sniff, 100);
        assert_eq!(pretty.len(), 1);
        assert_eq!(pretty[0].line, None);
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(&pretty[0].bytes).unwrap()["event"],
            1
        );
        let nd = collect(b"{\"a\":1}\n{\"a\":2}\n", Layout::Sniff, 100);
        assert_eq!(
            nd.iter().map(|r| r.line).collect::<Vec<_>>(),
            vec![Some(1), Some(2)]
        );
    }

    #[test]
    fn documents_over_the_cap_are_not_read_past_it() {
        let data = vec![b' '; 5000];
        let rs = collect(&data, Layout::Document, 100);
        assert_eq!(rs[0].oversize, Some(UNMEASURED));
        // An endless input ends too: the reader counts what it is asked for.
        let endless = io::repeat(b'0');
        let r = Records::new(endless, Layout::Document, 1000)
            .next()
            .unwrap()
            .unwrap();
        assert_eq!(r.oversize, Some(UNMEASURED));
    }

    #[test]
    fn an_endless_line_ends_the_input_with_an_error() {
        let endless = io::repeat(b'0').take((MAX_SKIP + 10_000) as u64 + 1);
        let got: Vec<_> = Records::new(endless, Layout::Lines, 1000).collect();
        assert_eq!(got.len(), 1, "one error, and reading stops");
        let e = got[0].as_ref().unwrap_err().to_string();
        assert!(e.contains("line 1 has no end"), "{e}");
    }

    #[test]
    fn empty_stream_is_one_empty_document() {
        let rs = collect(b"", Layout::Document, 100);
        assert_eq!(rs.len(), 1);
        assert!(rs[0].bytes.is_empty());
        assert!(collect(b"", Layout::Lines, 100).is_empty());
    }
}

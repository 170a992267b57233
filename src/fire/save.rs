//! `--save` and `--replay`: minimal failures as delivery files ([`crate::replay`]), and re-sending them
//! to see which are fixed.
//!
//! A saved file holds the request as sent (headers without the secret, exact body) and a note that says
//! what the consumer had to do with it: `fire: phase=signature expect=refuse forgery=stale-timestamp
//! rule=consumer/accepts-forged event=contact_created status=200`. On replay a genuine delivery gets a
//! fresh delivery id and is re-signed with a fresh timestamp ([`Resign`]); a forged one is forged again
//! the same way with fresh times; a replayed id is sent twice. Files without a `fire:` note (recorded by
//! `listen --record`, say) are replayed as genuine deliveries the consumer must accept.
use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use serde::Serialize;
use serde_json::Value;

use super::{
    case::{Expect, Hostility},
    forgery::Forgery,
    group::Failure,
    outcome::Outcome,
    request::Signer,
    rules::{judge, Judgement},
    wire::{Answer, SHOWN_CHARS},
    FireError,
};
use crate::{
    check::DeliveryProfile,
    finding::Severity,
    generate::mutate::Class,
    replay::{self, DeliveryFile, ReplayError, Resign},
};

/// The note `--save` writes: what the consumer had to do, and what it did.
pub fn note(f: &Failure) -> String {
    let mut n = format!("fire: phase={} expect={}", f.phase, f.expect.name());
    match f.expect {
        Expect::Refuse(fg) => n.push_str(&format!(" forgery={fg}")),
        Expect::Survive(h) => n.push_str(&format!(" hostility={}", h.name())),
        Expect::Accept => {}
    }
    n.push_str(&format!(
        " rule={} event={} status={}",
        f.rule,
        f.event.map_or("-", |e| e.as_str()),
        f.answer.key()
    ));
    n
}

fn field<'a>(note: &'a str, key: &str) -> Option<&'a str> {
    note.split_whitespace()
        .find_map(|t| t.strip_prefix(key)?.strip_prefix('='))
}

/// What a note says the consumer must do; genuine (accept) when it is not a `fire:` note.
///
/// ```
/// use hookcheck::fire::{parse_note, Expect, Forgery};
/// let e = parse_note("fire: phase=signature expect=refuse forgery=no-prefix rule=consumer/accepts-forged");
/// assert_eq!(e, Expect::Refuse(Forgery::NoPrefix));
/// assert_eq!(parse_note("recorded by listen"), Expect::Accept);
/// ```
pub fn parse_note(note: &str) -> Expect {
    if !note.starts_with("fire:") {
        return Expect::Accept;
    }
    match field(note, "expect") {
        Some("refuse") => field(note, "forgery")
            .and_then(Forgery::from_name)
            .map_or(Expect::Accept, Expect::Refuse),
        Some("survive") => Expect::Survive(
            field(note, "hostility")
                .and_then(hostility)
                .unwrap_or(Hostility::Unusual("saved")),
        ),
        _ => Expect::Accept,
    }
}

fn hostility(name: &str) -> Option<Hostility> {
    let (kind, what) = name.split_once('/')?;
    // The names are static in the enum; map the known ones back, keep the rest generic.
    const KNOWN: &[&str] = &[
        "empty",
        "text",
        "truncated",
        "invalid-utf8",
        "byte-order-mark",
        "nul-byte",
        "xml",
        "form",
        "array",
        "null",
        "string",
        "deep-nesting",
        "long-string",
        "odd-characters",
        "escaped-everything",
        "repeated-key",
        "huge-numbers",
        "white-space",
    ];
    let known = KNOWN.iter().copied().find(|k| *k == what);
    match kind {
        "mutation" => Class::ALL
            .into_iter()
            .find(|c| c.name() == what)
            .map(Hostility::Mutation),
        "not-json" => Some(Hostility::NotJson(known.unwrap_or("saved"))),
        "not-object" => Some(Hostility::NotObject(known.unwrap_or("saved"))),
        _ => Some(Hostility::Unusual(known.unwrap_or("saved"))),
    }
}

/// The path and query of `url`, as a delivery file records it.
fn path_of(url: &reqwest::Url) -> String {
    match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    }
}

/// The delivery file of a failure's request, sent to `url`.
pub fn delivery_file(f: &Failure, url: &str) -> DeliveryFile {
    let path = reqwest::Url::parse(url).map_or_else(|_| "/".to_string(), |u| path_of(&u));
    DeliveryFile {
        method: "POST".into(),
        path,
        headers: f
            .request
            .headers
            .iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v.as_bytes().to_vec()))
            .collect(),
        body: f.request.body.clone(),
        received_at: None,
        note: Some(note(f)),
    }
}

/// Writes each group's minimal failure into `dir` (created if missing) as a new delivery file, and
/// records where in [`Group::saved`](super::Group::saved). Existing files are never replaced.
///
/// # Errors
/// The directory cannot be created, or a file cannot be written.
pub fn save(outcome: &mut Outcome, dir: &Path) -> Result<Vec<PathBuf>, ReplayError> {
    std::fs::create_dir_all(dir).map_err(|source| ReplayError::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut index = std::fs::read_dir(dir)
        .map_err(|source| ReplayError::Read {
            path: dir.to_path_buf(),
            source,
        })?
        .count() as u64;
    let mut written = Vec::new();
    for g in outcome.groups.iter_mut() {
        let file = delivery_file(&g.example, &outcome.url);
        let stem = format!(
            "{}-{}",
            g.rule.replace('/', "_"),
            g.event.map_or("no-event", |e| e.as_str())
        );
        let path = loop {
            index += 1;
            let name = replay::file_name(index, Some(&stem));
            match file.write_new(dir, &name, true) {
                Ok(p) => break p,
                Err(ReplayError::Write { source, .. })
                    if source.kind() == std::io::ErrorKind::AlreadyExists && index < 1_000_000 => {}
                Err(e) => return Err(e),
            }
        };
        g.saved = Some(path.display().to_string());
        written.push(path);
    }
    Ok(written)
}

/// One re-sent delivery file and its verdict.
#[derive(Debug, Clone, Serialize)]
pub struct Replayed {
    /// The file.
    pub path: PathBuf,
    /// What the consumer must do with it (from the note).
    pub expect: Expect,
    /// The rule it broke when it was saved (from the note), if known.
    pub was: Option<String>,
    /// What the consumer did now.
    pub answer: Answer,
    /// The rule it breaks now; `None` (or a warning) means FIXED.
    pub rule: Option<&'static str>,
    /// What happened now, when it still fails.
    pub message: Option<String>,
    /// The file as re-sent (fresh id, timestamp and signature).
    #[serde(skip)]
    pub sent: DeliveryFile,
}

impl Replayed {
    /// Whether the consumer now does what it must.
    pub fn fixed(&self) -> bool {
        self.rule
            .and_then(super::rules::rule)
            .is_none_or(|r| r.severity == Severity::Warning)
    }
}

fn answer_of(r: Result<replay::ResendOutcome, ReplayError>, timeout: Duration) -> Answer {
    match r {
        Ok(o) => Answer::Status {
            status: o.status,
            body: String::from_utf8_lossy(&o.body)
                .trim()
                .chars()
                .take(SHOWN_CHARS)
                .collect(),
            millis: o.elapsed.as_millis() as u64,
        },
        Err(ReplayError::Request { reason, .. }) if reason == "timed out" => Answer::Timeout {
            millis: timeout.as_millis() as u64,
        },
        Err(e) => Answer::Connection {
            message: e.to_string(),
            connect: false,
        },
    }
}

/// Re-sends every delivery file at `path` (a file, or a directory's `*.json` in name order) to `url` and
/// judges each answer: re-signed by `secret` with a fresh timestamp and delivery id, forgeries forged
/// again. Without a secret, recorded signatures are re-sent as they are.
///
/// # Errors
/// A bad URL, an unreadable or invalid delivery file, a secret that cannot sign.
pub async fn replay(
    url: &str,
    path: &Path,
    secret: Option<&str>,
    profile: &DeliveryProfile,
    timeout: Duration,
) -> Result<Vec<Replayed>, FireError> {
    let parsed = super::campaign::parse_url(url)?;
    let origin = parsed.origin().ascii_serialization();
    let target_path = path_of(&parsed);
    let signer = Signer::new(profile.clone(), secret.map(str::to_string))?;
    let files = DeliveryFile::read_all(path)?;
    if files.is_empty() {
        return Err(FireError::Usage(format!(
            "no delivery file (*.json) in {}",
            path.display()
        )));
    }
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .map_err(|e| FireError::Client(e.to_string()))?;
    let resign = secret
        .filter(|_| profile.signature.is_some())
        .map(|s| Resign {
            secret: s.to_string(),
            profile: profile.clone(),
        });
    let mut out = Vec::new();
    for (file_path, recorded) in files {
        let note = recorded.note.clone().unwrap_or_default();
        let expect = parse_note(&note);
        let was = if note.starts_with("fire:") {
            field(&note, "rule").map(str::to_string)
        } else {
            None
        };
        let mut file = recorded.clone();
        file.path = target_path.clone();
        if let Some(h) = &profile.id_header {
            let h = h.to_ascii_lowercase();
            let fresh = signer.new_id().into_bytes();
            for (k, v) in file.headers.iter_mut() {
                if *k == h {
                    *v = fresh.clone();
                }
            }
        }
        let send = |f: DeliveryFile, resign: Option<Resign>| {
            let client = client.clone();
            let origin = origin.clone();
            async move {
                let r = replay::resend_with(&client, &f, &origin, resign.as_ref(), timeout).await;
                (f, r)
            }
        };
        let (sent, answer, expect_now) = match expect {
            Expect::Refuse(Forgery::ReplayedId) | Expect::Accept | Expect::Survive(_) => {
                // Fix the re-signed headers once, so a replayed id repeats them exactly.
                let mut fixed = file.clone();
                if let Some(r) = &resign {
                    if let Ok(h) = r.headers(&file, now()) {
                        fixed.headers = h;
                    }
                }
                let (first, result) = send(fixed.clone(), None).await;
                let answer = answer_of(result, timeout);
                let accepted = answer.status().is_some_and(|s| (200..300).contains(&s));
                if expect == Expect::Refuse(Forgery::ReplayedId) && accepted {
                    let (again, result) = send(fixed, None).await;
                    (again, answer_of(result, timeout), expect)
                } else if expect == Expect::Refuse(Forgery::ReplayedId) {
                    (first, answer, Expect::Accept)
                } else {
                    (first, answer, expect)
                }
            }
            Expect::Refuse(forgery) => {
                let payload: Option<Value> = serde_json::from_slice(&recorded.body).ok();
                let request =
                    signer.request(Expect::Refuse(forgery), payload.as_ref(), &recorded.body);
                let mut forged = file.clone();
                forged.headers = request
                    .headers
                    .iter()
                    .map(|(k, v)| (k.to_ascii_lowercase(), v.as_bytes().to_vec()))
                    .collect();
                forged.body = request.body;
                let (f, result) = send(forged, None).await;
                (f, answer_of(result, timeout), expect)
            }
        };
        let j: Option<Judgement> = judge(expect_now, &answer);
        out.push(Replayed {
            path: file_path,
            expect: expect_now,
            was,
            rule: j.as_ref().map(|j| j.rule.id),
            message: j.map(|j| j.message),
            answer,
            sent,
        });
    }
    Ok(out)
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_round_trip_every_expectation() {
        let mut expects = vec![Expect::Accept];
        expects.extend(Forgery::ALL.map(Expect::Refuse));
        expects.extend(Class::ALL.map(|c| Expect::Survive(Hostility::Mutation(c))));
        expects.push(Expect::Survive(Hostility::NotJson("truncated")));
        expects.push(Expect::Survive(Hostility::Unusual("deep-nesting")));
        for e in expects {
            let mut n = format!("fire: phase=hostile expect={}", e.name());
            match e {
                Expect::Refuse(f) => n.push_str(&format!(" forgery={f}")),
                Expect::Survive(h) => n.push_str(&format!(" hostility={}", h.name())),
                Expect::Accept => {}
            }
            assert_eq!(parse_note(&n), e, "{n}");
        }
    }
}

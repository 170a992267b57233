//! Running a campaign: plan batch by batch, send with bounded concurrency, judge every answer, group the
//! failures, then shrink one example per group.
use std::{
    collections::BTreeMap,
    sync::Arc,
    time::{Duration, Instant},
};

use tokio::{sync::Semaphore, task::JoinSet};

use super::{
    case::{Case, Expect},
    forgery::Forgery,
    group::{Failure, Group, Grouper},
    outcome::{Outcome, PhaseTally},
    phase::Phase,
    phases::{conforms, Planner},
    request::{Request, Signer},
    rules::judge,
    shrink::{Reducer, Rules},
    wire::{Answer, Wire},
    Campaign, FireError,
};
use crate::{finding::Severity, generate::Generator, Catalog};

/// Connection failures in a row, with no answer at all, after which the consumer counts as unreachable.
const UNREACHABLE_AFTER: usize = 3;

/// One request and its answer.
pub(crate) struct Sent {
    pub(crate) expect: Expect,
    pub(crate) request: Request,
    pub(crate) answer: Answer,
}

/// Sends one case: one request, or for a replayed id the original and, once accepted, its repeat.
pub(crate) async fn deliver(wire: &Wire, signer: &Signer, case: &Case) -> Vec<Sent> {
    let request = signer.request(case.expect, case.payload.as_ref(), &case.body);
    let answer = wire.send(&request).await;
    if case.expect != Expect::Refuse(Forgery::ReplayedId) {
        return vec![Sent {
            expect: case.expect,
            request,
            answer,
        }];
    }
    // Only an accepted delivery can be replayed; the original is judged as the valid delivery it is.
    let accepted = answer.status().is_some_and(|s| (200..300).contains(&s));
    let mut out = vec![Sent {
        expect: Expect::Accept,
        request: request.clone(),
        answer,
    }];
    if accepted {
        let again = wire.send(&request).await;
        out.push(Sent {
            expect: case.expect,
            request,
            answer: again,
        });
    }
    out
}

#[derive(Default)]
struct Tally {
    phases: BTreeMap<Phase, PhaseTally>,
    grouper: Grouper,
    answered: usize,
    refused: usize,
    refusal: Option<String>,
}

impl Tally {
    fn collect(&mut self, case: &Case, sent: Vec<Sent>) {
        let t = self.phases.entry(case.phase).or_insert(PhaseTally {
            phase: case.phase,
            sent: 0,
            failed: 0,
            warned: 0,
            skipped: None,
        });
        for s in sent {
            t.sent += 1;
            match &s.answer {
                Answer::Status { .. } => self.answered += 1,
                Answer::Connection {
                    connect: true,
                    message,
                } => {
                    self.refused += 1;
                    self.refusal.get_or_insert_with(|| message.clone());
                }
                _ => {}
            }
            if let Some(j) = judge(s.expect, &s.answer) {
                match j.rule.severity {
                    Severity::Error => t.failed += 1,
                    Severity::Warning => t.warned += 1,
                }
                self.grouper
                    .add(Failure::new(case, s.expect, s.request, s.answer, j));
            }
        }
    }

    fn unreachable(&self) -> bool {
        self.answered == 0 && self.refused >= UNREACHABLE_AFTER
    }
}

/// Checks the URL: `http://` with a host (TLS is not built in).
pub(crate) fn parse_url(url: &str) -> Result<reqwest::Url, FireError> {
    let bad = |reason: &str| FireError::Url {
        url: url.to_string(),
        reason: reason.to_string(),
    };
    let parsed = reqwest::Url::parse(url).map_err(|e| bad(&e.to_string()))?;
    match parsed.scheme() {
        "http" => {}
        "https" => return Err(bad(
            "https is not supported (hookcheck is built without TLS); use http:// on a local or \
                 internal address, or a TLS-terminating proxy",
        )),
        other => return Err(bad(&format!("scheme `{other}`; expected http://"))),
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(bad("no host"));
    }
    Ok(parsed)
}

/// Runs `c`.
pub(crate) async fn run(c: &Campaign) -> Result<Outcome, FireError> {
    let url = parse_url(&c.url)?;
    let signer = Arc::new(Signer::new(c.delivery.clone(), c.secret.clone())?);
    let catalog = Catalog::shared()?;
    let generator = Generator::shared(c.profile).map_err(|e| crate::Error::SchemaCompile {
        id: e.location.clone(),
        message: e.to_string(),
    })?;
    let events = c.events_for(generator)?;
    let timeout = c
        .timeout
        .unwrap_or(Duration::from_secs(c.delivery.timeout_secs));
    let started = Instant::now();
    let concurrency = c.concurrency.max(1);
    let wire = Arc::new(
        Wire::new(
            url,
            timeout,
            concurrency,
            c.rate,
            c.max_time.map(|d| started + d),
        )
        .map_err(|e| FireError::Client(e.to_string()))?,
    );
    let planner = Planner {
        catalog,
        generator,
        profile: c.profile,
        seed: c.seed,
        count: c.count,
        notes: Default::default(),
    };
    let mut tally = Tally::default();
    let mut skipped = Vec::new();
    let phases: Vec<Phase> = c
        .phases
        .iter()
        .copied()
        .filter(|p| {
            let signable = *p != Phase::Signature || signer.signs();
            if !signable {
                skipped.push(*p);
            }
            signable
        })
        .collect();
    let semaphore = Arc::new(Semaphore::new(concurrency));
    let mut tasks: JoinSet<(Case, Vec<Sent>)> = JoinSet::new();
    let mut stopped = None;
    'plan: for (phase, event) in planner.batches(&phases, &events) {
        for case in planner.cases(phase, event, &events)? {
            if wire.expired() {
                stopped = Some(format!(
                    "--max-time reached after {}, during the {phase} phase",
                    crate::report::count(wire.sent(), "delivery", "deliveries")
                ));
                break 'plan;
            }
            let Ok(permit) = semaphore.clone().acquire_owned().await else {
                break 'plan;
            };
            let (w, s) = (wire.clone(), signer.clone());
            tasks.spawn(async move {
                let sent = deliver(&w, &s, &case).await;
                drop(permit);
                (case, sent)
            });
            while let Some(done) = tasks.try_join_next() {
                if let Ok((case, sent)) = done {
                    tally.collect(&case, sent);
                }
            }
            if tally.unreachable() {
                break 'plan;
            }
        }
    }
    while let Some(done) = tasks.join_next().await {
        if let Ok((case, sent)) = done {
            tally.collect(&case, sent);
        }
    }
    let campaign_sent = wire.sent();
    let unreachable = (tally.answered == 0 && tally.refused > 0).then(|| {
        format!(
            "no answer from {}: {}",
            c.url,
            tally.refusal.clone().unwrap_or_default()
        )
    });
    let mut groups = std::mem::take(&mut tally.grouper).finish();
    let shrinking = Instant::now();
    if c.shrink && unreachable.is_none() {
        for g in groups.iter_mut() {
            if wire.expired() {
                stopped.get_or_insert_with(|| {
                    "--max-time reached while shrinking; the rest is reported unshrunk".to_string()
                });
                break;
            }
            shrink_group(c, &wire, &signer, catalog, generator, g, concurrency).await;
        }
    }
    let mut notes = planner.notes.into_inner().unwrap_or_default();
    for p in &skipped {
        notes.push(format!(
            "the {p} phase was skipped: {}",
            skip_reason(&signer)
        ));
    }
    let phase_rows = c
        .phases
        .iter()
        .map(|p| {
            tally.phases.remove(p).unwrap_or(PhaseTally {
                phase: *p,
                sent: 0,
                failed: 0,
                warned: 0,
                skipped: skipped.contains(p).then(|| skip_reason(&signer)),
            })
        })
        .collect();
    Ok(Outcome {
        url: c.url.clone(),
        seed: c.seed,
        profile: c.profile.name().to_string(),
        delivery_profile: c.delivery.name.clone(),
        signed: signer.signs(),
        scheme: signer
            .profile()
            .signature
            .clone()
            .filter(|_| signer.signs()),
        phases: phase_rows,
        groups,
        deliveries: wire.sent(),
        shrink_deliveries: wire.sent() - campaign_sent,
        millis: started.elapsed().as_millis() as u64,
        shrink_millis: shrinking.elapsed().as_millis() as u64,
        stopped,
        unreachable,
        notes,
    })
}

fn skip_reason(signer: &Signer) -> String {
    if signer.profile().signature.is_none() {
        format!(
            "delivery profile {} does not sign deliveries",
            signer.profile().name
        )
    } else {
        "no secret given (--secret or --secret-file)".to_string()
    }
}

/// Shrinks the example of `g` against the consumer, in batches of `concurrency` deliveries.
async fn shrink_group(
    c: &Campaign,
    wire: &Arc<Wire>,
    signer: &Arc<Signer>,
    catalog: &'static Catalog,
    generator: &Generator,
    g: &mut Group,
    concurrency: usize,
) {
    let expect = g.example.expect;
    let (Some(payload), false) = (
        g.example.payload.clone(),
        expect == Expect::Refuse(Forgery::ReplayedId),
    ) else {
        return;
    };
    let rules = match (expect, g.event) {
        (Expect::Accept | Expect::Refuse(_), Some(event))
            if conforms(catalog, c.profile, &payload) =>
        {
            Rules::Contract {
                catalog,
                generator,
                profile: c.profile,
                event,
            }
        }
        _ => Rules::Json,
    };
    let (rule, class) = (g.rule, g.example.answer.class());
    let mut reducer = Reducer::new(rules, payload, c.max_shrink);
    let mut best: Option<(Request, Answer)> = None;
    while let Some(batch) = reducer.batch(concurrency) {
        if wire.expired() {
            break;
        }
        let mut set = JoinSet::new();
        for (i, (v, body)) in batch.into_iter().enumerate() {
            let (w, s) = (wire.clone(), signer.clone());
            set.spawn(async move {
                let request = s.request(expect, Some(&v), &body);
                let answer = w.send(&request).await;
                (i, request, answer)
            });
        }
        let mut results: Vec<Option<(Request, Answer)>> = Vec::new();
        while let Some(Ok((i, request, answer))) = set.join_next().await {
            if results.len() <= i {
                results.resize(i + 1, None);
            }
            results[i] = Some((request, answer));
        }
        let fails: Vec<bool> = results
            .iter()
            .map(|r| {
                r.as_ref().is_some_and(|(_, a)| {
                    judge(expect, a).is_some_and(|j| j.rule.id == rule) && a.class() == class
                })
            })
            .collect();
        if let Some(i) = reducer.feed(&fails) {
            best = results.get_mut(i).and_then(Option::take);
        }
    }
    let shrunk = reducer.finish();
    if let Some((request, answer)) = best {
        if let Some(j) = judge(expect, &answer) {
            g.example.message = j.message;
        }
        g.example.request = request;
        g.example.answer = answer;
        g.example.payload = Some(reducer.current().clone());
    }
    g.shrink = Some(shrunk);
}

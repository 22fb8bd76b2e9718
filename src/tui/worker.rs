//! The worker thread: it loads the index and models, then answers query requests, so the
//! UI never waits for the model or the search. Requests carry a generation number; a burst
//! of requests is coalesced to the newest, and the UI drops replies older than its latest
//! request. Evaluation of the judged queries runs on a thread of its own.

use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Arc;
use std::thread;

use super::action::Action;
use crate::engine::{Engine, Loaded, Request};
use crate::system::WhatIf;

/// What the worker is asked for.
enum Job {
    /// A query's view (only the newest of a burst is answered).
    Query(Request),
    /// The judged queries evaluated again (evaluation number), with the `what-if` system's
    /// edits.
    Evaluate(u64, WhatIf),
}

/// Builds the engine on the worker thread (opening indexes, loading models, building the
/// demo index); it may report progress lines through the callback.
pub type Loader = Box<dyn FnOnce(&dyn Fn(String)) -> Result<Engine, String> + Send>;

/// Handle to the worker.
pub struct Worker {
    requests: Sender<Job>,
}

impl Worker {
    /// Starts the worker; it sends [`Action::Loaded`], then one [`Action::Reply`] per
    /// answered request, and the evaluation's progress and result, to `events`.
    pub fn start(loader: Loader, events: Sender<Action>) -> Self {
        let (requests, inbox) = channel::<Job>();
        thread::Builder::new()
            .name("spladescope-worker".into())
            .spawn(move || run(loader, inbox, events))
            .expect("spawning the worker thread");
        Self { requests }
    }

    /// Queues a request (a closed worker is ignored: the UI shows its last error).
    pub fn send(&self, request: Request) {
        let _ = self.requests.send(Job::Query(request));
    }

    /// Evaluates the judged queries again with a `what-if` system of these edits.
    pub fn evaluate(&self, generation: u64, what_if: WhatIf) {
        let _ = self.requests.send(Job::Evaluate(generation, what_if));
    }
}

/// Evaluates on a thread of its own, reporting progress and the table.
fn spawn_evaluation(
    engine: &Arc<Engine>,
    events: &Sender<Action>,
    generation: u64,
    what_if: Option<WhatIf>,
) {
    let engine = Arc::clone(engine);
    let events = events.clone();
    let _ = thread::Builder::new()
        .name("spladescope-eval".into())
        .spawn(move || {
            let result = engine.evaluate(what_if.as_ref(), &mut |done, total| {
                if done % 16 == 0 || done == total {
                    let _ = events.send(Action::EvalProgress(generation, done, total));
                }
            });
            let _ = events.send(Action::Evaluated(generation, Box::new(result)));
        });
}

fn run(loader: Loader, inbox: Receiver<Job>, events: Sender<Action>) {
    let progress = {
        let events = events.clone();
        move |line: String| {
            let _ = events.send(Action::LoadProgress(line));
        }
    };
    let engine = match loader(&progress) {
        Ok(e) => Arc::new(e),
        Err(e) => {
            let _ = events.send(Action::Loaded(Box::new(Err(e))));
            return;
        }
    };
    let loaded = Loaded::of(&engine);
    let judged = loaded.judged.is_some();
    if events.send(Action::Loaded(Box::new(Ok(loaded)))).is_err() {
        return;
    }
    {
        // Large files were opened without reading them whole; their checksums are
        // checked here, and a damaged file ends the session as a failed load would.
        let engine = Arc::clone(&engine);
        let events = events.clone();
        let _ = thread::Builder::new()
            .name("spladescope-verify".into())
            .spawn(move || {
                if let Err(e) = engine.index().verify() {
                    let _ = events.send(Action::Loaded(Box::new(Err(e.to_string()))));
                }
            });
    }
    if judged {
        spawn_evaluation(&engine, &events, 0, None);
    }
    while let Ok(job) = inbox.recv() {
        let mut request = match job {
            Job::Query(r) => r,
            Job::Evaluate(generation, what_if) => {
                spawn_evaluation(&engine, &events, generation, Some(what_if));
                continue;
            }
        };
        while let Ok(newer) = inbox.try_recv() {
            match newer {
                Job::Query(r) => request = r,
                Job::Evaluate(generation, what_if) => {
                    spawn_evaluation(&engine, &events, generation, Some(what_if))
                }
            }
        }
        // A file truncated under the explorer would crash it on the next read (SIGBUS).
        let reply = match files_unchanged(&engine) {
            Ok(()) => engine.compute(&request),
            Err(e) => Err(e),
        };
        if events
            .send(Action::Reply(request.generation, Box::new(reply)))
            .is_err()
        {
            return;
        }
    }
}

/// An error naming the first index file that changed length on disk since it was opened.
fn files_unchanged(engine: &Engine) -> Result<(), String> {
    let b = engine.pipeline.b.as_ref().map(|b| &b.index);
    for index in std::iter::once(engine.index()).chain(b) {
        index.check_unchanged().map_err(|e| e.to_string())?;
    }
    Ok(())
}

//! The worker thread: it loads the index and models, then answers query requests, so the
//! UI never waits for the model or the search. Requests carry a generation number; a burst
//! of requests is coalesced to the newest, and the UI drops replies older than its latest
//! request. Evaluation of the judged queries runs on a thread of its own.

use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Arc;
use std::thread;

use super::action::Action;
use crate::engine::{Engine, Loaded, Request};

/// Builds the engine on the worker thread (opening indexes, loading models, building the
/// demo index); it may report progress lines through the callback.
pub type Loader = Box<dyn FnOnce(&dyn Fn(String)) -> Result<Engine, String> + Send>;

/// Handle to the worker.
pub struct Worker {
    requests: Sender<Request>,
}

impl Worker {
    /// Starts the worker; it sends [`Action::Loaded`], then one [`Action::Reply`] per
    /// answered request, and the evaluation's progress and result, to `events`.
    pub fn start(loader: Loader, events: Sender<Action>) -> Self {
        let (requests, inbox) = channel::<Request>();
        thread::Builder::new()
            .name("spladescope-worker".into())
            .spawn(move || run(loader, inbox, events))
            .expect("spawning the worker thread");
        Self { requests }
    }

    /// Queues a request (a closed worker is ignored: the UI shows its last error).
    pub fn send(&self, request: Request) {
        let _ = self.requests.send(request);
    }
}

fn run(loader: Loader, inbox: Receiver<Request>, events: Sender<Action>) {
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
        let engine = Arc::clone(&engine);
        let events = events.clone();
        let _ = thread::Builder::new()
            .name("spladescope-eval".into())
            .spawn(move || {
                let result = engine.evaluate(&mut |done, total| {
                    if done % 16 == 0 || done == total {
                        let _ = events.send(Action::EvalProgress(done, total));
                    }
                });
                let _ = events.send(Action::Evaluated(Box::new(result)));
            });
    }
    while let Ok(mut request) = inbox.recv() {
        while let Ok(newer) = inbox.try_recv() {
            request = newer;
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

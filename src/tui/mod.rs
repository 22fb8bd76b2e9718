//! The explorer: a live terminal UI over the library (ratatui + crossterm + tui-textarea).
//!
//! Structure (one file per concern):
//! - [`action`]: the intents; [`keymap`]: the one key table (dispatch, help, hints);
//! - [`state`]: what is on screen; [`update`]: the only code that changes it;
//! - [`engine`]: the numbers, from library calls only; [`worker`]: runs the engine off
//!   the UI thread, with generation numbers to drop stale replies;
//! - [`mouse`]: clicks and wheel, on the drawing's own regions;
//! - [`layout`] and [`view`]: pure drawing; [`theme`]: semantic styles;
//! - [`config`]: config file and query history; [`terminal`]: the restoring guard.
//!
//! [`run`] is the event loop: a thread turns terminal events into actions; worker replies
//! arrive on the same channel; each burst of actions is applied, then one frame is drawn.

pub mod action;
pub mod config;
pub mod keymap;
pub mod layout;
pub mod mouse;
pub mod pane;
pub mod reproduce;
pub mod snapshot;
pub mod state;
pub mod terminal;
pub mod theme;
pub mod update;
pub mod view;
pub mod worker;

use std::io;
use std::sync::mpsc::{channel, RecvTimeoutError, Sender};
use std::thread;

use ratatui::crossterm::event::{self, Event, KeyEventKind};

use action::Action;
use config::{Config, History};
use state::State;
use worker::{Loader, Worker};

/// What the TUI starts with.
pub struct Launch {
    /// Opens the index(es) and loads the model(s), on the worker thread.
    pub loader: Loader,
    pub config: Config,
    /// A config-file problem to show (the defaults are used).
    pub config_error: Option<String>,
    pub history: History,
    /// A query typed in at start.
    pub query: Option<String>,
    /// Where `y` writes the command that reproduces the view.
    pub command_file: Option<std::path::PathBuf>,
}

/// How the explorer ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exit {
    /// The user quit.
    Quit,
    /// The index or model could not be loaded (the message was on screen).
    LoadFailed(String),
    /// SIGTERM, SIGHUP or SIGINT (the signal number).
    Signal(i32),
}

/// Runs the TUI until the user quits or a signal arrives; the terminal is restored on
/// return, on panic and on SIGBUS ([`terminal`]).
pub fn run(launch: Launch) -> io::Result<Exit> {
    let mut guard = terminal::Guard::enter()?;
    let (tx, rx) = channel::<Action>();
    let worker = Worker::start(launch.loader, tx.clone());
    spawn_input(tx);
    let mut state = State::new(launch.config, launch.config_error, launch.history);
    state.command_file = launch.command_file;
    let size = guard.terminal.size()?;
    update::update(&mut state, Action::Resize(size.width, size.height));
    if let Some(q) = launch.query {
        state.set_query(&q);
    }
    guard.terminal.draw(|f| view::draw(f, &state))?;
    loop {
        if let Some(signal) = terminal::signal_received() {
            update::remember(&mut state);
            return Ok(Exit::Signal(signal));
        }
        let first = match rx.recv_timeout(SIGNAL_POLL) {
            Ok(a) => a,
            Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => break,
        };
        update::update(&mut state, first);
        // Apply the whole burst before drawing once.
        while !state.quit {
            match rx.try_recv() {
                Ok(a) => update::update(&mut state, a),
                Err(_) => break,
            }
        }
        for request in state.outbox.drain(..) {
            worker.send(request);
        }
        if let Some((generation, what_if)) = state.eval_request.take() {
            worker.evaluate(generation, what_if);
        }
        if let Some(text) = state.clipboard.take() {
            // OSC 52: the terminal (and tmux with set-clipboard) puts it on the clipboard.
            use std::io::Write;
            let backend = guard.terminal.backend_mut();
            write!(backend, "\x1b]52;c;{}\x07", reproduce::base64(&text))?;
            backend.flush()?;
        }
        if state.quit {
            break;
        }
        guard.terminal.draw(|f| view::draw(f, &state))?;
    }
    update::remember(&mut state);
    Ok(match &state.phase {
        state::Phase::Failed(message) => Exit::LoadFailed(message.clone()),
        _ => Exit::Quit,
    })
}

/// How often the event loop looks for a quitting signal while idle.
const SIGNAL_POLL: std::time::Duration = std::time::Duration::from_millis(100);

/// Reads terminal events on a thread of its own and forwards them as actions.
fn spawn_input(tx: Sender<Action>) {
    let _ = thread::Builder::new()
        .name("spladescope-input".into())
        .spawn(move || loop {
            let action = match event::read() {
                Ok(Event::Key(k)) if k.kind != KeyEventKind::Release => Action::Key(k),
                Ok(Event::Mouse(m)) => Action::Mouse(m),
                Ok(Event::Paste(text)) => Action::Paste(text),
                Ok(Event::Resize(w, h)) => Action::Resize(w, h),
                Ok(_) => continue,
                Err(_) => return,
            };
            if tx.send(action).is_err() {
                return;
            }
        });
}

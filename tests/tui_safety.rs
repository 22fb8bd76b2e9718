//! The explorer in tmux against hostile data and signals (issue 9, items 2, 5 and 9):
//! escape sequences in a corpus or the history are shown, never acted on; SIGTERM, SIGHUP
//! and SIGBUS restore the terminal; an index file truncated under the explorer is an error
//! on screen; a failed load exits non-zero.

#[path = "common/cli.rs"]
mod cli;
mod common;
#[path = "common/tmux.rs"]
mod tmux;

use cli::{text, Setup};
use tmux::{no_tmux, start, start_in};

const EVIL: &str = concat!(
    r#"{"_id": "e1", "title": "\u001b[2J\u001b[HCLEARED\u0007", "text": "reset my login \u001b]0;pwned\u0007 now"}"#,
    "\n",
    r#"{"_id": "e2", "title": "Plain", "text": "reset the login form"}"#,
    "\n"
);

/// An index of the hostile corpus, built with the tiny generated model.
fn evil_index() -> Setup {
    let s = Setup::new();
    let corpus = s.write("evil.jsonl", EVIL.as_bytes());
    let out = s.index(&corpus, "idx", &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    s
}

fn tui_args(s: &Setup, extra: &str) -> String {
    format!("tui '{}' {extra}", s.path("idx").display())
}

#[test]
fn escape_sequences_in_the_corpus_are_shown_not_run() {
    if no_tmux() {
        return;
    }
    let s = evil_index();
    let (tmux, _home) = start("evil", &tui_args(&s, "--query 'reset login'"), 110, 30);
    tmux.run(&["select-pane", "-t", "e2e", "-T", "before"]);
    let screen = tmux.wait("the hits", 60, |s| {
        s.contains("CLEARED") && s.contains("e2")
    });
    assert!(screen.contains("␛[2J␛[HCLEARED␇"), "{screen}");
    // Inspect the evil document: its text's OSC sequence is shown too.
    let row = if screen.contains("▸ 1 e1") {
        "Enter"
    } else {
        "Down"
    };
    tmux.keys(&["Tab", "Tab"]);
    if row == "Down" {
        tmux.keys(&["Down"]);
    }
    tmux.keys(&["Enter"]);
    let screen = tmux.wait("the inspector", 30, |s| s.contains("Inspector e1"));
    assert!(screen.contains("␛]0;pwned␇"), "{screen}");
    let title = tmux.run(&["display-message", "-p", "-t", "e2e", "#{pane_title}"]);
    assert_eq!(title.trim(), "before", "the window title was changed");
    // (Esc and q in one burst would read as Alt-q.)
    tmux.keys(&["C-c"]);
    assert_eq!(tmux.exit_status(30), 0);
}

#[test]
fn a_history_entry_with_escapes_is_recalled_harmlessly() {
    if no_tmux() {
        return;
    }
    let s = evil_index();
    let home = tempfile::tempdir().unwrap();
    let history = home.path().join("data/spladescope/history");
    std::fs::create_dir_all(history.parent().unwrap()).unwrap();
    std::fs::write(&history, "\u{1b}[2J\u{1b}[Hboom login\n").unwrap();
    let (tmux, _home) = start_in(home, "history", &tui_args(&s, ""), 100, 30);
    tmux.wait("the explorer", 60, |s| s.contains("SPLADE"));
    tmux.keys(&["Up"]);
    // The recalled text is searched like a typed one: both hit lists appear.
    tmux.wait("the recalled query's hits", 60, |s| {
        s.contains("[2J[Hboom login") && s.contains("BM25") && !s.contains("Searching…")
    });
    tmux.keys(&["C-c"]);
    assert_eq!(tmux.exit_status(30), 0);
}

#[test]
fn sigterm_and_sighup_quit_and_restore_the_terminal() {
    if no_tmux() {
        return;
    }
    let s = evil_index();
    for (signal, status) in [("TERM", 143), ("HUP", 129)] {
        let (tmux, _home) = start(signal, &tui_args(&s, "--query reset"), 100, 30);
        tmux.wait("the hits", 60, |s| s.contains("e2"));
        tmux.signal(signal);
        assert_eq!(tmux.exit_status(30), status, "SIG{signal}");
    }
}

#[test]
fn a_bus_error_restores_the_terminal_and_says_why() {
    if no_tmux() {
        return;
    }
    let s = evil_index();
    let (tmux, _home) = start("bus", &tui_args(&s, "--query reset"), 100, 30);
    tmux.wait("the hits", 60, |s| s.contains("e2"));
    tmux.signal("BUS");
    assert_eq!(tmux.exit_status(30), 135);
    assert!(tmux.screen().contains("bus error"), "{}", tmux.screen());
}

#[test]
fn a_file_truncated_under_the_explorer_is_an_error_not_a_crash() {
    if no_tmux() {
        return;
    }
    let s = evil_index();
    let (tmux, _home) = start("shrunk", &tui_args(&s, "--query reset"), 100, 30);
    tmux.wait("the hits", 60, |s| s.contains("e2"));
    std::fs::OpenOptions::new()
        .write(true)
        .open(s.path("idx/splade.inv"))
        .unwrap()
        .set_len(16)
        .unwrap();
    tmux.keys(&["-l", " login"]);
    let screen = tmux.wait("the error", 30, |s| s.contains("changed on disk"));
    assert!(screen.contains("splade.inv"), "{screen}");
    tmux.keys(&["C-c"]);
    assert_eq!(tmux.exit_status(30), 0);
}

#[test]
fn a_failed_load_exits_non_zero() {
    if no_tmux() {
        return;
    }
    let missing = std::env::temp_dir().join(format!("no-such-{}.idx", std::process::id()));
    let (tmux, _home) = start("failed", &format!("tui '{}'", missing.display()), 90, 26);
    tmux.wait("the error screen", 30, |s| s.contains("Could not open"));
    tmux.keys(&["q"]);
    assert_eq!(tmux.exit_status(30), 1);
    // The message is repeated on the restored terminal.
    assert!(
        tmux.screen().contains("not a spladescope index"),
        "{}",
        tmux.screen()
    );
}

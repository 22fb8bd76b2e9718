//! End to end: the real binary in tmux. `spladescope demo` builds the demo index on first
//! launch, then the test types a query, checks the expansion pane, both hit lists and the
//! inspector with the expected top hit, switches a term off, resizes the window (down to
//! too small and back), quits, and checks that the terminal was restored (normal screen,
//! cooked mode).

mod common;
#[path = "common/tmux.rs"]
mod tmux;

use std::path::Path;
use std::process::Command;

use tmux::{no_tmux, start};

#[test]
fn demo_in_tmux_type_inspect_ablate_resize_quit() {
    if no_tmux() {
        return;
    }
    let Some(model) = common::shared("models/splade-tiny") else {
        return;
    };
    let (tmux, home) = start(
        "demo",
        &format!("demo --model '{}'", model.display()),
        100,
        30,
    );

    // First launch: the demo index is built, then the empty explorer appears.
    tmux.wait("the explorer", 120, |s| s.contains("Type a query"));
    assert!(Path::new(
        &home
            .path()
            .join("data/spladescope/demo/index/manifest.json")
    )
    .exists());

    tmux.keys(&["-l", "reset my login"]);
    let s = tmux.wait("both hit lists", 30, |s| {
        s.contains("overlap@10") && s.contains("kb-0310")
    });
    for part in [
        "Expansion",
        "16 terms",
        "reset",
        "+settlement",
        "SPLADE",
        "BM25",
        "▸ 1 kb-0310",
    ] {
        assert!(s.contains(part), "missing {part:?}:\n{s}");
    }
    // Focus the SPLADE list and open the inspector on the top hit.
    tmux.keys(&["Tab", "Tab", "Enter"]);
    let s = tmux.wait("the inspector", 30, |s| {
        s.contains("Inspector kb-0310") && s.contains("SPLADE term")
    });
    assert!(
        s.contains("SPLADE #1 15.39") && s.contains("SPLADE term"),
        "{s}"
    );
    // The inspected document's browser, then the browser of its heaviest term, then Esc
    // back to the inspector.
    tmux.keys(&["d"]);
    tmux.wait("the document browser", 60, |s| {
        s.contains("Document kb-0310") && s.contains("input,")
    });
    tmux.keys(&["t"]);
    let s = tmux.wait("the term browser", 60, |s| {
        s.contains("Term reset") && s.contains("heaviest documents")
    });
    assert!(s.contains("of 327 documents"), "{s}");
    tmux.keys(&["Escape"]);
    tmux.wait("the inspector again", 30, |s| {
        !s.contains("Term reset") && s.contains("Inspector kb-0310")
    });
    // Back to the list, then to the expansion terms; switch the top term off.
    tmux.keys(&["Escape", "BTab", "Space"]);
    let s = tmux.wait("the ablated term", 30, |s| s.contains("15 on"));
    assert!(
        s.contains("e↓") || s.contains("e↑") || s.contains("e="),
        "no rank change marks:\n{s}"
    );
    // Resize: the smallest size, too small, and back.
    tmux.run(&["resize-window", "-t", "e2e", "-x", "80", "-y", "24"]);
    tmux.wait("the 80x24 layout", 30, |s| {
        s.lines().next().is_some_and(|l| l.chars().count() <= 80) && s.contains("overlap@10")
    });
    tmux.run(&["resize-window", "-t", "e2e", "-x", "60", "-y", "20"]);
    tmux.wait("the too-small message", 30, |s| {
        s.contains("Terminal too small")
    });
    tmux.run(&["resize-window", "-t", "e2e", "-x", "100", "-y", "30"]);
    tmux.wait("the layout again", 30, |s| s.contains("overlap@10"));
    // Quit; the shell's next lines appear on a restored terminal in cooked mode.
    tmux.keys(&["q"]);
    // Wait for the shell's `stty` line too, not only for the exit status.
    let s = tmux.wait("the exit and the terminal mode", 30, |s| {
        s.contains("EXIT=") && s.lines().any(|l| l.trim().ends_with("icanon"))
    });
    assert!(s.contains("EXIT=0"), "{s}");
    assert!(
        s.lines().any(|l| l.trim() == "icanon"),
        "terminal left in raw mode:\n{s}"
    );
    assert!(!s.contains("overlap@10"), "alternate screen not left:\n{s}");
}

#[test]
fn an_index_that_fails_to_open_is_a_message_in_the_ui() {
    if no_tmux() {
        return;
    }
    let missing = std::env::temp_dir().join(format!("no-such-{}.idx", std::process::id()));
    let (tmux, _home) = start("bad", &format!("tui '{}'", missing.display()), 90, 26);
    let s = tmux.wait("the error screen", 30, |s| {
        s.contains("Could not open the index")
    });
    assert!(
        s.contains("no-such-") && s.contains("is not a spladescope index"),
        "the message names the index and the problem:\n{s}"
    );
    tmux.keys(&["q"]);
    let s = tmux.wait("the exit", 30, |s| s.contains("EXIT="));
    assert!(s.contains("EXIT=1"), "a failed load exits non-zero: {s}");
}

#[test]
fn the_explorer_refuses_to_start_without_a_terminal() {
    let out = Command::new(env!("CARGO_BIN_EXE_spladescope"))
        .args(["tui", "whatever.idx"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("needs a terminal"), "{err}");
}

#[test]
fn real_keys_paste_a_long_query_then_ctrl_u_and_history_keep_the_draft() {
    if no_tmux() {
        return;
    }
    let Some(model) = common::shared("models/splade-tiny") else {
        return;
    };
    let (tmux, _home) = start(
        "keys",
        &format!("demo --model '{}'", model.display()),
        150,
        40,
    );
    tmux.wait("the explorer", 120, |s| s.contains("Type a query"));
    // A 2,000-character query pasted at once (bracketed paste, one action): all of it is
    // the query, and SPLADE's cut is named. Without bracketed paste the terminal delivered
    // the first 1,024 bytes only, until the next key.
    let mut long = String::new();
    while long.len() < 1990 {
        long.push_str("login password invoice ");
    }
    long.truncate(1990);
    long.push_str(" ZZEND");
    long.push_str(&"z".repeat(2000 - long.len()));
    tmux.run(&["set-buffer", "-b", "long", &long]);
    tmux.run(&["paste-buffer", "-p", "-d", "-b", "long", "-t", "e2e"]);
    let s = tmux.wait("the long query", 60, |s| s.contains("BM25: all 2000 chars"));
    assert!(
        s.contains("SPLADE: first 64 of") && s.contains("ZZEND"),
        "{s}"
    );
    // Ctrl-U deletes to the start of the line; the query starts over.
    tmux.keys(&["C-u"]);
    tmux.wait("the empty query", 30, |s| s.contains("Type a query"));
    // Enter saves a query in the history; ↑ then ↓ brings the unsent draft back.
    tmux.keys(&["-l", "export notes"]);
    tmux.wait("the first query", 30, |s| s.contains("overlap@10"));
    tmux.keys(&["Enter", "/", "C-u"]);
    tmux.wait("the empty query", 30, |s| s.contains("Type a query"));
    tmux.keys(&["-l", "reset my"]);
    tmux.wait("the draft", 30, |s| s.contains("│reset my"));
    tmux.keys(&["Up"]);
    tmux.wait("the history entry", 30, |s| s.contains("│export notes"));
    tmux.keys(&["Down"]);
    tmux.wait("the draft again", 30, |s| s.contains("│reset my"));
    tmux.keys(&["C-c"]);
    let s = tmux.wait("the exit", 30, |s| s.contains("EXIT="));
    assert!(s.contains("EXIT=0"), "{s}");
}

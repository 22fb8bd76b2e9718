//! The real binary in tmux, for end-to-end tests of the explorer. Included by the test
//! files that use it (`#[path = "common/tmux.rs"] mod tmux;`).
#![allow(dead_code)]

use std::process::Command;
use std::time::{Duration, Instant};

pub struct Tmux {
    pub socket: String,
}

impl Tmux {
    pub fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("running tmux");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "e2e"])
    }

    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "e2e"];
        args.extend_from_slice(keys);
        self.run(&args);
    }

    /// Waits until the screen satisfies `ok`; panics with the screen after `secs`.
    pub fn wait(&self, what: &str, secs: u64, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if ok(&s) {
                return s;
            }
            if start.elapsed() > Duration::from_secs(secs) {
                panic!("timed out waiting for {what}; screen:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.run(&["kill-server"]);
    }
}

/// Whether tmux is missing (a failure in CI, where `.ci/run` installs it).
pub fn no_tmux() -> bool {
    if Command::new("tmux").arg("-V").output().is_ok() {
        return false;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "tmux is required in CI (.ci/run installs it)"
    );
    eprintln!("skipped: tmux is not installed");
    true
}

/// Runs `spladescope ARGS` in a fresh tmux session of `width` × `height`, with its own
/// data and config directories; afterwards the shell prints `EXIT=<status>` and whether
/// the terminal is in cooked mode (`icanon`).
pub fn start(name: &str, args: &str, width: u16, height: u16) -> (Tmux, tempfile::TempDir) {
    start_in(tempfile::tempdir().unwrap(), name, args, width, height)
}

/// [`start`] with a home prepared beforehand (`data/spladescope/history`, say).
pub fn start_in(
    home: tempfile::TempDir,
    name: &str,
    args: &str,
    width: u16,
    height: u16,
) -> (Tmux, tempfile::TempDir) {
    let bin = env!("CARGO_BIN_EXE_spladescope");
    let script = home.path().join("run.sh");
    std::fs::write(
        &script,
        format!(
            "export XDG_DATA_HOME='{d}/data' XDG_CONFIG_HOME='{d}/config' TERM=xterm-256color\n\
             '{bin}' {args}\necho EXIT=$?\nstty -a | tr ' ' '\\n' | grep -x -- '-\\?icanon'\nsleep 60\n",
            d = home.path().display(),
        ),
    )
    .unwrap();
    let tmux = Tmux {
        socket: format!("spladescope-e2e-{name}-{}", std::process::id()),
    };
    let (w, h) = (width.to_string(), height.to_string());
    let script = script.display().to_string();
    tmux.run(&[
        "new-session",
        "-d",
        "-s",
        "e2e",
        "-x",
        &w,
        "-y",
        &h,
        "sh",
        &script,
    ]);
    (tmux, home)
}

impl Tmux {
    /// The process id of the program the session's shell runs (its only child).
    pub fn program_pid(&self) -> Option<u32> {
        let shell = self.run(&["display-message", "-p", "-t", "e2e", "#{pane_pid}"]);
        let out = Command::new("pgrep")
            .args(["-P", shell.trim()])
            .output()
            .ok()?;
        String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .next()?
            .parse()
            .ok()
    }

    /// Sends `signal` (e.g. "TERM") to the program.
    pub fn signal(&self, signal: &str) {
        let pid = self.program_pid().expect("the program is running");
        let ok = Command::new("kill")
            .args([&format!("-{signal}"), &pid.to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill -{signal} {pid}");
    }

    /// Waits for the shell's lines after the program: its exit status and the terminal
    /// mode; asserts the terminal is back in cooked mode on the main screen; returns the
    /// exit status.
    pub fn exit_status(&self, secs: u64) -> i32 {
        let s = self.wait("the exit and the terminal mode", secs, |s| {
            s.contains("EXIT=") && s.lines().any(|l| l.trim().ends_with("icanon"))
        });
        assert!(
            s.lines().any(|l| l.trim() == "icanon"),
            "terminal left in raw mode:\n{s}"
        );
        let alternate = self.run(&["display-message", "-p", "-t", "e2e", "#{alternate_on}"]);
        assert_eq!(alternate.trim(), "0", "alternate screen left on:\n{s}");
        let mouse = self.run(&["display-message", "-p", "-t", "e2e", "#{mouse_any_flag}"]);
        assert_eq!(mouse.trim(), "0", "mouse reporting left on:\n{s}");
        let cursor = self.run(&["display-message", "-p", "-t", "e2e", "#{cursor_flag}"]);
        assert_eq!(cursor.trim(), "1", "cursor left hidden:\n{s}");
        s.split("EXIT=")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .and_then(|c| c.parse().ok())
            .expect("an exit status")
    }
}

//! The terminal: raw mode, the alternate screen and mouse capture, always undone — by a
//! guard on drop, by a panic hook, and by signal handlers — so neither a crash nor a kill
//! leaves a garbled terminal.
//!
//! SIGTERM, SIGHUP and SIGINT are noted ([`signal_received`]) and the event loop quits as
//! with `q`. SIGBUS (a memory-mapped index file truncated under the explorer) cannot be
//! returned from: its handler restores the terminal with async-signal-safe calls only
//! (`write`, `tcsetattr`), says what happened and exits with status 135 (128 + SIGBUS).

use std::io::{self, Stdout};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::OnceLock;

use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen,
};
use ratatui::Terminal;

/// The terminal in TUI mode; dropping it restores the terminal.
pub struct Guard {
    pub terminal: Terminal<CrosstermBackend<Stdout>>,
}

impl Guard {
    /// Enters raw mode, the alternate screen and mouse capture, and installs the panic hook.
    pub fn enter() -> io::Result<Self> {
        install_panic_hook();
        save_termios();
        install_signal_handlers();
        enable_raw_mode()?;
        let mut stdout = io::stdout();
        if let Err(e) = execute!(
            stdout,
            EnterAlternateScreen,
            EnableMouseCapture,
            EnableBracketedPaste
        ) {
            restore();
            return Err(e);
        }
        let terminal = match Terminal::new(CrosstermBackend::new(stdout)) {
            Ok(t) => t,
            Err(e) => {
                restore();
                return Err(e);
            }
        };
        Ok(Self { terminal })
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        restore();
        let _ = self.terminal.show_cursor();
    }
}

/// Leaves mouse capture, the alternate screen and raw mode (errors ignored: best effort).
pub fn restore() {
    let _ = execute!(
        io::stdout(),
        DisableBracketedPaste,
        DisableMouseCapture,
        LeaveAlternateScreen
    );
    let _ = disable_raw_mode();
}

fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
}

/// The terminal settings before raw mode, for the SIGBUS handler.
static SAVED_TERMIOS: OnceLock<libc::termios> = OnceLock::new();
/// The last quitting signal received (0: none).
static SIGNAL: AtomicI32 = AtomicI32::new(0);

/// The quitting signal (SIGTERM, SIGHUP, SIGINT) received since the explorer started.
pub fn signal_received() -> Option<i32> {
    match SIGNAL.load(Ordering::Relaxed) {
        0 => None,
        s => Some(s),
    }
}

fn save_termios() {
    // SAFETY: tcgetattr writes a termios we own; a zeroed termios is a valid value.
    let mut t: libc::termios = unsafe { std::mem::zeroed() };
    if unsafe { libc::tcgetattr(libc::STDIN_FILENO, &mut t) } == 0 {
        let _ = SAVED_TERMIOS.set(t);
    }
}

extern "C" fn on_quit_signal(signal: libc::c_int) {
    SIGNAL.store(signal, Ordering::Relaxed);
}

extern "C" fn on_bus_error(_: libc::c_int) {
    // Bracketed paste off, mouse modes off (crossterm's EnableMouseCapture set 1000, 1002,
    // 1003, 1015, 1006), main screen, cursor shown.
    const RESET: &[u8] = b"\x1b[?2004l\x1b[?1006l\x1b[?1015l\x1b[?1003l\x1b[?1002l\x1b[?1000l\
\x1b[?1049l\x1b[?25h";
    const MESSAGE: &[u8] = b"spladescope: an index file shrank or vanished while the explorer \
had it open (bus error); rebuild or restore the index and start again\n";
    // SAFETY: only async-signal-safe calls, on buffers that live for the whole program.
    unsafe {
        libc::write(libc::STDOUT_FILENO, RESET.as_ptr().cast(), RESET.len());
        if let Some(t) = SAVED_TERMIOS.get() {
            libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, t);
        }
        libc::write(libc::STDERR_FILENO, MESSAGE.as_ptr().cast(), MESSAGE.len());
        libc::_exit(128 + libc::SIGBUS);
    }
}

fn install_signal_handlers() {
    let set = |signal: libc::c_int, handler: usize| {
        // SAFETY: a zeroed sigaction with an empty mask and a plain handler is valid; the
        // handlers above are async-signal-safe.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = handler;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(signal, &action, std::ptr::null_mut());
        }
    };
    for signal in [libc::SIGTERM, libc::SIGHUP, libc::SIGINT] {
        set(
            signal,
            on_quit_signal as extern "C" fn(libc::c_int) as usize,
        );
    }
    set(
        libc::SIGBUS,
        on_bus_error as extern "C" fn(libc::c_int) as usize,
    );
}

//! The one key table: it dispatches keys and generates the help overlay and the status-bar
//! hints, so they cannot drift apart. The config file can rebind any action.
//!
//! Dispatch order: an open overlay first, then the focused pane (a focused text box gets
//! every key that is not bound in its context), then the global bindings.

use std::collections::BTreeMap;
use std::fmt;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Action;

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Context {
    Global,
    /// The query box (text input).
    Query,
    /// The expansion pane.
    Terms,
    /// A hit list.
    Hits,
    Inspector,
    /// The Compare view's hit lists.
    Compare,
    Evaluate,
    /// The "why not?" id box (text input).
    WhyNot,
    Help,
}

impl Context {
    /// Title in the help overlay.
    pub fn title(self) -> &'static str {
        match self {
            Self::Global => "Everywhere (outside text boxes)",
            Self::Query => "Query box",
            Self::Terms => "Expansion terms",
            Self::Hits => "Hit lists",
            Self::Inspector => "Inspector",
            Self::Compare => "Compare lists",
            Self::Evaluate => "Evaluate",
            Self::WhyNot => "Why not? box",
            Self::Help => "Help",
        }
    }
}

/// A key with modifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    const fn new(code: KeyCode, mods: KeyModifiers) -> Self {
        Self { code, mods }
    }

    /// The key of an event (Shift folded into the character for printable keys).
    pub fn of(event: &KeyEvent) -> Self {
        let mut mods =
            event.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        if matches!(event.code, KeyCode::Char(_) | KeyCode::BackTab) {
            mods.remove(KeyModifiers::SHIFT);
        }
        let code = match event.code {
            KeyCode::Char(c) if mods.contains(KeyModifiers::CONTROL) => {
                KeyCode::Char(c.to_ascii_lowercase())
            }
            c => c,
        };
        Self { code, mods }
    }

    /// Parses `ctrl-c`, `alt-x`, `shift-tab`, `enter`, `esc`, `f1`, `space`, `up`, `pgdn`, `?`.
    pub fn parse(s: &str) -> Result<Self, String> {
        let mut mods = KeyModifiers::NONE;
        let mut rest = s;
        loop {
            let lower = rest.to_ascii_lowercase();
            if let Some(r) = lower.strip_prefix("ctrl-").or(lower.strip_prefix("ctrl+")) {
                mods |= KeyModifiers::CONTROL;
                rest = &rest[rest.len() - r.len()..];
            } else if let Some(r) = lower.strip_prefix("alt-").or(lower.strip_prefix("alt+")) {
                mods |= KeyModifiers::ALT;
                rest = &rest[rest.len() - r.len()..];
            } else if let Some(r) = lower
                .strip_prefix("shift-")
                .or(lower.strip_prefix("shift+"))
            {
                mods |= KeyModifiers::SHIFT;
                rest = &rest[rest.len() - r.len()..];
            } else {
                break;
            }
        }
        let lower = rest.to_ascii_lowercase();
        let code = match lower.as_str() {
            "enter" | "return" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "tab" if mods.contains(KeyModifiers::SHIFT) => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            "tab" => KeyCode::Tab,
            "backtab" => KeyCode::BackTab,
            "space" => KeyCode::Char(' '),
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "pgup" | "pageup" => KeyCode::PageUp,
            "pgdn" | "pagedown" => KeyCode::PageDown,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "backspace" => KeyCode::Backspace,
            "delete" | "del" => KeyCode::Delete,
            f if f.len() > 1
                && f.starts_with('f')
                && f[1..].parse::<u8>().is_ok_and(|n| (1..=12).contains(&n)) =>
            {
                KeyCode::F(f[1..].parse().unwrap_or(1))
            }
            _ => {
                let mut chars = rest.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => {
                        mods.remove(KeyModifiers::SHIFT);
                        KeyCode::Char(if mods.contains(KeyModifiers::CONTROL) {
                            c.to_ascii_lowercase()
                        } else {
                            c
                        })
                    }
                    _ => {
                        return Err(format!(
                            "unknown key {s:?} (examples: ctrl-c, shift-tab, enter, f2, ?, space)"
                        ))
                    }
                }
            }
        };
        Ok(Self { code, mods })
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.contains(KeyModifiers::CONTROL) {
            write!(f, "Ctrl-")?;
        }
        if self.mods.contains(KeyModifiers::ALT) {
            write!(f, "Alt-")?;
        }
        if self.mods.contains(KeyModifiers::SHIFT) {
            write!(f, "Shift-")?;
        }
        match self.code {
            KeyCode::Char(' ') => write!(f, "Space"),
            KeyCode::Char(c) if self.mods.contains(KeyModifiers::CONTROL) => {
                write!(f, "{}", c.to_ascii_uppercase())
            }
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => write!(f, "Enter"),
            KeyCode::Esc => write!(f, "Esc"),
            KeyCode::Tab => write!(f, "Tab"),
            KeyCode::BackTab => write!(f, "Shift-Tab"),
            KeyCode::Up => write!(f, "↑"),
            KeyCode::Down => write!(f, "↓"),
            KeyCode::Left => write!(f, "←"),
            KeyCode::Right => write!(f, "→"),
            KeyCode::PageUp => write!(f, "PgUp"),
            KeyCode::PageDown => write!(f, "PgDn"),
            KeyCode::Home => write!(f, "Home"),
            KeyCode::End => write!(f, "End"),
            KeyCode::F(n) => write!(f, "F{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// One binding: keys of a context and what they do.
#[derive(Debug, Clone)]
pub struct Binding {
    pub context: Context,
    pub keys: Vec<Key>,
    pub action: Action,
    pub help: &'static str,
}

/// The key table.
#[derive(Debug, Clone)]
pub struct Keymap {
    pub bindings: Vec<Binding>,
}

const NONE: KeyModifiers = KeyModifiers::NONE;
const CTRL: KeyModifiers = KeyModifiers::CONTROL;

fn ch(c: char) -> Key {
    Key::new(KeyCode::Char(c), NONE)
}
fn code(c: KeyCode) -> Key {
    Key::new(c, NONE)
}
fn ctrl(c: char) -> Key {
    Key::new(KeyCode::Char(c), CTRL)
}

impl Default for Keymap {
    fn default() -> Self {
        use Action as A;
        use Context as C;
        use KeyCode as K;
        let b = |context, keys: Vec<Key>, action, help| Binding {
            context,
            keys,
            action,
            help,
        };
        let nav = |context| {
            vec![
                b(context, vec![code(K::Up), ch('k')], A::Up, "move up"),
                b(context, vec![code(K::Down), ch('j')], A::Down, "move down"),
                b(context, vec![code(K::PageUp)], A::PageUp, "page up"),
                b(context, vec![code(K::PageDown)], A::PageDown, "page down"),
                b(context, vec![code(K::Home), ch('g')], A::Top, "first"),
                b(context, vec![code(K::End), ch('G')], A::Bottom, "last"),
            ]
        };
        let mut bindings = vec![
            b(C::Global, vec![ctrl('c'), ch('q')], A::Quit, "quit"),
            b(C::Global, vec![ch('?'), code(K::F(1))], A::Help, "help"),
            b(C::Global, vec![code(K::Tab)], A::FocusNext, "next pane"),
            b(
                C::Global,
                vec![code(K::BackTab)],
                A::FocusPrev,
                "previous pane",
            ),
            b(
                C::Global,
                vec![ch('/'), code(K::Esc)],
                A::FocusQuery,
                "edit the query",
            ),
            b(
                C::Global,
                vec![ch('1'), code(K::F(2))],
                A::ViewExplore,
                "Explore view",
            ),
            b(
                C::Global,
                vec![ch('2'), code(K::F(3))],
                A::ViewCompare,
                "Compare checkpoints view",
            ),
            b(
                C::Global,
                vec![ch('3'), code(K::F(4))],
                A::ViewEvaluate,
                "Evaluate view",
            ),
            b(
                C::Global,
                vec![ch('4'), code(K::F(5))],
                A::ViewIndex,
                "Index view",
            ),
            b(
                C::Global,
                vec![ch('w')],
                A::WhyNot,
                "why not? inspect any document id",
            ),
            b(
                C::Global,
                vec![ch('r')],
                A::ResetEdits,
                "reset term edits and pruning",
            ),
            b(
                C::Global,
                vec![ch('[')],
                A::PruneFewer,
                "prune: keep fewer top terms",
            ),
            b(
                C::Global,
                vec![ch(']')],
                A::PruneMore,
                "prune: keep more top terms",
            ),
            b(
                C::Global,
                vec![ch('}')],
                A::ThresholdUp,
                "prune: raise minimum weight",
            ),
            b(
                C::Global,
                vec![ch('{')],
                A::ThresholdDown,
                "prune: lower minimum weight",
            ),
            b(C::Query, vec![ctrl('c')], A::Quit, "quit"),
            b(C::Query, vec![code(K::F(1))], A::Help, "help"),
            b(
                C::Query,
                vec![code(K::Enter), code(K::Tab)],
                A::FocusNext,
                "to the next pane",
            ),
            b(
                C::Query,
                vec![code(K::BackTab)],
                A::FocusPrev,
                "previous pane",
            ),
            b(
                C::Query,
                vec![code(K::Up)],
                A::HistoryPrev,
                "previous query in history",
            ),
            b(
                C::Query,
                vec![code(K::Down)],
                A::HistoryNext,
                "next query in history",
            ),
            b(
                C::Query,
                vec![code(K::Esc)],
                A::ClearQuery,
                "clear the query",
            ),
            b(
                C::Query,
                vec![ctrl('u')],
                A::DeleteToStart,
                "delete to the start of the line",
            ),
            b(C::Query, vec![ctrl('z')], A::Undo, "undo"),
            b(
                C::Query,
                vec![code(K::F(2))],
                A::ViewExplore,
                "Explore view",
            ),
            b(
                C::Query,
                vec![code(K::F(3))],
                A::ViewCompare,
                "Compare checkpoints view",
            ),
            b(
                C::Query,
                vec![code(K::F(4))],
                A::ViewEvaluate,
                "Evaluate view",
            ),
            b(C::Query, vec![code(K::F(5))], A::ViewIndex, "Index view"),
            b(
                C::Terms,
                vec![ch(' '), ch('x')],
                A::ToggleTerm,
                "switch the term off / on",
            ),
            b(
                C::Terms,
                vec![ch('+'), ch('=')],
                A::WeightUp,
                "raise its weight ×1.25",
            ),
            b(
                C::Terms,
                vec![ch('-')],
                A::WeightDown,
                "lower its weight ÷1.25",
            ),
            b(C::Hits, vec![code(K::Enter)], A::Open, "inspect the hit"),
            b(
                C::Hits,
                vec![code(K::Left), ch('h'), code(K::Right), ch('l')],
                A::OtherList,
                "the other hit list",
            ),
            b(
                C::Inspector,
                vec![code(K::Esc), code(K::Enter)],
                A::Back,
                "close the inspector",
            ),
            b(
                C::Compare,
                vec![code(K::Enter)],
                A::Open,
                "inspect the hit in Explore",
            ),
            b(
                C::Compare,
                vec![code(K::Left), ch('h'), code(K::Right), ch('l')],
                A::OtherList,
                "the other checkpoint's list",
            ),
            b(
                C::Evaluate,
                vec![code(K::Enter)],
                A::Open,
                "open the query in Explore",
            ),
            b(
                C::Evaluate,
                vec![ch('s')],
                A::SortNext,
                "sort by the next column",
            ),
            b(
                C::Evaluate,
                vec![ch('S')],
                A::SortReverse,
                "reverse the order",
            ),
            b(
                C::WhyNot,
                vec![code(K::Enter)],
                A::Open,
                "inspect the typed id or picked document",
            ),
            b(
                C::WhyNot,
                vec![code(K::Up)],
                A::Up,
                "pick a relevant document",
            ),
            b(
                C::WhyNot,
                vec![code(K::Down)],
                A::Down,
                "pick a relevant document",
            ),
            b(C::WhyNot, vec![code(K::Esc)], A::Back, "close"),
            b(
                C::WhyNot,
                vec![ctrl('u')],
                A::DeleteToStart,
                "delete to the start of the line",
            ),
            b(C::WhyNot, vec![ctrl('z')], A::Undo, "undo"),
            b(C::WhyNot, vec![ctrl('c')], A::Quit, "quit"),
            b(
                C::Help,
                vec![code(K::Esc), ch('?'), ch('q'), code(K::F(1))],
                A::Back,
                "close help",
            ),
        ];
        for c in [
            C::Terms,
            C::Hits,
            C::Inspector,
            C::Compare,
            C::Evaluate,
            C::Help,
        ] {
            bindings.extend(nav(c));
        }
        Self { bindings }
    }
}

impl Keymap {
    /// The action bound to `key` in `context`, if any.
    pub fn lookup(&self, context: Context, key: &KeyEvent) -> Option<Action> {
        let key = Key::of(key);
        self.bindings
            .iter()
            .find(|b| b.context == context && b.keys.contains(&key))
            .map(|b| b.action.clone())
    }

    /// Rebinds actions: each entry replaces the keys of every binding of that action.
    pub fn rebind(&mut self, keys: &BTreeMap<String, Vec<String>>) -> Result<(), String> {
        for (name, specs) in keys {
            let action: Action = serde_json::from_value(serde_json::Value::String(name.clone()))
                .map_err(|_| format!("[keys]: unknown action {name:?}"))?;
            let parsed = specs
                .iter()
                .map(|s| Key::parse(s).map_err(|e| format!("[keys] {name}: {e}")))
                .collect::<Result<Vec<_>, _>>()?;
            let mut found = false;
            for b in self.bindings.iter_mut().filter(|b| b.action == action) {
                b.keys = parsed.clone();
                found = true;
            }
            if !found {
                return Err(format!("[keys]: action {name:?} has no binding to change"));
            }
        }
        Ok(())
    }

    /// `(keys, help, action name)` lines of a context, for the help overlay; the name is
    /// what the config file's `[keys]` table rebinds.
    pub fn help(&self, context: Context) -> Vec<(String, &'static str, String)> {
        self.bindings
            .iter()
            .filter(|b| b.context == context)
            .map(|b| {
                let keys: Vec<String> = b.keys.iter().map(Key::to_string).collect();
                (keys.join(" "), b.help, b.action.name())
            })
            .collect()
    }

    /// The first key of `action` in `context` (or globally), for status-bar hints.
    pub fn first_key(&self, context: Context, action: &Action) -> Option<Key> {
        [context, Context::Global].iter().find_map(|c| {
            self.bindings
                .iter()
                .find(|b| b.context == *c && &b.action == action)
                .and_then(|b| b.keys.first().copied())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_display_round_trip() {
        for s in [
            "ctrl-c",
            "shift-tab",
            "enter",
            "f2",
            "?",
            "space",
            "pgdn",
            "G",
        ] {
            let k = Key::parse(s).unwrap();
            let back = Key::parse(&k.to_string().replace('↑', "up").replace('↓', "down")).unwrap();
            assert_eq!(k, back, "{s}");
        }
        assert!(Key::parse("ctrl-").is_err());
        assert!(Key::parse("hyper-x").is_err());
    }

    #[test]
    fn lookup_and_rebind() {
        let mut m = Keymap::default();
        let q = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(m.lookup(Context::Global, &q), Some(Action::Quit));
        assert_eq!(m.lookup(Context::Query, &q), None);
        let mut keys = BTreeMap::new();
        keys.insert("quit".to_string(), vec!["ctrl-x".to_string()]);
        m.rebind(&keys).unwrap();
        assert_eq!(m.lookup(Context::Global, &q), None);
        let cx = KeyEvent::new(KeyCode::Char('x'), KeyModifiers::CONTROL);
        assert_eq!(m.lookup(Context::Query, &cx), Some(Action::Quit));
        keys.insert("fly".to_string(), vec!["x".to_string()]);
        assert!(m.rebind(&keys).unwrap_err().contains("unknown action"));
    }

    #[test]
    fn no_key_is_bound_twice_in_one_context() {
        let m = Keymap::default();
        let mut seen = std::collections::HashSet::new();
        for b in &m.bindings {
            for k in &b.keys {
                assert!(
                    seen.insert((b.context, k.code, k.mods)),
                    "{:?} {k} bound twice",
                    b.context
                );
            }
        }
    }
}

//! The one key table: it dispatches keys and generates the help overlay and the status-bar
//! hints, so they cannot drift apart. The config file can rebind any action.
//!
//! Dispatch order: an open overlay first, then the focused pane (a focused text box gets
//! every key that is not bound in its context), then the global bindings.

use std::collections::BTreeMap;
use std::fmt;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::Deserialize;

use super::action::Action;

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
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
    /// The term or document browser.
    Browse,
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
            Self::Browse => "Term and document browsers",
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
    pub help: String,
}

/// The key table.
#[derive(Debug, Clone)]
pub struct Keymap {
    pub bindings: Vec<Binding>,
}

/// The default bindings, as data ([`DEFAULT_KEYS`]).
const DEFAULT_KEYS: &str = include_str!("keys.toml");

#[derive(Deserialize)]
struct KeyFile {
    binding: Vec<KeyEntry>,
}

#[derive(Deserialize)]
struct KeyEntry {
    contexts: Vec<Context>,
    action: Action,
    keys: Vec<String>,
    help: String,
}

impl Keymap {
    /// Parses a key table in the format of `keys.toml`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let file: KeyFile = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut bindings = Vec::new();
        // One context after another keeps each context's bindings in file order.
        let mut per_context: BTreeMap<Context, Vec<Binding>> = BTreeMap::new();
        let mut order = Vec::new();
        for entry in file.binding {
            let keys = entry
                .keys
                .iter()
                .map(|k| Key::parse(k))
                .collect::<Result<Vec<_>, _>>()?;
            for &context in &entry.contexts {
                if !order.contains(&context) {
                    order.push(context);
                }
                per_context.entry(context).or_default().push(Binding {
                    context,
                    keys: keys.clone(),
                    action: entry.action.clone(),
                    help: entry.help.clone(),
                });
            }
        }
        for context in order {
            bindings.extend(per_context.remove(&context).unwrap_or_default());
        }
        Ok(Self { bindings })
    }
}

impl Default for Keymap {
    fn default() -> Self {
        Self::parse(DEFAULT_KEYS).expect("the embedded keys.toml parses (tested)")
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
    pub fn help(&self, context: Context) -> Vec<(String, &str, String)> {
        self.bindings
            .iter()
            .filter(|b| b.context == context)
            .map(|b| {
                let keys: Vec<String> = b.keys.iter().map(Key::to_string).collect();
                (keys.join(" "), b.help.as_str(), b.action.name())
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
    fn the_embedded_table_parses_and_bad_tables_are_refused() {
        let m = Keymap::parse(DEFAULT_KEYS).unwrap();
        assert!(m.bindings.len() > 60);
        // Navigation is listed under each of its contexts.
        for c in [Context::Terms, Context::Hits, Context::Help] {
            assert!(m
                .bindings
                .iter()
                .any(|b| b.context == c && b.action == Action::Top));
        }
        let bad =
            r#"binding = [{ contexts = ["global"], action = "fly", keys = ["x"], help = "" }]"#;
        assert!(Keymap::parse(bad).is_err());
        let bad = r#"binding = [{ contexts = ["global"], action = "quit", keys = ["hyper-x"], help = "" }]"#;
        assert!(Keymap::parse(bad).unwrap_err().contains("hyper-x"));
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

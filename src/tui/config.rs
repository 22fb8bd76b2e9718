//! The config file and the query history, in the user's config and data directories.
//!
//! `config.toml` (in `~/.config/spladescope/` on Linux, or `$SPLADESCOPE_CONFIG`):
//!
//! ```toml
//! theme = "dark"        # or "light"
//! hits = 10             # hits per list
//! history = 500         # queries kept in the history file
//!
//! [keys]                # action name = keys; replaces that action's keys
//! quit = ["ctrl-q", "q"]
//! why_not = ["W"]
//! ```
//!
//! The history file (`history` in the data directory) holds one query per line, oldest
//! first.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::theme::ThemeName;

/// The user's settings.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub theme: ThemeName,
    pub hits: usize,
    pub history: usize,
    pub keys: BTreeMap<String, Vec<String>>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            theme: ThemeName::Dark,
            hits: 10,
            history: 500,
            keys: BTreeMap::new(),
        }
    }
}

impl Config {
    /// Reads a config file; a missing file gives the defaults, a bad one an error naming the
    /// file, line and problem.
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => return Err(format!("{}: {e}", path.display())),
        };
        Self::parse(&text).map_err(|e| format!("{}:{e}", path.display()))
    }

    /// Parses config text; errors start with the line number.
    pub fn parse(text: &str) -> Result<Self, String> {
        let config: Self = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1)
                .unwrap_or(1);
            format!("{line}: {}", e.message())
        })?;
        if !(1..=200).contains(&config.hits) {
            return Err(format!(
                "1: hits = {} is out of range (1 to 200)",
                config.hits
            ));
        }
        Ok(config)
    }
}

/// The query history, oldest first, with a browsing cursor.
#[derive(Debug, Clone, Default)]
pub struct History {
    pub entries: Vec<String>,
    path: Option<PathBuf>,
    limit: usize,
    cursor: Option<usize>,
}

impl History {
    /// Loads the history file (missing or unreadable: empty).
    pub fn load(path: Option<PathBuf>, limit: usize) -> Self {
        let entries = path
            .as_ref()
            .and_then(|p| std::fs::read_to_string(p).ok())
            .map(|t| {
                t.lines()
                    .filter(|l| !l.trim().is_empty())
                    .map(|l| crate::display::single_line(l).into_owned())
                    .collect()
            })
            .unwrap_or_default();
        Self {
            entries,
            path,
            limit,
            cursor: None,
        }
    }

    /// Adds a query (not twice in a row) and saves the file; returns a write error.
    pub fn push(&mut self, query: &str) -> Result<(), String> {
        let query = query.trim().replace('\n', " ");
        self.cursor = None;
        if query.is_empty() || self.entries.last() == Some(&query) {
            return Ok(());
        }
        self.entries.retain(|e| e != &query);
        self.entries.push(query);
        let excess = self.entries.len().saturating_sub(self.limit.max(1));
        self.entries.drain(..excess);
        let Some(path) = &self.path else {
            return Ok(());
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, self.entries.join("\n") + "\n")
            .and_then(|_| std::fs::rename(&tmp, path))
            .map_err(|e| format!("cannot save the history to {}: {e}", path.display()))
    }

    /// Whether an entry is being browsed (↑ since the last query was saved).
    pub fn browsing(&self) -> bool {
        self.cursor.is_some()
    }

    /// The previous (older) entry.
    pub fn older(&mut self) -> Option<&str> {
        let next = match self.cursor {
            None => self.entries.len().checked_sub(1)?,
            Some(0) => 0,
            Some(c) => c - 1,
        };
        self.cursor = Some(next);
        self.entries.get(next).map(String::as_str)
    }

    /// The next (newer) entry; `None` past the newest (back to an empty box).
    pub fn newer(&mut self) -> Option<&str> {
        let c = self.cursor?;
        if c + 1 >= self.entries.len() {
            self.cursor = None;
            return None;
        }
        self.cursor = Some(c + 1);
        self.entries.get(c + 1).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_defaults_overrides_and_errors() {
        assert_eq!(Config::parse("").unwrap(), Config::default());
        let c =
            Config::parse("theme = \"light\"\nhits = 5\n[keys]\nquit = [\"ctrl-q\"]\n").unwrap();
        assert_eq!((c.theme, c.hits), (ThemeName::Light, 5));
        assert_eq!(c.keys["quit"], vec!["ctrl-q".to_string()]);
        let e = Config::parse("hits = 10\ntheme = \"blue\"\n").unwrap_err();
        assert!(e.starts_with("2:"), "{e}");
        let e = Config::parse("colour = 1\n").unwrap_err();
        assert!(e.contains("colour"), "{e}");
        assert!(Config::parse("hits = 0").is_err());
    }

    #[test]
    fn history_browses_dedups_and_saves() {
        let dir = std::env::temp_dir().join(format!("spladescope-history-{}", std::process::id()));
        let path = dir.join("history");
        let mut h = History::load(Some(path.clone()), 3);
        for q in ["a", "b", "b", "c", "a", "d"] {
            h.push(q).unwrap();
        }
        assert_eq!(h.entries, vec!["c", "a", "d"]);
        assert_eq!(h.older(), Some("d"));
        assert_eq!(h.older(), Some("a"));
        assert_eq!(h.newer(), Some("d"));
        assert_eq!(h.newer(), None);
        let again = History::load(Some(path), 3);
        assert_eq!(again.entries, vec!["c", "a", "d"]);
        let _ = std::fs::remove_dir_all(dir);
    }
}

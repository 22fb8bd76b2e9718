//! The bookkeeping every record reader shares: the duplicate-id check and the count of
//! records skipped with `skip_bad`.

use std::collections::HashMap;
use std::path::PathBuf;

use super::error::CorpusError;
use super::reader::MAX_KEPT_ERRORS;

/// Duplicate ids seen so far and records skipped, for one file.
pub(crate) struct Tally {
    path: PathBuf,
    skip_bad: bool,
    seen: Option<HashMap<Box<str>, u64>>,
    pub(crate) skipped: u64,
    pub(crate) first_skipped: Vec<CorpusError>,
}

impl Tally {
    /// A tally for `path`; `check_duplicates` keeps every id seen.
    pub(crate) fn new(path: PathBuf, skip_bad: bool, check_duplicates: bool) -> Self {
        Self {
            path,
            skip_bad,
            seen: check_duplicates.then(HashMap::new),
            skipped: 0,
            first_skipped: Vec::new(),
        }
    }

    /// An error when `id` was seen before (on the line recorded then).
    pub(crate) fn check_duplicate(&mut self, id: &str, line: u64) -> Result<(), CorpusError> {
        let Some(seen) = &mut self.seen else {
            return Ok(());
        };
        if let Some(&first_line) = seen.get(id) {
            return Err(CorpusError::DuplicateId {
                path: self.path.clone(),
                line,
                first_line,
                id: id.to_owned(),
            });
        }
        seen.insert(id.into(), line);
        Ok(())
    }

    /// Counts a record error when bad records are skipped (`None`); otherwise, and for
    /// every other error, gives it back.
    pub(crate) fn skip(&mut self, e: CorpusError) -> Option<CorpusError> {
        if !(e.is_record_error() && self.skip_bad) {
            return Some(e);
        }
        self.skipped += 1;
        if self.first_skipped.len() < MAX_KEPT_ERRORS {
            self.first_skipped.push(e);
        }
        None
    }
}

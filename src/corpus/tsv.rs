//! TSV records: `id<TAB>text` (MS MARCO `collection.tsv`), optionally `id<TAB>text<TAB>title`.

use super::error::LineProblem;
use super::Document;

/// Options of the TSV format.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TsvOptions {
    /// Read `id<TAB>text<TAB>title` (DPR's `psgs_w100.tsv` order) instead of `id<TAB>text`.
    /// Without it a third column is an error.
    pub title_column: bool,
    /// Skip the first line (a header such as `id<TAB>text<TAB>title`).
    pub skip_header: bool,
}

/// Parses one TSV line (terminator already removed) into a document. No quoting or escaping:
/// a field is everything between two TABs.
pub(crate) fn parse_record(line: &str, options: &TsvOptions) -> Result<Document, LineProblem> {
    let expected = if options.title_column { 3 } else { 2 };
    let mut columns = line.split('\t');
    let id = columns.next().unwrap_or_default();
    let Some(text) = columns.next() else {
        return Err(LineProblem::MissingTab);
    };
    let title = if options.title_column {
        columns.next()
    } else {
        None
    };
    let rest = columns.count();
    let found = 2 + usize::from(title.is_some()) + rest;
    if found != expected {
        return Err(LineProblem::ColumnCount { expected, found });
    }
    super::check_id(id)?;
    Ok(Document {
        id: id.to_owned(),
        title: title.unwrap_or_default().to_owned(),
        text: text.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_and_three_columns() {
        let plain = TsvOptions::default();
        let d = parse_record("7\tsome text", &plain).unwrap();
        assert_eq!(
            (d.id.as_str(), d.title.as_str(), d.text.as_str()),
            ("7", "", "some text")
        );
        assert_eq!(parse_record("7\t", &plain).unwrap().text, "");
        let titled = TsvOptions {
            title_column: true,
            ..TsvOptions::default()
        };
        let d = parse_record("7\ttext\tTitle", &titled).unwrap();
        assert_eq!((d.title.as_str(), d.text.as_str()), ("Title", "text"));
    }

    #[test]
    fn wrong_column_counts() {
        let plain = TsvOptions::default();
        assert_eq!(parse_record("7 text", &plain), Err(LineProblem::MissingTab));
        assert_eq!(
            parse_record("7\ta\tb", &plain),
            Err(LineProblem::ColumnCount {
                expected: 2,
                found: 3
            })
        );
        let titled = TsvOptions {
            title_column: true,
            ..TsvOptions::default()
        };
        assert_eq!(
            parse_record("7\ta", &titled),
            Err(LineProblem::ColumnCount {
                expected: 3,
                found: 2
            })
        );
        assert_eq!(parse_record("\ta", &plain), Err(LineProblem::EmptyId));
    }
}

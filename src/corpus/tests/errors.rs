use std::io::{self, BufReader, Read};

use super::*;
use crate::corpus::{Format, LineProblem, TsvOptions, MAX_KEPT_ERRORS};

/// Writes `good, bad, good` as `name` and checks the error names the file, line 2 and `want`.
fn check_bad_line(name: &str, good: &str, bad: &[u8], want: &str) {
    let dir = tempfile::tempdir().unwrap();
    let mut content = Vec::new();
    content.extend_from_slice(good.replace("ID", "a").as_bytes());
    content.push(b'\n');
    content.extend_from_slice(bad);
    content.push(b'\n');
    content.extend_from_slice(good.replace("ID", "c").as_bytes());
    content.push(b'\n');
    let path = write(dir.path(), name, content);
    let (items, reader) = read_all(&path, &CorpusOptions::default());
    assert_eq!(items.len(), 3, "{items:?}");
    let e = items[1].clone().unwrap_err();
    assert!(e.contains(name), "{e}");
    assert!(e.contains(":2: "), "{e}");
    assert!(e.contains(want), "{e}");
    // reading goes on after a record error
    assert_eq!(items[2].as_ref().unwrap().id, "c");
    assert_eq!(reader.documents(), 2);

    // skip_bad skips and counts it
    let options = CorpusOptions {
        skip_bad: true,
        ..CorpusOptions::default()
    };
    let (items, reader) = read_all(&path, &options);
    assert_eq!(items.len(), 2);
    assert!(items.iter().all(Result::is_ok));
    assert_eq!(reader.skipped(), 1);
    assert_eq!(reader.first_skipped().len(), 1);
    assert_eq!(reader.first_skipped()[0].to_string(), e);
    assert_eq!(reader.first_skipped()[0].line(), Some(2));
}

const BEIR_GOOD: &str = r#"{"_id": "ID", "title": "t", "text": "x"}"#;

#[test]
fn invalid_json_names_file_line_and_column() {
    check_bad_line(
        "corpus.jsonl",
        BEIR_GOOD,
        br#"{"_id": "b", "text": }"#,
        "invalid JSON at column 22: expected value",
    );
}

#[test]
fn missing_id_field() {
    check_bad_line(
        "corpus.jsonl",
        BEIR_GOOD,
        br#"{"id": "b", "text": "x"}"#,
        "missing id field \"_id\" (fields present: \"id\", \"text\")",
    );
}

#[test]
fn id_of_wrong_type() {
    check_bad_line(
        "corpus.jsonl",
        BEIR_GOOD,
        br#"{"_id": {"x": 1}, "text": "x"}"#,
        "id field \"_id\" must be a string or an integer, found an object",
    );
}

#[test]
fn text_not_a_string() {
    check_bad_line(
        "corpus.jsonl",
        BEIR_GOOD,
        br#"{"_id": "b", "text": ["x"]}"#,
        "text field \"text\" must be a string, found an array",
    );
}

#[test]
fn not_an_object() {
    check_bad_line(
        "corpus.jsonl",
        BEIR_GOOD,
        b"\"b\"",
        "expected a JSON object, found a string",
    );
}

#[test]
fn invalid_utf8_names_the_byte_offset() {
    // line 1 is 39 bytes + "\n" (ID -> a); the bad byte is the 10th of line 2: offset 49
    assert_eq!(BEIR_GOOD.replace("ID", "a").len(), 39);
    check_bad_line(
        "corpus.jsonl",
        BEIR_GOOD,
        b"{\"_id\": \"\xC3\x28\", \"text\": \"x\"}",
        "invalid UTF-8 at byte offset 49 of the file (byte 10 of the line)",
    );
    check_bad_line(
        "c.tsv",
        "ID\tx",
        b"b\tcaf\xE9",
        "invalid UTF-8 at byte offset",
    );
}

#[test]
fn tsv_missing_tab_and_extra_columns() {
    check_bad_line(
        "c.tsv",
        "ID\tx",
        b"b x",
        "missing TAB: expected id<TAB>text",
    );
    check_bad_line(
        "c.tsv",
        "ID\tx",
        b"b\tx\ty",
        "expected 2 TAB-separated columns, found 3",
    );
    check_bad_line("c.tsv", "ID\tx", b"\tx", "empty document id");
}

#[test]
fn overlong_lines_are_record_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "c.tsv",
        format!("a\tx\nb\t{}\nc\ty\n", "z".repeat(100)),
    );
    let options = CorpusOptions {
        max_record_bytes: 50,
        ..CorpusOptions::default()
    };
    let (items, _) = read_all(&path, &options);
    assert_eq!(items.len(), 3);
    let e = items[1].clone().unwrap_err();
    assert!(e.ends_with("c.tsv:2: line longer than 50 bytes"), "{e}");
    assert!(items[2].is_ok());
}

#[test]
fn duplicate_ids_name_both_lines() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "c.tsv", "a\tx\nb\ty\n\na\tz\nc\tw\n");
    let (items, _) = read_all(&path, &CorpusOptions::default());
    let e = items[2].clone().unwrap_err();
    assert!(
        e.ends_with("c.tsv:4: duplicate document id \"a\" (first seen on line 1)"),
        "{e}"
    );
    assert_eq!(items.len(), 4);

    let skip = CorpusOptions {
        skip_bad: true,
        ..CorpusOptions::default()
    };
    let (items, reader) = read_all(&path, &skip);
    let ids: Vec<_> = items.into_iter().map(|d| d.unwrap().id).collect();
    assert_eq!(ids, ["a", "b", "c"]);
    assert_eq!(reader.skipped(), 1);
    assert!(matches!(
        reader.first_skipped()[0],
        CorpusError::DuplicateId {
            line: 4,
            first_line: 1,
            ..
        }
    ));

    let unchecked = CorpusOptions {
        check_duplicates: false,
        ..CorpusOptions::default()
    };
    assert_eq!(docs(&path, &unchecked).len(), 4);
}

#[test]
fn numeric_and_string_ids_collide() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "corpus.jsonl",
        "{\"_id\": 7, \"text\": \"x\"}\n{\"_id\": \"7\", \"text\": \"y\"}\n",
    );
    let e = first_error(&path, &CorpusOptions::default());
    assert!(
        matches!(
            e,
            CorpusError::DuplicateId {
                line: 2,
                first_line: 1,
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn skip_bad_keeps_only_the_first_errors() {
    let dir = tempfile::tempdir().unwrap();
    let mut content = String::new();
    for i in 0..25 {
        content.push_str(&format!("bad line {i}\ngood{i}\ttext\n"));
    }
    let path = write(dir.path(), "c.tsv", content);
    let options = CorpusOptions {
        skip_bad: true,
        ..CorpusOptions::default()
    };
    let (items, reader) = read_all(&path, &options);
    assert_eq!(items.len(), 25);
    assert_eq!(reader.skipped(), 25);
    assert_eq!(reader.first_skipped().len(), MAX_KEPT_ERRORS);
    assert_eq!(reader.first_skipped()[1].line(), Some(3));
    let e = reader.empty_corpus_error().to_string();
    assert!(e.contains("25 bad records were skipped"), "{e}");
}

#[test]
fn missing_file_is_an_io_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nope.jsonl");
    let e = CorpusReader::open(&path, &CorpusOptions::default())
        .err()
        .unwrap();
    assert!(matches!(e, CorpusError::Io { .. }));
    assert!(!e.is_record_error());
    assert!(e.to_string().contains("nope.jsonl"), "{e}");
    assert_eq!(e.path(), path);
}

/// Yields `data`, then fails.
struct FailingRead {
    data: io::Cursor<Vec<u8>>,
}

impl Read for FailingRead {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.data.read(buf)? {
            0 => Err(io::Error::other("disk on fire")),
            n => Ok(n),
        }
    }
}

#[test]
fn io_errors_stop_the_reader_even_with_skip_bad() {
    let options = CorpusOptions {
        skip_bad: true,
        ..CorpusOptions::default()
    };
    let read = FailingRead {
        data: io::Cursor::new(b"a\tx\n".to_vec()),
    };
    let mut reader = CorpusReader::from_reader(
        "pipe.tsv",
        BufReader::new(read),
        None,
        Format::Tsv,
        &options,
    )
    .unwrap();
    assert!(reader.next().unwrap().is_ok());
    let e = reader.next().unwrap().unwrap_err();
    assert_eq!(e.to_string(), "pipe.tsv: disk on fire");
    assert!(reader.next().is_none());
}

#[test]
fn title_column_option_changes_the_column_count() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "c.tsv", "a\tx\n");
    let options = CorpusOptions {
        tsv: TsvOptions {
            title_column: true,
            skip_header: false,
        },
        ..CorpusOptions::default()
    };
    match first_error(&path, &options) {
        CorpusError::BadLine {
            line: 1,
            problem:
                LineProblem::ColumnCount {
                    expected: 3,
                    found: 2,
                },
            ..
        } => {}
        e => panic!("{e}"),
    }
}

#[test]
fn an_endless_line_is_an_error_at_once() {
    // Like `index /dev/zero --format jsonl`: no newline ever comes.
    let options = CorpusOptions {
        max_record_bytes: 1 << 20,
        ..CorpusOptions::default()
    };
    let zeros = std::io::BufReader::new(std::io::repeat(0));
    let mut reader =
        CorpusReader::from_reader("/dev/zero", zeros, None, Format::Jsonl, &options).unwrap();
    let e = reader.next().unwrap().unwrap_err().to_string();
    assert!(
        e.ends_with("/dev/zero:1: line longer than 1048576 bytes"),
        "{e}"
    );
}

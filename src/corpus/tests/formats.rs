use std::io::Cursor;

use super::*;
use crate::corpus::{Format, JsonlFields, Progress, TsvOptions};

fn opts(format: Format) -> CorpusOptions {
    CorpusOptions {
        format: Some(format),
        ..CorpusOptions::default()
    }
}

#[test]
fn beir_directory_with_numeric_ids_missing_titles_crlf_bom_and_blank_lines() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "corpus.jsonl",
        "\u{feff}{\"_id\": \"d1\", \"title\": \"T1\", \"text\": \"one\", \"metadata\": {\"a\": [1]}}\r\n\
         \r\n\
         {\"_id\": 2, \"text\": \"two\"}\n\
         {\"_id\": \"d3\", \"title\": null, \"text\": \"three\"}",
    );
    let got = docs(dir.path(), &CorpusOptions::default());
    assert_eq!(
        got,
        vec![
            doc("d1", "T1", "one"),
            doc("2", "", "two"),
            doc("d3", "", "three")
        ]
    );
}

#[test]
fn generic_jsonl_with_custom_fields() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "docs.jsonl",
        "{\"docid\": \"a\", \"contents\": \"x\", \"headline\": \"H\"}\n{\"docid\": 9, \"contents\": \"y\"}\n",
    );
    let options = CorpusOptions {
        fields: JsonlFields {
            id_field: "docid".into(),
            text_field: "contents".into(),
            title_field: Some("headline".into()),
        },
        ..CorpusOptions::default()
    };
    assert_eq!(
        docs(&path, &options),
        vec![doc("a", "H", "x"), doc("9", "", "y")]
    );
}

#[test]
fn generic_jsonl_accepts_underscore_id_with_default_fields() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "docs.jsonl",
        "{\"id\": \"a\", \"text\": \"x\"}\n{\"_id\": \"b\", \"text\": \"y\"}\n",
    );
    let got = docs(&path, &CorpusOptions::default());
    assert_eq!(got, vec![doc("a", "", "x"), doc("b", "", "y")]);
}

#[test]
fn tsv_plain_crlf_title_column_and_header() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "collection.tsv",
        "0\tfirst text\r\n1\t\r\n\n2\tthird\n",
    );
    assert_eq!(
        docs(&path, &CorpusOptions::default()),
        vec![
            doc("0", "", "first text"),
            doc("1", "", ""),
            doc("2", "", "third")
        ]
    );
    let path = write(
        dir.path(),
        "psgs.tsv",
        "id\ttext\ttitle\n1\tsome text\tSome Title\n",
    );
    let options = CorpusOptions {
        tsv: TsvOptions {
            title_column: true,
            skip_header: true,
        },
        ..CorpusOptions::default()
    };
    assert_eq!(
        docs(&path, &options),
        vec![doc("1", "Some Title", "some text")]
    );
}

#[test]
fn indexed_text_follows_beir() {
    assert_eq!(doc("1", "Title", "text").indexed_text(), "Title text");
    assert_eq!(doc("1", "", "text").indexed_text(), "text");
    assert_eq!(doc("1", "Title", "").indexed_text(), "Title");
    assert_eq!(doc("1", " T ", " x\n").indexed_text(), "T   x");
    // Python's str.strip() also strips U+001C..U+001F
    assert_eq!(doc("1", "\u{1f}T", "x\u{a0}").indexed_text(), "T x");
    assert_eq!(doc("1", "", "").indexed_text(), "");
    assert!(doc("1", " ", "\n").is_empty());
    assert!(!doc("1", "t", "").is_empty());
}

#[test]
fn empty_documents_are_yielded_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "corpus.jsonl",
        "{\"_id\": \"a\", \"title\": \"\", \"text\": \"\"}\n{\"_id\": \"b\", \"text\": \"  \"}\n{\"_id\": \"c\", \"text\": \"x\"}\n",
    );
    let (items, reader) = read_all(&path, &CorpusOptions::default());
    assert_eq!(items.len(), 3);
    assert_eq!(reader.documents(), 3);
    assert_eq!(reader.empty(), 2);
    assert_eq!(reader.skipped(), 0);
}

#[test]
fn empty_file_yields_nothing_and_offers_empty_corpus_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "corpus.jsonl", "\n\n");
    let (items, reader) = read_all(&path, &CorpusOptions::default());
    assert!(items.is_empty());
    assert_eq!(reader.documents(), 0);
    let e = reader.empty_corpus_error();
    assert!(matches!(e, CorpusError::EmptyCorpus { .. }));
    assert!(
        e.to_string()
            .contains("corpus.jsonl: the corpus has no documents"),
        "{e}"
    );
}

#[test]
fn progress_goes_from_zero_to_the_file_size() {
    let dir = tempfile::tempdir().unwrap();
    let content = "a\tone\nb\ttwo\n";
    let path = write(dir.path(), "c.tsv", content);
    let mut reader = CorpusReader::open(&path, &CorpusOptions::default()).unwrap();
    let total = Some(content.len() as u64);
    assert_eq!(
        reader.progress(),
        Progress {
            bytes_read: 0,
            total_bytes: total
        }
    );
    reader.next().unwrap().unwrap();
    assert_eq!(reader.progress().bytes_read, 6);
    assert_eq!(reader.by_ref().count(), 1);
    assert_eq!(reader.progress().bytes_read, content.len() as u64);
    assert_eq!(reader.progress().fraction(), Some(1.0));
    assert_eq!(reader.path(), path);
    assert_eq!(reader.format(), Format::Tsv);
}

#[test]
fn from_reader_reads_streams() {
    let data = "{\"_id\": \"a\", \"text\": \"x\"}\n";
    let reader = CorpusReader::from_reader(
        "<stdin>",
        Cursor::new(data.as_bytes().to_vec()),
        None,
        Format::Beir,
        &CorpusOptions::default(),
    )
    .unwrap();
    assert_eq!(reader.progress().fraction(), None);
    let got: Vec<_> = reader.map(Result::unwrap).collect();
    assert_eq!(got, vec![doc("a", "", "x")]);
    assert!(CorpusReader::from_reader(
        "x",
        Cursor::new(Vec::new()),
        None,
        Format::Folder,
        &opts(Format::Folder)
    )
    .is_err());
}

#[test]
fn format_names_round_trip() {
    for f in Format::ALL {
        assert_eq!(f.to_string().parse::<Format>(), Ok(f));
    }
    assert_eq!("BEIR".parse::<Format>(), Ok(Format::Beir));
    let e = "csv".parse::<Format>().unwrap_err().to_string();
    assert!(
        e.contains("\"csv\"") && e.contains("beir, jsonl, tsv, folder"),
        "{e}"
    );
}

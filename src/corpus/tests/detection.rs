use super::*;
use crate::corpus::{detect, Detected, Format, JsonlFields};

fn detected(path: &Path) -> Result<Detected, String> {
    detect(path, &CorpusOptions::default()).map_err(|e| e.to_string())
}

fn format_of(path: &Path) -> Format {
    detected(path).unwrap_or_else(|e| panic!("{e}")).format
}

/// The error lists the formats and the option to force one.
fn assert_lists_formats(e: &str) {
    for name in ["beir", "jsonl", "tsv", "folder", "--format"] {
        assert!(e.contains(name), "{name} missing from: {e}");
    }
}

#[test]
fn directory_with_corpus_jsonl_is_beir_even_with_text_files() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = write(
        dir.path(),
        "corpus.jsonl",
        "{\"_id\": \"a\", \"text\": \"x\"}\n",
    );
    write(dir.path(), "README.md", "# readme");
    assert_eq!(
        detected(dir.path()),
        Ok(Detected {
            format: Format::Beir,
            path: corpus
        })
    );
}

#[test]
fn directory_of_text_files_is_folder() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "deep/down/note.md", "# n");
    write(dir.path(), "data.csv", "a,b");
    assert_eq!(format_of(dir.path()), Format::Folder);
}

#[test]
fn directory_without_either_is_an_error_with_hints() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "collection.tsv", "1\tx\n");
    write(dir.path(), ".hidden/note.txt", "hidden");
    let e = detected(dir.path()).unwrap_err();
    assert!(e.contains("no corpus.jsonl and no .txt/.md files"), "{e}");
    assert!(e.contains("it has collection.tsv"), "{e}");
    assert_lists_formats(&e);
}

#[test]
fn jsonl_files_are_sniffed() {
    let dir = tempfile::tempdir().unwrap();
    let beir = write(dir.path(), "a.jsonl", "\n{\"text\": \"x\", \"_id\": 1}\n");
    assert_eq!(format_of(&beir), Format::Beir);
    let generic = write(dir.path(), "b.json", "{\"id\": 1, \"text\": \"x\"}\n");
    assert_eq!(format_of(&generic), Format::Jsonl);
    let empty = write(dir.path(), "c.jsonl", "");
    assert_eq!(format_of(&empty), Format::Beir);

    let neither = write(
        dir.path(),
        "d.JSONL",
        "{\"docid\": 1, \"contents\": \"x\"}\n",
    );
    let e = detected(&neither).unwrap_err();
    assert!(e.contains("fields: \"docid\", \"contents\""), "{e}");
    assert_lists_formats(&e);
    // naming the fields makes it generic JSONL without sniffing
    let options = CorpusOptions {
        fields: JsonlFields {
            id_field: "docid".into(),
            text_field: "contents".into(),
            title_field: None,
        },
        ..CorpusOptions::default()
    };
    assert_eq!(detect(&neither, &options).unwrap().format, Format::Jsonl);
}

#[test]
fn sniffing_a_bad_first_line_names_it_unless_skip_bad() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "a.jsonl",
        "\n[1]\n{\"_id\": \"a\", \"text\": \"x\"}\n",
    );
    let e = detected(&path).unwrap_err();
    assert!(
        e.contains("a.jsonl:2: expected a JSON object, found an array"),
        "{e}"
    );
    let options = CorpusOptions {
        skip_bad: true,
        ..CorpusOptions::default()
    };
    assert_eq!(detect(&path, &options).unwrap().format, Format::Beir);
}

#[test]
fn tsv_by_extension_and_other_files_rejected() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(format_of(&write(dir.path(), "x.TSV", "1\tx")), Format::Tsv);
    let e = detected(&write(dir.path(), "corpus.jsonl.gz", "")).unwrap_err();
    assert!(e.contains("gzip"), "{e}");
    assert_lists_formats(&e);
    let e = detected(&write(dir.path(), "one.txt", "x")).unwrap_err();
    assert!(e.contains("ambiguous"), "{e}");
    let e = detected(&write(dir.path(), "x.csv", "x")).unwrap_err();
    assert!(
        e.contains("x.csv: the file name does not end in .jsonl, .json or .tsv"),
        "{e}"
    );
    assert_lists_formats(&e);
    let e = detected(&dir.path().join("missing")).unwrap_err();
    assert!(e.contains("missing"), "{e}");
}

#[test]
fn explicit_format_overrides_detection_and_checks_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "data.txt", "a\tx\n");
    let with = |format| CorpusOptions {
        format: Some(format),
        ..CorpusOptions::default()
    };
    assert_eq!(docs(&file, &with(Format::Tsv)), vec![doc("a", "", "x")]);
    let e = detect(&file, &with(Format::Folder))
        .unwrap_err()
        .to_string();
    assert!(e.contains("needs a directory"), "{e}");
    let e = detect(dir.path(), &with(Format::Jsonl))
        .unwrap_err()
        .to_string();
    assert!(e.contains("the jsonl format needs a file"), "{e}");
    let e = detect(dir.path(), &with(Format::Beir))
        .unwrap_err()
        .to_string();
    assert!(e.contains("no corpus.jsonl"), "{e}");
    // a folder holding only data.txt, read as folder
    assert_eq!(
        detect(dir.path(), &with(Format::Folder)).unwrap().format,
        Format::Folder
    );
}

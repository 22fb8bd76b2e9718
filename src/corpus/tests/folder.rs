use std::sync::mpsc;
use std::time::Duration;

use super::*;
use crate::corpus::{Format, LineProblem};

#[test]
fn ids_order_titles_and_skipped_entries() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "b.txt", "  plain text\n");
    write(root, "a/z.md", "# Zed\n\nbody of z\n");
    write(root, "a.md", "no heading here");
    write(root, "A/UPPER.MD", "text\n# Late Title\nmore");
    write(root, "a/b/c.txt", "");
    write(root, ".hidden.txt", "skip");
    write(root, ".git/x.txt", "skip");
    write(root, "a/data.json", "skip");
    let (items, reader) = read_all(root, &CorpusOptions::default());
    assert_eq!(reader.format(), Format::Folder);
    let got: Vec<Document> = items.into_iter().map(Result::unwrap).collect();
    assert_eq!(
        got,
        vec![
            doc("A/UPPER.MD", "Late Title", "text\nmore"),
            doc("a.md", "", "no heading here"),
            doc("a/b/c.txt", "", ""),
            doc("a/z.md", "Zed", "body of z"),
            doc("b.txt", "", "plain text"),
        ]
    );
    assert_eq!(reader.empty(), 1);
    let total: u64 = [
        "  plain text\n",
        "# Zed\n\nbody of z\n",
        "no heading here",
        "text\n# Late Title\nmore",
    ]
    .iter()
    .map(|s| s.len() as u64)
    .sum();
    assert_eq!(reader.progress().total_bytes, Some(total));
    assert_eq!(reader.progress().bytes_read, total);
}

#[test]
fn invalid_utf8_in_a_file_names_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "ok.txt", "fine");
    write(dir.path(), "sub/bad.txt", b"line one\nline \xFF two\n");
    let (items, _) = read_all(dir.path(), &CorpusOptions::default());
    assert_eq!(items.len(), 2);
    let e = items[1].clone().unwrap_err();
    assert!(e.contains("bad.txt:2: invalid UTF-8"), "{e}");
    assert!(e.contains("byte offset 14"), "{e}");

    let options = CorpusOptions {
        skip_bad: true,
        ..CorpusOptions::default()
    };
    let (items, reader) = read_all(dir.path(), &options);
    assert_eq!(items.len(), 1);
    assert_eq!(reader.skipped(), 1);
    assert!(matches!(
        reader.first_skipped()[0],
        CorpusError::BadLine {
            line: 2,
            problem: LineProblem::InvalidUtf8 { column: 6, .. },
            ..
        }
    ));
}

#[test]
fn oversized_files_are_skippable() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "big.txt", "x".repeat(100));
    write(dir.path(), "small.txt", "x");
    let options = CorpusOptions {
        max_record_bytes: 10,
        ..CorpusOptions::default()
    };
    let e = first_error(dir.path(), &options).to_string();
    assert!(e.contains("big.txt: file larger than 10 bytes"), "{e}");
    let options = CorpusOptions {
        skip_bad: true,
        ..options
    };
    assert_eq!(docs(dir.path(), &options), vec![doc("small.txt", "", "x")]);
}

/// Runs `f` on another thread and fails if it takes more than 20 s (a hang).
fn within_time<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(20))
        .expect("walking the folder hung")
}

#[cfg(unix)]
#[test]
fn symlinks_are_followed_once_and_loops_end() {
    use std::os::unix::fs::symlink;
    let outside = tempfile::tempdir().unwrap();
    write(outside.path(), "ext.txt", "external");
    symlink(outside.path(), outside.path().join("self_loop")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    write(&root, "sub/inner.txt", "inner");
    symlink(&root, root.join("sub/up")).unwrap(); // loop inside: skipped
    symlink(root.join("sub"), root.join("alias")).unwrap(); // alias inside: skipped
    symlink(outside.path(), root.join("linked")).unwrap(); // outside: followed once
    symlink(root.join("missing.txt"), root.join("broken.txt")).unwrap();
    let ids = within_time(move || {
        let options = CorpusOptions {
            skip_bad: true,
            ..CorpusOptions::default()
        };
        let (items, reader) = read_all(&root, &options);
        let ids: Vec<String> = items.into_iter().map(|d| d.unwrap().id).collect();
        (ids, reader.skipped(), reader.first_skipped()[0].to_string())
    });
    assert_eq!(ids.0, ["linked/ext.txt", "sub/inner.txt"]);
    assert_eq!(ids.1, 1);
    assert!(
        ids.2.contains("broken.txt: broken symbolic link"),
        "{}",
        ids.2
    );
}

#[cfg(unix)]
#[test]
fn non_utf8_file_names_are_record_errors() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let name = OsStr::from_bytes(b"caf\xE9.txt");
    if fs::write(dir.path().join(name), "x").is_err() {
        eprintln!("skipped: this file system refuses non-UTF-8 names");
        return;
    }
    write(dir.path(), "ok.txt", "y");
    let (items, _) = read_all(dir.path(), &CorpusOptions::default());
    assert_eq!(items.len(), 2);
    let e = items.iter().find_map(|r| r.clone().err()).unwrap();
    assert!(e.contains("caf") && e.contains("not valid UTF-8"), "{e}");
}

use std::collections::BTreeMap;
use std::io::Cursor;

use proptest::prelude::*;

use super::*;
use crate::corpus::Format;

fn read_stream(data: Vec<u8>, format: Format) -> Vec<Result<Document, CorpusError>> {
    CorpusReader::from_reader(
        "p",
        Cursor::new(data),
        None,
        format,
        &CorpusOptions::default(),
    )
    .unwrap()
    .collect()
}

/// Documents with distinct ids, as (id, (title, text)).
fn documents(
    id: impl Strategy<Value = String>,
    field: impl Strategy<Value = String> + Clone,
) -> impl Strategy<Value = Vec<Document>> {
    prop::collection::btree_map(id, (field.clone(), field), 0..12).prop_map(
        |m: BTreeMap<String, (String, String)>| {
            m.into_iter()
                .map(|(id, (title, text))| Document { id, title, text })
                .collect()
        },
    )
}

proptest! {
    #[test]
    fn beir_jsonl_round_trips(
        // Ids hold no whitespace or control characters (`check_id`).
        docs in documents("[^\\s\\p{Cc}]+", any::<String>()),
        numeric in any::<bool>(),
        crlf in any::<bool>(),
    ) {
        let mut data = String::new();
        for (i, d) in docs.iter().enumerate() {
            let id = if numeric { serde_json::json!(i) } else { serde_json::json!(d.id) };
            let line = serde_json::json!({
                "_id": id, "title": d.title, "text": d.text, "metadata": {"k": [1, null]}
            });
            data.push_str(&line.to_string());
            data.push_str(if crlf { "\r\n" } else { "\n" });
        }
        let got: Vec<Document> = read_stream(data.into_bytes(), Format::Beir)
            .into_iter()
            .collect::<Result<_, _>>()
            .unwrap();
        let want: Vec<Document> = docs
            .iter()
            .enumerate()
            .map(|(i, d)| Document {
                id: if numeric { i.to_string() } else { d.id.clone() },
                ..d.clone()
            })
            .collect();
        prop_assert_eq!(got, want);
    }

    #[test]
    fn tsv_round_trips(
        docs in documents(
            // a leading U+FEFF on line 1 would be read as a byte order mark
            "[^\\s\\p{Cc}\u{feff}][^\\s\\p{Cc}]*",
            "[^\t\r\n]*".prop_map(String::from)),
        crlf in any::<bool>(),
    ) {
        let mut data = String::new();
        for d in &docs {
            data.push_str(&format!("{}\t{}", d.id, d.text));
            data.push_str(if crlf { "\r\n" } else { "\n" });
        }
        let got: Vec<Document> = read_stream(data.into_bytes(), Format::Tsv)
            .into_iter()
            .collect::<Result<_, _>>()
            .unwrap();
        let want: Vec<Document> = docs
            .into_iter()
            .map(|d| Document { title: String::new(), ..d })
            .collect();
        prop_assert_eq!(got, want);
    }

    #[test]
    fn arbitrary_bytes_never_panic(data in prop::collection::vec(any::<u8>(), 0..400)) {
        for format in [Format::Beir, Format::Jsonl, Format::Tsv] {
            for item in read_stream(data.clone(), format) {
                if let Err(e) = item {
                    prop_assert!(e.is_record_error());
                    prop_assert!(e.line().is_some());
                }
            }
        }
    }
}

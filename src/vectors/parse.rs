//! One line of the import format into a document and its vector, without building a JSON
//! tree: the weights are read from their decimal text (the nearest `f32`), so a written
//! vector reads back bit for bit.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::{Keys, VectorOptions, VectorRecord, Vocabulary};
use crate::corpus::jsonl::{json_problem, Loose};
use crate::corpus::{check_id, Document, LineProblem, VectorProblem};
use crate::sparse::SparseVector;

/// Parses one line.
pub(crate) fn parse_line(
    line: &str,
    vocab: &dyn Vocabulary,
    options: &VectorOptions,
) -> Result<VectorRecord, LineProblem> {
    let mut de = serde_json::Deserializer::from_str(line);
    let top = de::Deserializer::deserialize_any(&mut de, TopVisitor)
        .and_then(|top| de.end().map(|()| top))
        .map_err(json_problem)?;
    let mut r = match top {
        Top::Object(r) => r,
        Top::Other(found) => return Err(LineProblem::NotAnObject { found }),
    };
    let id = match r.id.take() {
        Some(Loose::Str(s)) | Some(Loose::Int(s)) => s,
        Some(other) => {
            return Err(LineProblem::WrongType {
                role: "id",
                field: "id".into(),
                expected: "a string or an integer",
                found: other.describe(),
            })
        }
        None => {
            return Err(LineProblem::MissingField {
                role: "id",
                field: "\"id\" (or \"_id\")".into(),
                present: r.keys.join(", "),
            })
        }
    };
    check_id(&id)?;
    let text_field = |value: Option<Loose>, name: &str| match value {
        None | Some(Loose::Null) => Ok(None),
        Some(Loose::Str(s)) => Ok(Some(s)),
        Some(other) => Err(LineProblem::WrongType {
            role: "text",
            field: name.to_string(),
            expected: "a string or null",
            found: other.describe(),
        }),
    };
    let title = text_field(r.title.take(), "title")?;
    let text = text_field(r.text.take(), "text")?;
    let contents = text_field(r.contents.take(), r.contents_name)?;
    let has_text = title.is_some() || text.is_some() || contents.is_some();
    let doc = match (title, text) {
        (None, None) => Document {
            id,
            title: String::new(),
            text: contents.unwrap_or_default(),
        },
        (title, text) => Document {
            id,
            title: title.unwrap_or_default(),
            text: text.unwrap_or_default(),
        },
    };
    let raw = r.vector.ok_or_else(|| {
        LineProblem::BadVector(VectorProblem::Missing {
            present: r.keys.join(", "),
        })
    })?;
    let vector = parse_vector(raw, vocab, options).map_err(LineProblem::BadVector)?;
    Ok(VectorRecord {
        doc,
        vector,
        has_text,
    })
}

/// A `vector` object's text into a sparse vector.
fn parse_vector(
    raw: &str,
    vocab: &dyn Vocabulary,
    options: &VectorOptions,
) -> Result<SparseVector, VectorProblem> {
    if !raw.starts_with('{') {
        let found =
            serde_json::from_str::<Loose>(raw).map_or_else(|e| e.to_string(), |v| v.describe());
        return Err(VectorProblem::NotAnObject { found });
    }
    // The line was valid JSON, so an object reads; say so rather than panic if not.
    let entries = serde_json::from_str::<Entries>(raw).map_err(|e| VectorProblem::NotAnObject {
        found: e.to_string(),
    })?;
    let mut pairs: Vec<(u32, f32, usize)> = Vec::with_capacity(entries.len());
    for (i, (key, value)) in entries.iter().enumerate() {
        let term = match options.keys {
            Keys::Tokens => vocab.id(key).ok_or_else(|| VectorProblem::UnknownToken {
                token: key.to_string(),
            })?,
            Keys::Ids => term_id(key, vocab.size()).ok_or_else(|| VectorProblem::BadTermId {
                key: key.to_string(),
                vocab: vocab.size(),
            })?,
        };
        let weight =
            weight(value.get(), options.impact_scale).map_err(|why| VectorProblem::BadWeight {
                term: key.to_string(),
                why,
            })?;
        pairs.push((term, weight, i));
    }
    pairs.sort_unstable_by_key(|p| (p.0, p.2));
    if let Some(w) = pairs.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(VectorProblem::DuplicateTerm {
            key: entries[w[1].2].0.to_string(),
        });
    }
    pairs.retain(|p| p.1 > 0.0);
    Ok(SparseVector {
        ids: pairs.iter().map(|p| p.0).collect(),
        weights: pairs.iter().map(|p| p.1).collect(),
    })
}

/// A decimal term id below `vocab` (digits only).
pub(crate) fn term_id(key: &str, vocab: usize) -> Option<u32> {
    if key.is_empty() || !key.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    key.parse::<u32>().ok().filter(|&id| (id as usize) < vocab)
}

/// A weight from its JSON text: a finite number `>= 0` that fits an `f32`.
fn weight(text: &str, scale: Option<f64>) -> Result<f32, String> {
    let kind = match text.as_bytes().first() {
        Some(b'"') => Some("a string"),
        Some(b't' | b'f') => Some("a boolean"),
        Some(b'n') => Some("null"),
        Some(b'[') => Some("an array"),
        Some(b'{') => Some("an object"),
        _ => None,
    };
    if let Some(kind) = kind {
        return Err(format!("is {kind}, not a number"));
    }
    let value: f64 = text
        .parse()
        .map_err(|_| format!("is not a number ({text})"))?;
    if !value.is_finite() {
        return Err(format!("is too large ({text})"));
    }
    if value < 0.0 {
        return Err(format!("is negative ({text})"));
    }
    let w = match scale {
        Some(s) => (value / s) as f32,
        None => text
            .parse::<f32>()
            .map_err(|_| format!("is not a number ({text})"))?,
    };
    if !w.is_finite() {
        return Err(format!("does not fit a 32-bit float ({text})"));
    }
    Ok(w.max(0.0))
}

/// The entries of a `vector` object, in file order, values as raw JSON text.
struct Entries<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'a> std::ops::Deref for Entries<'a> {
    type Target = [(Cow<'a, str>, &'a RawValue)];
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl<'de: 'a, 'a> de::Deserialize<'de> for Entries<'a> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(EntriesVisitor(std::marker::PhantomData))
    }
}

struct EntriesVisitor<'a>(std::marker::PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for EntriesVisitor<'a> {
    type Value = Entries<'a>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object of term: weight")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entries<'a>, A::Error> {
        let mut out = Vec::with_capacity(map.size_hint().unwrap_or(64));
        while let Some(key) = map.next_key_seed(KeyText)? {
            let value: &'de RawValue = map.next_value()?;
            out.push((key, value));
        }
        Ok(Entries(out))
    }
}

/// A key, borrowed from the line when it has no escapes.
struct KeyText;

impl<'de> DeserializeSeed<'de> for KeyText {
    type Value = Cow<'de, str>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeyText {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a term")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
}

/// The fields of a record that matter; `vector` kept as raw text.
#[derive(Default)]
struct Record<'a> {
    id: Option<Loose>,
    title: Option<Loose>,
    text: Option<Loose>,
    contents: Option<Loose>,
    contents_name: &'static str,
    vector: Option<&'a str>,
    keys: Vec<String>,
}

enum Top<'a> {
    Object(Record<'a>),
    Other(&'static str),
}

struct TopVisitor;

impl<'de> Visitor<'de> for TopVisitor {
    type Value = Top<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Top<'de>, E> {
        Ok(Top::Other("a string"))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Top<'de>, E> {
        Ok(Top::Other("a number"))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Top<'de>, E> {
        Ok(Top::Other("a number"))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Top<'de>, E> {
        Ok(Top::Other("a number"))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Top<'de>, E> {
        Ok(Top::Other("a boolean"))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Top<'de>, E> {
        Ok(Top::Other("null"))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Top<'de>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Top::Other("an array"))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Top<'de>, A::Error> {
        let mut r = Record {
            contents_name: "contents",
            ..Record::default()
        };
        while let Some(key) = map.next_key_seed(KeyText)? {
            if r.keys.len() < 12 {
                r.keys.push(format!("{key:?}"));
            }
            match key.as_ref() {
                "id" => r.id = Some(map.next_value()?),
                "_id" if r.id.is_none() => r.id = Some(map.next_value()?),
                "title" => r.title = Some(map.next_value()?),
                "text" => r.text = Some(map.next_value()?),
                "contents" => r.contents = Some(map.next_value()?),
                "content" if r.contents.is_none() => {
                    r.contents = Some(map.next_value()?);
                    r.contents_name = "content";
                }
                "vector" => r.vector = Some(map.next_value::<&'de RawValue>()?.get()),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if r.keys.is_empty() {
            r.keys.push("none".into());
        }
        Ok(Top::Object(r))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab() -> crate::vectors::TokenTable {
        crate::vectors::TokenTable::new(
            ["[PAD]", "cat", "dog", "##s", "fish"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
        )
    }

    fn parse(line: &str) -> Result<VectorRecord, LineProblem> {
        parse_line(line, &vocab(), &VectorOptions::default())
    }

    fn problem(line: &str, options: &VectorOptions) -> String {
        parse_line(line, &vocab(), options).unwrap_err().to_string()
    }

    #[test]
    fn anserini_seismic_and_beir_shapes() {
        let r = parse(r###"{"id": "d1", "contents": "cats", "vector": {"dog": 0.5, "cat": 1.25, "##s": 0}}"###)
            .unwrap();
        assert_eq!(r.doc.id, "d1");
        assert_eq!(r.doc.text, "cats");
        assert_eq!(r.vector.ids, vec![1, 2]);
        assert_eq!(r.vector.weights, vec![1.25, 0.5]);
        assert!(r.has_text);
        let r = parse(r#"{"id": 7, "content": "x", "vector": {}}"#).unwrap();
        assert_eq!((r.doc.id.as_str(), r.doc.text.as_str()), ("7", "x"));
        let r = parse(r#"{"_id": "b", "title": "T", "text": "body", "contents": "ignored", "vector": {"fish": 2}}"#)
            .unwrap();
        assert_eq!((r.doc.title.as_str(), r.doc.text.as_str()), ("T", "body"));
        let r = parse(r#"{"id": "n", "vector": {"fish": 1e-3}}"#).unwrap();
        assert!(!r.has_text);
        assert_eq!(r.vector.weights, vec![0.001]);
    }

    #[test]
    fn weights_read_as_the_nearest_f32() {
        for w in [0.1f32, 1.0e-7, 3.4028235e38, 0.33333334, 2.7182817] {
            let line = format!(r#"{{"id": "d", "vector": {{"cat": {w}}}}}"#);
            assert_eq!(
                parse(&line).unwrap().vector.weights[0].to_bits(),
                w.to_bits()
            );
        }
    }

    #[test]
    fn ids_and_integer_impacts() {
        let options = VectorOptions {
            keys: Keys::Ids,
            impact_scale: Some(100.0),
            ..VectorOptions::default()
        };
        let r = parse_line(
            r#"{"id": "d", "vector": {"4": 250, "1": 3}}"#,
            &vocab(),
            &options,
        )
        .unwrap();
        assert_eq!(r.vector.ids, vec![1, 4]);
        assert_eq!(r.vector.weights, vec![0.03, 2.5]);
    }

    #[test]
    fn bad_vectors_say_what_is_wrong() {
        let d = VectorOptions::default();
        let ids = VectorOptions {
            keys: Keys::Ids,
            ..VectorOptions::default()
        };
        let cases: &[(&str, &VectorOptions, &str)] = &[
            (
                r#"{"id": "d"}"#,
                &d,
                "missing \"vector\" field (fields present: \"id\")",
            ),
            (
                r#"{"id": "d", "vector": [1]}"#,
                &d,
                "must be an object of term: weight, found an array",
            ),
            (
                r#"{"id": "d", "vector": {"cat": "1"}}"#,
                &d,
                "weight of term \"cat\" is a string, not a number",
            ),
            (
                r#"{"id": "d", "vector": {"cat": null}}"#,
                &d,
                "is null, not a number",
            ),
            (
                r#"{"id": "d", "vector": {"cat": -0.5}}"#,
                &d,
                "is negative (-0.5)",
            ),
            (
                r#"{"id": "d", "vector": {"cat": 1e400}}"#,
                &d,
                "is too large (1e400)",
            ),
            (
                r#"{"id": "d", "vector": {"cat": 1e39}}"#,
                &d,
                "does not fit a 32-bit float (1e39)",
            ),
            (
                r#"{"id": "d", "vector": {"bird": 1}}"#,
                &d,
                "unknown token \"bird\"",
            ),
            (
                r#"{"id": "d", "vector": {"cat": 1, "cat": 2}}"#,
                &d,
                "term \"cat\" appears twice",
            ),
            (
                r#"{"id": "d", "vector": {"5": 1}}"#,
                &ids,
                "term key \"5\" is not a term id below the vocabulary size 5",
            ),
            (
                r#"{"id": "d", "vector": {"1": 1, "01": 2}}"#,
                &ids,
                "term \"01\" appears twice",
            ),
            (
                r#"{"id": "d", "vector": {"-1": 1}}"#,
                &ids,
                "term key \"-1\"",
            ),
            (r#"{"id": "", "vector": {}}"#, &d, "empty document id"),
            (r#"{"vector": {}}"#, &d, "missing id field"),
            (
                r#"{"id": "d", "text": 3, "vector": {}}"#,
                &d,
                "text field \"text\" must be a string or null",
            ),
            (r#"[1, 2]"#, &d, "expected a JSON object, found an array"),
            (r#"{"id": "d", "vector": {"cat": 1}"#, &d, "invalid JSON"),
        ];
        for (line, options, want) in cases {
            let got = problem(line, options);
            assert!(got.contains(want), "{line}: {got}");
        }
    }
}

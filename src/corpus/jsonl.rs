//! JSON Lines records (BEIR and generic field names), parsed without building a JSON tree:
//! only the id, text and title fields are kept, everything else (e.g. `metadata`) is skipped.

use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::error::LineProblem;
use super::Document;

/// How many field names a "missing field" message lists.
const MAX_LISTED_FIELDS: usize = 12;

/// Field names of a generic JSONL corpus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonlFields {
    /// Field holding the document id (a string or an integer). Default `id`. When it is `id`
    /// and a line has no `id` field, `_id` is accepted instead (so BEIR files read as generic
    /// JSONL too).
    pub id_field: String,
    /// Field holding the text (must be a string). Default `text`.
    pub text_field: String,
    /// Field holding the title, if any. Default `title`. A missing or `null` title is empty.
    pub title_field: Option<String>,
}

impl Default for JsonlFields {
    fn default() -> Self {
        JsonlFields {
            id_field: "id".into(),
            text_field: "text".into(),
            title_field: Some("title".into()),
        }
    }
}

impl JsonlFields {
    /// BEIR's `corpus.jsonl` fields: `_id`, `text`, `title`.
    pub fn beir() -> Self {
        JsonlFields {
            id_field: "_id".into(),
            ..JsonlFields::default()
        }
    }

    fn alt_id(&self) -> Option<&'static str> {
        (self.id_field == "id").then_some("_id")
    }

    fn id_names(&self) -> String {
        match self.alt_id() {
            Some(alt) => format!("{:?} (or {alt:?})", self.id_field),
            None => format!("{:?}", self.id_field),
        }
    }
}

/// Parses one JSONL line into a document.
pub(crate) fn parse_record(line: &str, fields: &JsonlFields) -> Result<Document, LineProblem> {
    let record = match parse_object(line, Some(fields))? {
        Top::Object(r) => r,
        Top::Other(found) => return Err(LineProblem::NotAnObject { found }),
    };
    let id_value = match (record.id, record.alt_id) {
        (Some(v), _) | (None, Some(v)) => v,
        (None, None) => {
            return Err(LineProblem::MissingField {
                role: "id",
                field: fields.id_names(),
                present: record.keys.list(),
            })
        }
    };
    let id_field = if record.used_alt_id {
        "_id"
    } else {
        &fields.id_field
    };
    let id = match id_value {
        Loose::Str(s) => s,
        Loose::Int(s) => s,
        other => {
            return Err(LineProblem::WrongType {
                role: "id",
                field: id_field.to_string(),
                expected: "a string or an integer",
                found: other.describe(),
            })
        }
    };
    super::check_id(&id)?;
    let text = match record.text {
        Some(Loose::Str(s)) => s,
        Some(other) => {
            return Err(LineProblem::WrongType {
                role: "text",
                field: fields.text_field.clone(),
                expected: "a string",
                found: other.describe(),
            })
        }
        None => {
            return Err(LineProblem::MissingField {
                role: "text",
                field: format!("{:?}", fields.text_field),
                present: record.keys.list(),
            })
        }
    };
    let title = match record.title {
        Some(Loose::Str(s)) => s,
        None | Some(Loose::Null) => String::new(),
        Some(other) => {
            return Err(LineProblem::WrongType {
                role: "title",
                field: fields.title_field.clone().unwrap_or_default(),
                expected: "a string or null",
                found: other.describe(),
            })
        }
    };
    Ok(Document { id, title, text })
}

/// The field names of a JSON object line (the first few), for format detection.
pub(crate) fn sniff_keys(line: &str) -> Result<Vec<String>, LineProblem> {
    match parse_object(line, None)? {
        Top::Object(r) => Ok(r.keys.names),
        Top::Other(found) => Err(LineProblem::NotAnObject { found }),
    }
}

fn parse_object(line: &str, fields: Option<&JsonlFields>) -> Result<Top, LineProblem> {
    let mut de = serde_json::Deserializer::from_str(line);
    let top = TopSeed { fields }
        .deserialize(&mut de)
        .and_then(|top| de.end().map(|()| top))
        .map_err(json_problem)?;
    Ok(top)
}

pub(crate) fn json_problem(e: serde_json::Error) -> LineProblem {
    let full = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let message = full.strip_suffix(&suffix).unwrap_or(&full).to_string();
    LineProblem::InvalidJson {
        column: e.column(),
        message,
    }
}

/// A JSON value as far as a field needs it: strings and integers kept, the rest only named.
pub(crate) enum Loose {
    Str(String),
    Int(String),
    Float(f64),
    Bool(bool),
    Null,
    Array,
    Object,
}

impl Loose {
    pub(crate) fn describe(&self) -> String {
        match self {
            Loose::Str(_) => "a string".into(),
            Loose::Int(s) => format!("the integer {s}"),
            Loose::Float(f) => format!("the non-integer number {f}"),
            Loose::Bool(b) => format!("{b}"),
            Loose::Null => "null".into(),
            Loose::Array => "an array".into(),
            Loose::Object => "an object".into(),
        }
    }
}

struct LooseVisitor;

impl<'de> Visitor<'de> for LooseVisitor {
    type Value = Loose;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Loose, E> {
        Ok(Loose::Str(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Loose, E> {
        Ok(Loose::Str(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Loose, E> {
        Ok(Loose::Int(v.to_string()))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Loose, E> {
        Ok(Loose::Int(v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Loose, E> {
        Ok(Loose::Float(v))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Loose, E> {
        Ok(Loose::Bool(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Loose, E> {
        Ok(Loose::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Loose, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Loose::Array)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Loose, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Loose::Object)
    }
}

impl<'de> de::Deserialize<'de> for Loose {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(LooseVisitor)
    }
}

/// The first few field names of an object.
#[derive(Default)]
struct Keys {
    names: Vec<String>,
    more: bool,
}

impl Keys {
    fn push(&mut self, name: &str) {
        if self.names.len() < MAX_LISTED_FIELDS {
            self.names.push(name.to_owned());
        } else {
            self.more = true;
        }
    }

    fn list(&self) -> String {
        if self.names.is_empty() {
            return "none".into();
        }
        let mut s = self
            .names
            .iter()
            .map(|n| format!("{n:?}"))
            .collect::<Vec<_>>()
            .join(", ");
        if self.more {
            s.push_str(", ...");
        }
        s
    }
}

#[derive(Default)]
struct Record {
    id: Option<Loose>,
    alt_id: Option<Loose>,
    used_alt_id: bool,
    text: Option<Loose>,
    title: Option<Loose>,
    keys: Keys,
}

enum Top {
    Object(Record),
    Other(&'static str),
}

#[derive(Clone, Copy)]
enum Slot {
    Id,
    AltId,
    Text,
    Title,
    Other,
}

struct TopSeed<'f> {
    fields: Option<&'f JsonlFields>,
}

impl<'de> DeserializeSeed<'de> for TopSeed<'_> {
    type Value = Top;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Top, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TopSeed<'_> {
    type Value = Top;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Top, E> {
        Ok(Top::Other("a string"))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Top, E> {
        Ok(Top::Other("a number"))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Top, E> {
        Ok(Top::Other("a number"))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Top, E> {
        Ok(Top::Other("a number"))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Top, E> {
        Ok(Top::Other("a boolean"))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Top, E> {
        Ok(Top::Other("null"))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Top, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Top::Other("an array"))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Top, A::Error> {
        let mut record = Record::default();
        while let Some(slot) = map.next_key_seed(KeySeed {
            fields: self.fields,
            keys: &mut record.keys,
        })? {
            match slot {
                Slot::Id => record.id = Some(map.next_value()?),
                Slot::AltId => record.alt_id = Some(map.next_value()?),
                Slot::Text => record.text = Some(map.next_value()?),
                Slot::Title => record.title = Some(map.next_value()?),
                Slot::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        record.used_alt_id = record.id.is_none() && record.alt_id.is_some();
        Ok(Top::Object(record))
    }
}

/// Reads a key, records its name and says which slot it fills.
struct KeySeed<'a, 'f> {
    fields: Option<&'f JsonlFields>,
    keys: &'a mut Keys,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_, '_> {
    type Value = Slot;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Slot, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_, '_> {
    type Value = Slot;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a field name")
    }
    fn visit_str<E: de::Error>(self, key: &str) -> Result<Slot, E> {
        self.keys.push(key);
        let Some(fields) = self.fields else {
            return Ok(Slot::Other);
        };
        Ok(if key == fields.id_field {
            Slot::Id
        } else if fields.alt_id() == Some(key) {
            Slot::AltId
        } else if key == fields.text_field {
            Slot::Text
        } else if fields.title_field.as_deref() == Some(key) {
            Slot::Title
        } else {
            Slot::Other
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn beir(line: &str) -> Result<Document, LineProblem> {
        parse_record(line, &JsonlFields::beir())
    }

    #[test]
    fn beir_record_with_metadata_and_escapes() {
        let d = beir(r#"{"_id": "d1", "title": "T\u00e9", "text": "a \"b\"", "metadata": {"x": [1, {"y": null}]}}"#)
            .unwrap();
        assert_eq!(d.id, "d1");
        assert_eq!(d.title, "Té");
        assert_eq!(d.text, "a \"b\"");
    }

    #[test]
    fn numeric_ids_become_decimal_strings() {
        assert_eq!(beir(r#"{"_id": 42, "text": "x"}"#).unwrap().id, "42");
        assert_eq!(beir(r#"{"_id": -7, "text": "x"}"#).unwrap().id, "-7");
        let e = beir(r#"{"_id": 1.5, "text": "x"}"#).unwrap_err();
        assert!(e.to_string().contains("non-integer number 1.5"), "{e}");
    }

    #[test]
    fn title_missing_or_null_is_empty() {
        assert_eq!(beir(r#"{"_id": "a", "text": "x"}"#).unwrap().title, "");
        assert_eq!(
            beir(r#"{"_id": "a", "title": null, "text": "x"}"#)
                .unwrap()
                .title,
            ""
        );
        let e = beir(r#"{"_id": "a", "title": 3, "text": "x"}"#).unwrap_err();
        assert!(e.to_string().contains("title field \"title\""), "{e}");
    }

    #[test]
    fn generic_fields_and_id_fallback() {
        let f = JsonlFields::default();
        assert_eq!(
            parse_record(r#"{"id": "a", "text": "x"}"#, &f).unwrap().id,
            "a"
        );
        assert_eq!(
            parse_record(r#"{"_id": "b", "text": "x"}"#, &f).unwrap().id,
            "b"
        );
        // `id` wins over `_id`
        assert_eq!(
            parse_record(r#"{"_id": "b", "id": "a", "text": "x"}"#, &f)
                .unwrap()
                .id,
            "a"
        );
        let custom = JsonlFields {
            id_field: "docid".into(),
            text_field: "contents".into(),
            title_field: None,
        };
        let d = parse_record(
            r#"{"docid": 5, "contents": "c", "title": "ignored"}"#,
            &custom,
        )
        .unwrap();
        assert_eq!(
            (d.id.as_str(), d.title.as_str(), d.text.as_str()),
            ("5", "", "c")
        );
        // a custom id field has no fallback
        let e = parse_record(r#"{"_id": 5, "contents": "c"}"#, &custom).unwrap_err();
        assert!(e.to_string().contains("missing id field \"docid\""), "{e}");
    }

    #[test]
    fn problems_are_named() {
        let cases = [
            (r#"{"_id": "a", "text": "x""#, "invalid JSON at column"),
            (r#"{"_id": "a", "text": "x"} x"#, "trailing characters"),
            (r#"[1, 2]"#, "expected a JSON object, found an array"),
            (
                r#"{"title": "t", "text": "x"}"#,
                "missing id field \"_id\" (fields present: \"title\", \"text\")",
            ),
            (
                r#"{"_id": true, "text": "x"}"#,
                "id field \"_id\" must be a string or an integer, found true",
            ),
            (r#"{"_id": ["a"], "text": "x"}"#, "found an array"),
            (r#"{"_id": "", "text": "x"}"#, "empty document id"),
            (
                r#"{"_id": "a b", "text": "x"}"#,
                "document id \"a b\" contains whitespace (U+0020); TREC run and qrels files",
            ),
            (
                r#"{"_id": "a\nb", "text": "x"}"#,
                "document id \"a\\nb\" contains whitespace (U+000A)",
            ),
            (
                r#"{"_id": "a\u001b[2J", "text": "x"}"#,
                "contains a control character (U+001B)",
            ),
            (
                r#"{"_id": "a", "text": 1}"#,
                "text field \"text\" must be a string, found the integer 1",
            ),
            (r#"{"_id": "a", "text": null}"#, "found null"),
            (
                r#"{"_id": "a", "contents": "x"}"#,
                "missing text field \"text\" (fields present: \"_id\", \"contents\")",
            ),
        ];
        for (line, want) in cases {
            let e = beir(line).unwrap_err().to_string();
            assert!(e.contains(want), "{line}: {e}");
        }
        let e = beir(r#"{"_id": "a",, "text": "x"}"#).unwrap_err();
        assert!(
            matches!(e, LineProblem::InvalidJson { column: 13, .. }),
            "{e:?}"
        );
        assert!(!e.to_string().contains("at line"), "{e}");
    }

    #[test]
    fn sniff_lists_keys() {
        assert_eq!(
            sniff_keys(r#"{"a": 1, "b": {"c": 2}}"#).unwrap(),
            ["a", "b"]
        );
        assert!(sniff_keys("[]").is_err());
    }
}

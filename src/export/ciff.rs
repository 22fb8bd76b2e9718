//! CIFF, the Common Index File Format (osirrc/ciff `CommonIndexFileFormat.proto`), read by
//! PISA (`ciff2pisa`), BMP (`ciff2bmp`), Terrier and JASS; written here with PISA's linear
//! quantisation of the document weights, and read back by `index --vectors FILE.ciff`.
//!
//! A file is varint-length-delimited protobuf messages: one `Header`, then
//! `num_postings_lists` `PostingsList`s, then `num_docs` `DocRecord`s.
//!
//! ```text
//! Header       { 1 version: int32, 2 num_postings_lists: int32, 3 num_docs: int32,
//!                4 total_postings_lists: int32, 5 total_docs: int32,
//!                6 total_terms_in_collection: int64, 7 average_doclength: double,
//!                8 description: string }
//! PostingsList { 1 term: string, 2 df: int64, 3 cf: int64, 4 postings: repeated Posting }
//! Posting      { 1 docid: int32 (gap from the previous posting; the first is absolute),
//!                2 tf: int32 (here: the impact) }
//! DocRecord    { 1 docid: int32 (0, 1, 2, …), 2 collection_docid: string, 3 doclength: int32 }
//! ```
//!
//! Terms are written in byte order (PISA re-sorts otherwise); `df` is the number of postings
//! (PISA reads it as the list length); a document's length is the sum of its impacts.

use std::path::{Path, PathBuf};

use serde_json::json;

use super::engines::Out;
use super::write::OutFile;
use super::{ExportError, Result};
use crate::profile::codec::LinearQuantizer;
use crate::profile::{EngineQuery, Profile, ProfileStats};

/// Writes `index.ciff`, `queries.txt` (`qid: tok tok …`, each token repeated by its integer
/// weight, for PISA's and BMP's command lines) and `queries.jsonl` (`{"qid", "query_toks":
/// {token: weight}}`, for their Python modules).
pub fn export(out: &Out, notes: &mut Vec<String>) -> Result<Vec<String>> {
    let o = out.options;
    let index = out.index;
    let stats = ProfileStats::of(index);
    let quantizer = LinearQuantizer::new(stats.max_weight, o.bits);
    let postings = index.splade();
    let mut terms: Vec<(String, u32)> = (0..postings.terms() as u32)
        .filter(|&t| postings.term(t as usize).df > 0)
        .map(|t| (out.vocab.token(t).to_string(), t))
        .collect();
    terms.sort();
    if let Some(w) = terms.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(ExportError::Invalid(format!(
            "two term ids ({} and {}) share the token {:?}: CIFF names terms by string",
            w[0].1, w[1].1, w[0].0
        )));
    }
    // Document lengths (sum of impacts), one pass over the forward vectors.
    let mut lengths = Vec::with_capacity(index.len());
    let mut total: u64 = 0;
    for n in 0..index.len() as u32 {
        let v = index.vector(n)?;
        let len: u64 = v
            .weights
            .iter()
            .map(|&w| u64::from(quantizer.code(w)))
            .sum();
        total += len;
        lengths.push(len);
    }
    let mut f = OutFile::create(out.dir, "index.ciff")?;
    let mut msg = Vec::new();
    let docs = index.len();
    header(
        &mut msg,
        &Header {
            postings_lists: terms.len(),
            docs,
            total_terms: total,
            description: format!(
                "spladescope export: {}-bit PISA linear impacts of max weight {}",
                o.bits, stats.max_weight
            ),
        },
    );
    delimited(&mut f, &msg)?;
    let (mut ids, mut weights) = (Vec::new(), Vec::new());
    let mut posting = Vec::new();
    for (token, t) in &terms {
        postings.row_f32(*t as usize, &mut ids, &mut weights)?;
        msg.clear();
        put_string(&mut msg, 1, token);
        put_varint_field(&mut msg, 2, ids.len() as u64);
        let cf: u64 = weights.iter().map(|&w| u64::from(quantizer.code(w))).sum();
        put_varint_field(&mut msg, 3, cf);
        let mut prev = None;
        for (&d, &w) in ids.iter().zip(&weights) {
            posting.clear();
            let gap = prev.map_or(d, |p| d - p);
            prev = Some(d);
            put_varint_field(&mut posting, 1, u64::from(gap));
            put_varint_field(&mut posting, 2, u64::from(quantizer.code(w)));
            put_bytes(&mut msg, 4, &posting);
        }
        delimited(&mut f, &msg)?;
    }
    for (n, &length) in lengths.iter().enumerate() {
        msg.clear();
        put_varint_field(&mut msg, 1, n as u64);
        put_string(&mut msg, 2, index.doc(n as u32)?.id);
        put_varint_field(&mut msg, 3, length);
        delimited(&mut f, &msg)?;
    }
    let mut files = vec![f.finish()?];
    notes.push(format!(
        "document weights quantised to {} bits (1 to {}) against the largest weight {}",
        o.bits, quantizer.range, stats.max_weight
    ));
    let profile = Profile::Pisa {
        bits: o.bits,
        query_max: o.query_max,
    };
    let mut text = OutFile::create(out.dir, "queries.txt")?;
    let mut jsonl = OutFile::create(out.dir, "queries.jsonl")?;
    for (id, v) in out.queries {
        if id.contains([':', '\n']) {
            return Err(ExportError::Invalid(format!(
                "query id {id:?} holds ':' or a newline: PISA's and BMP's query files split \
                 at the first ':'"
            )));
        }
        let q = EngineQuery::new(&profile, v, index, &stats);
        let mut line = format!("{id}:");
        let mut toks = serde_json::Map::new();
        for (t, w) in q.scored(crate::profile::Phase::One) {
            let token = out.vocab.token(t);
            for _ in 0..w as u32 {
                line.push(' ');
                line.push_str(token);
            }
            toks.insert(token.to_string(), json!(w as u32));
        }
        text.put(line.as_bytes())?;
        text.put(b"\n")?;
        jsonl.json_line(&json!({"qid": id, "query_toks": toks}))?;
    }
    files.push(text.finish()?);
    files.push(jsonl.finish()?);
    Ok(files)
}

struct Header {
    postings_lists: usize,
    docs: usize,
    total_terms: u64,
    description: String,
}

fn header(msg: &mut Vec<u8>, h: &Header) {
    put_varint_field(msg, 1, 1);
    put_varint_field(msg, 2, h.postings_lists as u64);
    put_varint_field(msg, 3, h.docs as u64);
    put_varint_field(msg, 4, h.postings_lists as u64);
    put_varint_field(msg, 5, h.docs as u64);
    put_varint_field(msg, 6, h.total_terms);
    let average = if h.docs == 0 {
        0.0
    } else {
        h.total_terms as f64 / h.docs as f64
    };
    if average != 0.0 {
        put_varint(msg, (7 << 3) | 1);
        msg.extend_from_slice(&average.to_le_bytes());
    }
    put_string(msg, 8, &h.description);
}

fn delimited(f: &mut OutFile, msg: &[u8]) -> Result<()> {
    let mut len = Vec::with_capacity(5);
    put_varint(&mut len, msg.len() as u64);
    f.put(&len)?;
    f.put(msg)
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// A varint field; zero (proto3's default) is left out.
fn put_varint_field(out: &mut Vec<u8>, field: u32, v: u64) {
    if v != 0 {
        put_varint(out, u64::from(field) << 3);
        put_varint(out, v);
    }
}

fn put_bytes(out: &mut Vec<u8>, field: u32, bytes: &[u8]) {
    put_varint(out, (u64::from(field) << 3) | 2);
    put_varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

fn put_string(out: &mut Vec<u8>, field: u32, s: &str) {
    if !s.is_empty() {
        put_bytes(out, field, s.as_bytes());
    }
}

/// A problem in a CIFF file, with where it is.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {place}: {problem}")]
pub struct CiffError {
    pub path: PathBuf,
    /// `header`, `postings list 12 ("##ing")`, `document record 3`, or a byte offset.
    pub place: String,
    pub problem: String,
}

/// A CIFF file's documents, turned document-major: for each document (in `DocRecord`
/// order) its collection id and its `(term, tf)` pairs.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CiffDocs {
    pub ids: Vec<String>,
    pub terms: Vec<String>,
    /// Per document: `(index into terms, tf)`, by term order of the file.
    pub postings: Vec<Vec<(u32, u32)>>,
}

/// Reads a whole CIFF file (held in memory: about 8 bytes per posting).
pub fn read_ciff(path: &Path) -> Result<CiffDocs, CiffError> {
    let bytes = std::fs::read(path).map_err(|e| CiffError {
        path: path.to_path_buf(),
        place: "file".into(),
        problem: e.to_string(),
    })?;
    parse_ciff(&bytes, path)
}

/// Parses the bytes of a CIFF file; `path` names it in errors.
pub fn parse_ciff(bytes: &[u8], path: &Path) -> Result<CiffDocs, CiffError> {
    let mut r = Reader { bytes, at: 0, path };
    let head = r.message("header")?;
    let mut num_lists = None;
    let mut num_docs = None;
    for field in Fields::new(head, &r, "header") {
        match field? {
            (1, Value::Varint(v)) if v != 1 => {
                return Err(r.error("header", format!("CIFF version {v}; this reads version 1")))
            }
            (2, Value::Varint(v)) => num_lists = Some(v as usize),
            (3, Value::Varint(v)) => num_docs = Some(v as usize),
            _ => {}
        }
    }
    let num_lists = num_lists.unwrap_or(0);
    let num_docs = num_docs.unwrap_or(0);
    // A postings list (with its term) and a document record (with its id) take at least
    // four bytes each: larger counts cannot be true, and nothing is allocated for them.
    if num_lists.saturating_add(num_docs).saturating_mul(4) > bytes.len() {
        return Err(r.error(
            "header",
            format!(
                "{num_lists} postings lists and {num_docs} documents cannot fit in {} bytes",
                bytes.len()
            ),
        ));
    }
    let mut docs = CiffDocs {
        ids: Vec::with_capacity(num_docs),
        terms: Vec::with_capacity(num_lists),
        postings: vec![Vec::new(); num_docs],
    };
    for i in 0..num_lists {
        let place = format!("postings list {}", i + 1);
        let msg = r.message(&place)?;
        let mut term = None;
        let mut df = 0u64;
        let mut doc: u64 = 0;
        let mut count = 0u64;
        let t = docs.terms.len() as u32;
        for field in Fields::new(msg, &r, &place) {
            match field? {
                (1, Value::Bytes(b)) => {
                    term = Some(
                        String::from_utf8(b.to_vec())
                            .map_err(|_| r.error(&place, "the term is not UTF-8".into()))?,
                    )
                }
                (2, Value::Varint(v)) => df = v,
                (4, Value::Bytes(p)) => {
                    let named = || format!("{place} ({:?})", term.as_deref().unwrap_or(""));
                    let (mut gap, mut tf) = (0u64, 0u64);
                    for f in Fields::new(p, &r, &place) {
                        match f? {
                            (1, Value::Varint(v)) => gap = v,
                            (2, Value::Varint(v)) => tf = v,
                            _ => {}
                        }
                    }
                    doc = if count == 0 {
                        gap
                    } else {
                        doc.saturating_add(gap)
                    };
                    if count > 0 && gap == 0 {
                        return Err(r.error(&named(), format!("document {doc} is listed twice")));
                    }
                    if doc as usize >= num_docs {
                        return Err(r.error(
                            &named(),
                            format!("document {doc} is past the header's {num_docs} documents"),
                        ));
                    }
                    if tf > u64::from(u32::MAX) {
                        return Err(r.error(&named(), format!("tf {tf} does not fit 32 bits")));
                    }
                    if tf > 0 {
                        docs.postings[doc as usize].push((t, tf as u32));
                    }
                    count += 1;
                }
                _ => {}
            }
        }
        let term = term.ok_or_else(|| r.error(&place, "no term".into()))?;
        if df != count {
            return Err(r.error(
                &format!("{place} ({term:?})"),
                format!("df is {df} but the list holds {count} postings"),
            ));
        }
        docs.terms.push(term);
    }
    for n in 0..num_docs {
        let place = format!("document record {}", n + 1);
        let msg = r.message(&place)?;
        let (mut docid, mut id) = (0u64, None);
        for field in Fields::new(msg, &r, &place) {
            match field? {
                (1, Value::Varint(v)) => docid = v,
                (2, Value::Bytes(b)) => {
                    id =
                        Some(String::from_utf8(b.to_vec()).map_err(|_| {
                            r.error(&place, "the collection id is not UTF-8".into())
                        })?)
                }
                _ => {}
            }
        }
        if docid != n as u64 {
            return Err(r.error(
                &place,
                format!("docid {docid}, expected {n} (records come in order)"),
            ));
        }
        docs.ids
            .push(id.ok_or_else(|| r.error(&place, "no collection_docid".into()))?);
    }
    if r.at != bytes.len() {
        return Err(r.error(
            "end",
            format!(
                "{} bytes after the last document record",
                bytes.len() - r.at
            ),
        ));
    }
    Ok(docs)
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    path: &'a Path,
}

impl<'a> Reader<'a> {
    fn error(&self, place: &str, problem: String) -> CiffError {
        CiffError {
            path: self.path.to_path_buf(),
            place: place.to_string(),
            problem,
        }
    }

    /// The next length-delimited message.
    fn message(&mut self, place: &str) -> Result<&'a [u8], CiffError> {
        if self.at >= self.bytes.len() {
            return Err(self.error(place, "the file ends before it".into()));
        }
        let (len, n) = varint(&self.bytes[self.at..])
            .ok_or_else(|| self.error(place, format!("bad length at byte {}", self.at)))?;
        let start = self.at + n;
        let end = start
            .checked_add(len as usize)
            .filter(|&e| e <= self.bytes.len())
            .ok_or_else(|| {
                self.error(
                    place,
                    format!("a message of {len} bytes at byte {start} runs past the end"),
                )
            })?;
        self.at = end;
        Ok(&self.bytes[start..end])
    }
}

fn varint(b: &[u8]) -> Option<(u64, usize)> {
    let mut v = 0u64;
    for (i, &byte) in b.iter().enumerate().take(10) {
        v |= u64::from(byte & 0x7f) << (7 * i);
        if byte < 0x80 {
            return Some((v, i + 1));
        }
    }
    None
}

enum Value<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
    Fixed,
}

/// The fields of one message.
struct Fields<'a, 'r> {
    msg: &'a [u8],
    at: usize,
    reader: &'r Reader<'a>,
    place: String,
}

impl<'a, 'r> Fields<'a, 'r> {
    fn new(msg: &'a [u8], reader: &'r Reader<'a>, place: &str) -> Self {
        Self {
            msg,
            at: 0,
            reader,
            place: place.to_string(),
        }
    }
}

impl<'a> Iterator for Fields<'a, '_> {
    type Item = Result<(u32, Value<'a>), CiffError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.at >= self.msg.len() {
            return None;
        }
        let bad = |what: &str| Some(Err(self.reader.error(&self.place, what.to_string())));
        let Some((key, n)) = varint(&self.msg[self.at..]) else {
            return bad("a malformed field key");
        };
        self.at += n;
        let field = (key >> 3) as u32;
        let value = match key & 7 {
            0 => {
                let Some((v, n)) = varint(&self.msg[self.at..]) else {
                    return bad("a malformed varint");
                };
                self.at += n;
                Value::Varint(v)
            }
            1 | 5 => {
                let n = if key & 7 == 1 { 8 } else { 4 };
                if self.at + n > self.msg.len() {
                    return bad("a fixed-width field runs past its message");
                }
                self.at += n;
                Value::Fixed
            }
            2 => {
                let Some((len, n)) = varint(&self.msg[self.at..]) else {
                    return bad("a malformed length");
                };
                let start = self.at + n;
                let Some(end) = start
                    .checked_add(len as usize)
                    .filter(|&e| e <= self.msg.len())
                else {
                    return bad("a field runs past its message");
                };
                self.at = end;
                Value::Bytes(&self.msg[start..end])
            }
            other => return bad(&format!("wire type {other} is not used by CIFF")),
        };
        Some(Ok((field, value)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A small valid CIFF file: two terms over three documents.
    fn valid() -> Vec<u8> {
        let mut file = Vec::new();
        let mut put = |msg: &[u8]| {
            put_varint(&mut file, msg.len() as u64);
            file.extend_from_slice(msg);
        };
        let mut h = Vec::new();
        header(
            &mut h,
            &Header {
                postings_lists: 2,
                docs: 3,
                total_terms: 9,
                description: "test".into(),
            },
        );
        put(&h);
        for (term, postings) in [
            ("alpha", [(0u64, 2u64), (2, 3)]),
            ("beta", [(1, 1), (1, 3)]),
        ] {
            let mut m = Vec::new();
            put_string(&mut m, 1, term);
            put_varint_field(&mut m, 2, 2);
            for (gap, tf) in postings {
                let mut p = Vec::new();
                put_varint_field(&mut p, 1, gap);
                put_varint_field(&mut p, 2, tf);
                put_bytes(&mut m, 4, &p);
            }
            put(&m);
        }
        for (n, id) in ["d0", "d1", "d2"].iter().enumerate() {
            let mut m = Vec::new();
            put_varint_field(&mut m, 1, n as u64);
            put_string(&mut m, 2, id);
            put(&m);
        }
        file
    }

    #[test]
    fn reads_a_valid_file_document_major() {
        let docs = parse_ciff(&valid(), Path::new("t.ciff")).unwrap();
        assert_eq!(docs.ids, ["d0", "d1", "d2"]);
        assert_eq!(docs.terms, ["alpha", "beta"]);
        assert_eq!(
            docs.postings,
            [vec![(0, 2)], vec![(1, 1)], vec![(0, 3), (1, 3)]]
        );
    }

    proptest! {
        /// Any truncation is an error naming the file; any corruption never panics.
        #[test]
        fn damaged_files_are_errors_not_panics(cut in 0usize..200, at in 0usize..200, byte: u8) {
            let file = valid();
            let cut = cut % file.len();
            let e = parse_ciff(&file[..cut], Path::new("t.ciff")).unwrap_err();
            prop_assert!(e.to_string().starts_with("t.ciff: "));
            let mut bad = file.clone();
            let at = at % bad.len();
            bad[at] = byte;
            let _ = parse_ciff(&bad, Path::new("t.ciff"));
        }

        /// Random bytes never panic (and never allocate from an absurd header).
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = parse_ciff(&bytes, Path::new("r.ciff"));
        }
    }

    #[test]
    fn varints_round_trip() {
        for v in [0u64, 1, 127, 128, 300, 1 << 35, u64::MAX] {
            let mut b = Vec::new();
            put_varint(&mut b, v);
            assert_eq!(varint(&b), Some((v, b.len())));
        }
        assert_eq!(varint(&[0x80, 0x80]), None);
    }
}

//! Helpers shared by the integration tests: locating `../shared` (models and BEIR data),
//! which the repository never contains.
#![allow(dead_code)]

use std::path::PathBuf;

/// The shared folder: `$SPLADESCOPE_SHARED`, else `../shared` beside the checkout.
pub fn shared_dir() -> PathBuf {
    match std::env::var_os("SPLADESCOPE_SHARED") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"),
    }
}

/// A path inside the shared folder, or `None` (with a clear message) when it is absent.
/// With `SPLADESCOPE_REQUIRE_SHARED=1` (as CI sets it) absence is a test failure instead.
pub fn shared(rel: &str) -> Option<PathBuf> {
    let path = shared_dir().join(rel);
    if path.exists() {
        return Some(path);
    }
    let msg = format!(
        "{} not found: this test needs ../shared beside the checkout (or SPLADESCOPE_SHARED)",
        path.display()
    );
    if std::env::var("SPLADESCOPE_REQUIRE_SHARED").is_ok_and(|v| v == "1") {
        panic!("{msg}");
    }
    eprintln!("SKIPPED: {msg}");
    None
}

/// The splade-tiny model directory.
pub fn splade_tiny() -> Option<PathBuf> {
    shared("models/splade-tiny")
}

pub mod bm25_index;
pub mod cached;
pub mod checkpoint;
pub mod explorer;

/// Path of a file in `tests/fixtures`.
pub fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

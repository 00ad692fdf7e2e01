//! Two Rust types with the same name both become `#/components/schemas/<Name>` in the OpenAPI
//! document, and utoipa keeps whichever it registers last without a word: the other endpoint
//! is then documented (and the SPA typed) with the wrong shape. This reads every type that
//! derives or implements `ToSchema` and refuses a name used twice.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("the source directory is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// The identifier that starts `text`: `Page` of `Page<T> {`.
fn identifier(text: &str) -> String {
    text.chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// The schema names a file declares, with their line numbers: derived `ToSchema` types (under
/// their `#[schema(as = …)]` name when they have one) and hand-written `impl ToSchema for`.
fn schema_names(source: &str) -> Vec<(String, usize)> {
    let lines: Vec<&str> = source.lines().collect();
    let mut names = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim();
        if let Some(rest) = line
            .strip_prefix("impl utoipa::ToSchema for ")
            .or_else(|| line.strip_prefix("impl ToSchema for "))
        {
            names.push((identifier(rest), i + 1));
        }
        if !line.starts_with("#[derive(") {
            i += 1;
            continue;
        }
        // The derive list may span lines; read it to its closing `)]`.
        let mut derive = String::from(line);
        while !derive.contains(")]") && i + 1 < lines.len() {
            i += 1;
            derive.push_str(lines[i].trim());
        }
        if !derive.contains("ToSchema") {
            i += 1;
            continue;
        }
        // The attributes and doc comments between the derive and the item may rename it.
        let mut renamed = None;
        i += 1;
        while i < lines.len() {
            let item = lines[i].trim();
            if let Some(at) = item.find("schema(as = ") {
                let path = &item[at + "schema(as = ".len()..];
                let path: String = path
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                    .collect();
                // utoipa names a renamed schema by its whole path: `network.TierRequest`.
                renamed = Some(path.replace("::", "."));
            }
            let declared = ["pub struct ", "pub enum ", "struct ", "enum "]
                .iter()
                .find_map(|keyword| item.split_once(keyword).map(|(_, rest)| rest));
            if let Some(rest) = declared.filter(|_| !item.starts_with("//")) {
                names.push((renamed.take().unwrap_or_else(|| identifier(rest)), i + 1));
                break;
            }
            i += 1;
        }
        i += 1;
    }
    names
}

#[test]
fn every_openapi_schema_name_belongs_to_one_type() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut declared: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for file in &files {
        let source = fs::read_to_string(file).expect("a readable source file");
        for (name, line) in schema_names(&source) {
            let place = format!("{}:{line}", file.strip_prefix(&src).unwrap().display());
            declared.entry(name).or_default().push(place);
        }
    }
    assert!(
        declared.len() > 150,
        "the scan found only {} schema types: it no longer reads the sources right",
        declared.len()
    );
    let clashes: Vec<String> = declared
        .iter()
        .filter(|(_, places)| places.len() > 1)
        .map(|(name, places)| format!("{name}: {}", places.join(", ")))
        .collect();
    assert!(
        clashes.is_empty(),
        "schema names used by more than one type (rename one, or give it #[schema(as = …)]):\n{}",
        clashes.join("\n")
    );
}

#[test]
fn the_scan_sees_derives_renames_and_clashes() {
    let source = r#"
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TierRequest {
    name: String,
}

#[derive(
    Debug, Clone,
    ToSchema,
)]
/// Documented.
#[serde(rename_all = "snake_case")]
pub enum Mode { A }

#[derive(Debug, ToSchema)]
#[schema(as = network::TierRequest)]
struct Renamed;

#[derive(Debug, Clone)]
pub struct NotASchema;

impl utoipa::ToSchema for Money {}
"#;
    let names: Vec<String> = schema_names(source).into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        ["TierRequest", "Mode", "network.TierRequest", "Money"]
    );
}

//! The texts of error codes: one catalogue per language (`texts/en.toml`, `texts/zh-CN.toml`),
//! keyed by code.
//!
//! A catalogue has two tables. `[codes]` holds, for every [`ErrorCode`], the text of that code
//! (a problem's `detail`, or a field's `message`), and optionally other wordings of the same code
//! under `"code.form"` keys, for the places where one code needs a more specific sentence
//! (`"range.between"`). `[titles]` holds the problem titles, keyed by the kind of problem
//! ([`TITLE_KEYS`]). Texts name their facts as `{placeholders}`, filled by [`Message::arg`]; both
//! languages of a key must use the same placeholders.
//!
//! Why data files and not texts at the call sites: a translator reads and fixes one file per
//! language, a missing text is a failing test rather than a silent English answer, and the same
//! sentence is written once however many places raise the code.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Display;
use std::sync::OnceLock;

use super::code::ErrorCode;
use super::problem::{Lang, Text};

const EN: &str = include_str!("texts/en.toml");
const ZH_CN: &str = include_str!("texts/zh-CN.toml");

/// The problem titles a catalogue must hold: the codes of problems with a fixed code, and the
/// kinds of problem whose code varies (`conflict`, `unprocessable`, `authentication_failed`,
/// `refused`).
pub const TITLE_KEYS: &[&str] = &[
    "validation_failed",
    "malformed_body",
    "unsupported_media_type",
    "payload_too_large",
    "not_found",
    "method_not_allowed",
    "conflict",
    "unprocessable",
    "invalid_transition",
    "unauthorized",
    "authentication_failed",
    "refused",
    "forbidden",
    "rate_limited",
    "service_unavailable",
    "bad_gateway",
    "internal_error",
];

/// The sentences that put a code's text in its place, keyed by [`Context`].
pub const CONTEXT_KEYS: &[&str] = &["sheet_cell"];

/// Where a message stands, when the code's text alone does not say it: `sheet_cell` prefixes
/// the row and column of an imported file (`第 3 行，零售价（retail_price）列：…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    SheetCell,
}

impl Context {
    fn key(self) -> &'static str {
        match self {
            Context::SheetCell => "sheet_cell",
        }
    }
}

struct Catalogue {
    codes: HashMap<String, String>,
    titles: HashMap<String, String>,
    contexts: HashMap<String, String>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogueFile {
    codes: HashMap<String, String>,
    titles: HashMap<String, String>,
    contexts: HashMap<String, String>,
}

fn parse(source: &str) -> Catalogue {
    // A catalogue that does not parse is caught by the tests before any build ships; at run time
    // it degrades to the codes themselves rather than taking the server down.
    match toml::from_str::<CatalogueFile>(source) {
        Ok(file) => Catalogue {
            codes: file.codes,
            titles: file.titles,
            contexts: file.contexts,
        },
        Err(err) => {
            tracing::error!(%err, "error text catalogue does not parse");
            Catalogue {
                codes: HashMap::new(),
                titles: HashMap::new(),
                contexts: HashMap::new(),
            }
        }
    }
}

fn catalogue(lang: Lang) -> &'static Catalogue {
    static EN_CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    static ZH_CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    match lang {
        Lang::En => EN_CATALOGUE.get_or_init(|| parse(EN)),
        Lang::ZhCn => ZH_CATALOGUE.get_or_init(|| parse(ZH_CN)),
    }
}

/// A problem title in both languages.
pub fn title(key: &str) -> Text {
    let get = |lang| {
        catalogue(lang)
            .titles
            .get(key)
            .cloned()
            .unwrap_or_else(|| key.to_owned())
    };
    Text::new(get(Lang::En), get(Lang::ZhCn))
}

/// What a code says in one instance: the code, an optional specific wording, the facts that
/// fill the text's placeholders, and optionally the context it stands in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    code: ErrorCode,
    form: Option<Cow<'static, str>>,
    args: Vec<(Cow<'static, str>, Arg)>,
    context: Option<Context>,
}

/// A placeholder's value: the same in every language, or a text of its own per language.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Arg {
    Plain(String),
    Text(Text),
}

impl Message {
    pub fn new(code: ErrorCode) -> Self {
        Self {
            code,
            form: None,
            args: Vec::new(),
            context: None,
        }
    }

    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// Uses the code's wording `"code.form"` of the catalogue instead of its main text.
    pub fn form(mut self, form: impl Into<Cow<'static, str>>) -> Self {
        self.form = Some(form.into());
        self
    }

    /// Fills the placeholder `{name}` of the text.
    pub fn arg(mut self, name: impl Into<Cow<'static, str>>, value: impl Display) -> Self {
        self.args.push((name.into(), Arg::Plain(value.to_string())));
        self
    }

    /// Fills the placeholder `{name}` with a text of its own in each language.
    pub fn text_arg(mut self, name: impl Into<Cow<'static, str>>, value: Text) -> Self {
        self.args.push((name.into(), Arg::Text(value)));
        self
    }

    /// Puts the text in a context sentence of the catalogue, whose `{reason}` is the code's text
    /// (or the `reason` argument, when given).
    pub fn within(mut self, context: Context) -> Self {
        self.context = Some(context);
        self
    }

    /// The same message as a `validator` failure, for custom validation functions; the field
    /// error built from it (`http::validation`) says exactly this message.
    pub fn into_validation_error(self) -> validator::ValidationError {
        let mut error = validator::ValidationError::new(self.code.as_str());
        if let Some(form) = &self.form {
            error.add_param("form".into(), &form.as_ref());
        }
        for (name, value) in &self.args {
            if let Arg::Plain(text) = value {
                error.add_param(name.clone(), text);
            }
        }
        error
    }

    /// The text in one language, placeholders filled.
    pub fn render(&self, lang: Lang) -> String {
        let catalogue = catalogue(lang);
        let args: Vec<(Cow<'static, str>, String)> = self
            .args
            .iter()
            .map(|(name, value)| {
                let value = match value {
                    Arg::Plain(text) => text.clone(),
                    Arg::Text(text) => text.get(lang).to_owned(),
                };
                (name.clone(), value)
            })
            .collect();
        let own = || {
            let codes = &catalogue.codes;
            let template = self
                .form
                .as_ref()
                .and_then(|form| codes.get(&format!("{}.{form}", self.code)))
                .or_else(|| codes.get(self.code.as_str()));
            match template {
                Some(template) => fill(template, &args),
                None => self.code.as_str().to_owned(),
            }
        };
        match self.context.and_then(|c| catalogue.contexts.get(c.key())) {
            Some(sentence) => {
                let mut args = args.clone();
                if !args.iter().any(|(name, _)| name == "reason") {
                    args.push(("reason".into(), own()));
                }
                fill(sentence, &args)
            }
            None => own(),
        }
    }

    /// The text in both languages.
    pub fn text(&self) -> Text {
        Text::new(self.render(Lang::En), self.render(Lang::ZhCn))
    }
}

impl From<ErrorCode> for Message {
    fn from(code: ErrorCode) -> Self {
        Message::new(code)
    }
}

impl ErrorCode {
    pub fn form(self, form: impl Into<Cow<'static, str>>) -> Message {
        Message::new(self).form(form)
    }

    pub fn arg(self, name: impl Into<Cow<'static, str>>, value: impl Display) -> Message {
        Message::new(self).arg(name, value)
    }

    pub fn text_arg(self, name: impl Into<Cow<'static, str>>, value: Text) -> Message {
        Message::new(self).text_arg(name, value)
    }
}

/// Replaces each `{name}` by its argument; a placeholder without an argument stays as written.
fn fill(template: &str, args: &[(Cow<'static, str>, String)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match args.iter().find(|(n, _)| *n == name) {
                    Some((_, value)) => out.push_str(value),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::str::FromStr;

    use strum::IntoEnumIterator;

    use super::*;

    fn placeholders(text: &str) -> BTreeSet<String> {
        let mut found = BTreeSet::new();
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            let after = &rest[open + 1..];
            let Some(close) = after.find('}') else { break };
            found.insert(after[..close].to_owned());
            rest = &after[close + 1..];
        }
        found
    }

    fn files() -> Vec<(&'static str, CatalogueFile)> {
        [("en", EN), ("zh-CN", ZH_CN)]
            .into_iter()
            .map(
                |(lang, source)| match toml::from_str::<CatalogueFile>(source) {
                    Ok(file) => (lang, file),
                    Err(err) => panic!("texts/{lang}.toml does not parse: {err}"),
                },
            )
            .collect()
    }

    #[test]
    fn every_code_has_a_text_in_every_language() {
        for (lang, file) in files() {
            let missing: Vec<_> = ErrorCode::iter()
                .filter(|code| file.codes.get(code.as_str()).is_none_or(|t| t.is_empty()))
                .collect();
            assert!(missing.is_empty(), "texts/{lang}.toml lacks {missing:?}");
            let titles: Vec<_> = TITLE_KEYS
                .iter()
                .filter(|key| file.titles.get(**key).is_none_or(|t| t.is_empty()))
                .collect();
            assert!(
                titles.is_empty(),
                "texts/{lang}.toml lacks titles {titles:?}"
            );
            let contexts: Vec<_> = CONTEXT_KEYS
                .iter()
                .filter(|key| file.contexts.get(**key).is_none_or(|t| t.is_empty()))
                .collect();
            assert!(
                contexts.is_empty(),
                "texts/{lang}.toml lacks contexts {contexts:?}"
            );
        }
    }

    #[test]
    fn every_key_names_a_code_and_both_languages_agree() {
        let files = files();
        let (_, en) = &files[0];
        for (lang, file) in &files {
            for key in file.codes.keys() {
                let code = key.split_once('.').map_or(key.as_str(), |(code, _)| code);
                assert!(
                    ErrorCode::from_str(code).is_ok(),
                    "texts/{lang}.toml: `{key}` is not an error code"
                );
                let Some(english) = en.codes.get(key) else {
                    panic!("texts/{lang}.toml: `{key}` is missing in texts/en.toml")
                };
                assert_eq!(
                    placeholders(english),
                    placeholders(&file.codes[key]),
                    "texts/{lang}.toml: `{key}` uses other placeholders than in English"
                );
            }
            for key in file.titles.keys() {
                assert!(
                    TITLE_KEYS.contains(&key.as_str()),
                    "texts/{lang}.toml: unknown title `{key}`"
                );
            }
            for (key, sentence) in &file.contexts {
                assert!(
                    CONTEXT_KEYS.contains(&key.as_str()),
                    "texts/{lang}.toml: unknown context `{key}`"
                );
                assert_eq!(
                    placeholders(sentence),
                    placeholders(&en.contexts[key]),
                    "texts/{lang}.toml: context `{key}` uses other placeholders than in English"
                );
            }
            assert_eq!(file.codes.len(), en.codes.len(), "texts/{lang}.toml");
        }
    }

    #[test]
    fn messages_fill_their_placeholders() {
        let message = ErrorCode::Length
            .form("between")
            .arg("min", 1)
            .arg("max", 50);
        assert_eq!(message.render(Lang::En), "Must be 1 to 50 characters long.");
        assert_eq!(
            message.render(Lang::ZhCn),
            "长度必须在 1 到 50 个字符之间。"
        );
        assert_eq!(
            fill("{a} and {b} and {a}", &[("a".into(), "1".into())]),
            "1 and {b} and 1"
        );
        assert_eq!(
            fill("unclosed {a", &[("a".into(), "1".into())]),
            "unclosed {a"
        );
    }

    #[test]
    fn an_unknown_form_falls_back_to_the_main_text() {
        assert_eq!(
            Message::new(ErrorCode::NotFound)
                .form("no_such_form")
                .render(Lang::En),
            Message::new(ErrorCode::NotFound).render(Lang::En),
        );
    }

    /// Every `ErrorCode::X.form("y")` written in the sources names a wording the catalogues
    /// hold, so a mistyped form cannot silently fall back to the main text.
    #[test]
    fn every_form_in_the_sources_is_in_the_catalogue() {
        let (_, en) = files().remove(0);
        let mut stack = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src"
        ))];
        let mut checked = 0;
        while let Some(path) = stack.pop() {
            if path.is_dir() {
                for entry in std::fs::read_dir(&path).into_iter().flatten().flatten() {
                    stack.push(entry.path());
                }
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let source = std::fs::read_to_string(&path).unwrap_or_default();
            let mut rest = source.as_str();
            while let Some(at) = rest.find("ErrorCode::") {
                rest = &rest[at + "ErrorCode::".len()..];
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .collect();
                let after = rest[name.len()..].trim_start();
                let Some(form) = after.strip_prefix(".form(\"") else {
                    continue;
                };
                let form: String = form.chars().take_while(|c| *c != '"').collect();
                let Some(code) = ErrorCode::iter().find(|c| format!("{c:?}") == name) else {
                    continue;
                };
                let key = format!("{code}.{form}");
                assert!(
                    en.codes.contains_key(&key),
                    "{}: `{key}` is not in the catalogue",
                    path.display()
                );
                checked += 1;
            }
        }
        assert!(checked > 20, "found only {checked} forms");
    }
}

//! HTML: the agent × case matrix (`index.html`) and one page per agent × case, rendered with
//! tera from templates embedded in the binary. Templates only print what the view models
//! ([`view`]) computed; tera's autoescaping covers every peer-controlled string.

mod style;
mod view;

use std::sync::OnceLock;

use tera::{Context, Tera};

use crate::model::{CaseResult, RunReport};

/// Why a page could not be rendered.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HtmlError {
    /// The embedded templates failed to load or render (a bug in this crate).
    #[error("HTML template error: {0}")]
    Template(String),
}

impl From<tera::Error> for HtmlError {
    fn from(e: tera::Error) -> Self {
        // Include the cause chain: tera's top-level message alone is rarely enough.
        let mut message = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(cause) = source {
            message.push_str(": ");
            message.push_str(&cause.to_string());
            source = cause.source();
        }
        Self::Template(message)
    }
}

fn templates() -> Result<&'static Tera, HtmlError> {
    static TERA: OnceLock<Result<Tera, String>> = OnceLock::new();
    let loaded = TERA.get_or_init(|| {
        let mut tera = Tera::default();
        tera.add_raw_templates([
            ("base.html", include_str!("../../templates/base.html")),
            ("index.html", include_str!("../../templates/index.html")),
            ("case.html", include_str!("../../templates/case.html")),
        ])
        .map_err(|e| HtmlError::from(e).to_string())?;
        Ok(tera)
    });
    loaded.as_ref().map_err(|e| HtmlError::Template(e.clone()))
}

/// `index.html`: the summary per agent, the legend and the agent × case matrix.
pub fn index_html(report: &RunReport) -> Result<String, HtmlError> {
    let context = Context::from_serialize(view::index_view(report))?;
    Ok(templates()?.render("index.html", &context)?)
}

/// The page of one agent × case.
pub fn case_html(
    report: &RunReport,
    agent: &str,
    result: &CaseResult,
) -> Result<String, HtmlError> {
    let mut context = Context::from_serialize(view::case_view(agent, result))?;
    context.insert("generator", &report.generator);
    Ok(templates()?.render("case.html", &context)?)
}

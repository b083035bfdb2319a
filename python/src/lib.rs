//! `clean._clean`: the Python bindings of `clean` (re-exported by the Python package `clean`).
//!
//! Offsets: every `Paragraph` carries `start`/`end` in **str indices** (Unicode code points, so
//! `text[p.start:p.end]` is the paragraph in Python) and `byte_start`/`byte_end` in UTF-8 bytes
//! (`text.encode()[p.byte_start:p.byte_end]`, what the CLI's reports give). The GIL is released
//! while a document is filtered, judged or explained.

mod engine;

use engine::{Engine, Options, Para};
use pyo3::exceptions::PyValueError;
use pyo3::exceptions::{PyFileNotFoundError, PyIsADirectoryError, PyOSError, PyPermissionError};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::path::PathBuf;

/// A library error as the matching Python exception: OSError (FileNotFoundError, ...) for
/// [`clean::ErrorKind::Io`], ValueError otherwise (a file that is not a usable model). The message
/// is the library's, naming the file.
fn py_err(e: clean::Error) -> PyErr {
    let msg = e.to_string();
    match e.io_error().map(std::io::Error::kind) {
        Some(std::io::ErrorKind::NotFound) => PyFileNotFoundError::new_err(msg),
        Some(std::io::ErrorKind::PermissionDenied) => PyPermissionError::new_err(msg),
        Some(std::io::ErrorKind::IsADirectory) => PyIsADirectoryError::new_err(msg),
        Some(_) => PyOSError::new_err(msg),
        None => PyValueError::new_err(msg),
    }
}

/// Converts increasing byte offsets of one text into code-point offsets in one pass.
struct CharCursor<'a> {
    text: &'a str,
    byte: usize,
    chars: usize,
}

impl<'a> CharCursor<'a> {
    fn new(text: &'a str) -> Self {
        CharCursor {
            text,
            byte: 0,
            chars: 0,
        }
    }

    fn at(&mut self, byte: usize) -> usize {
        if byte < self.byte {
            // Not expected (paragraphs come in order), but never wrong.
            self.byte = 0;
            self.chars = 0;
        }
        self.chars += self.text[self.byte..byte].chars().count();
        self.byte = byte;
        self.chars
    }
}

/// One paragraph of a document and what the filter decided for it.
#[pyclass(module = "clean", frozen, get_all)]
#[derive(Clone)]
struct Paragraph {
    /// Position among the document's paragraphs, from 0.
    index: usize,
    /// Start in str indices (code points) of the input text.
    start: usize,
    /// End (exclusive) in str indices.
    end: usize,
    /// Start in UTF-8 bytes of the input text.
    byte_start: usize,
    /// End (exclusive) in UTF-8 bytes.
    byte_end: usize,
    /// The paragraph's text: `text[start:end]`.
    text: String,
    /// Final log-odds that the paragraph is an insert (natural log; the CLI's score).
    log_odds: f64,
    /// P(ad), the logistic of `log_odds`.
    p_ad: f64,
    /// "kept", "unsure", "removed" or "unknown".
    verdict: &'static str,
    /// Why the paragraph is outside what the model knows ("script", "digits", "code", "links",
    /// "vocabulary"), when `verdict` is "unknown"; else None.
    unknown: Option<&'static str>,
}

impl Paragraph {
    fn new(p: Para, text: &str, cursor: &mut CharCursor<'_>) -> Paragraph {
        let start = cursor.at(p.range.start);
        let end = cursor.at(p.range.end);
        Paragraph {
            index: p.index,
            start,
            end,
            byte_start: p.range.start,
            byte_end: p.range.end,
            text: text[p.range].to_string(),
            log_odds: p.log_odds,
            p_ad: p.p_ad,
            verdict: p.verdict,
            unknown: p.unknown,
        }
    }
}

fn paragraphs(paras: Vec<Para>, text: &str) -> Vec<Paragraph> {
    let mut cursor = CharCursor::new(text);
    paras
        .into_iter()
        .map(|p| Paragraph::new(p, text, &mut cursor))
        .collect()
}

#[pymethods]
impl Paragraph {
    /// True when the filter takes the paragraph out.
    #[getter]
    fn removed(&self) -> bool {
        self.verdict == "removed"
    }

    /// The fields as a dict of JSON-friendly values (for metadata, logs, pandas).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("index", self.index)?;
        d.set_item("start", self.start)?;
        d.set_item("end", self.end)?;
        d.set_item("byte_start", self.byte_start)?;
        d.set_item("byte_end", self.byte_end)?;
        d.set_item("text", &self.text)?;
        d.set_item("log_odds", self.log_odds)?;
        d.set_item("p_ad", self.p_ad)?;
        d.set_item("verdict", self.verdict)?;
        d.set_item("unknown", self.unknown)?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        let short: String = self.text.chars().take(40).collect();
        let ell = if self.text.chars().count() > 40 {
            "..."
        } else {
            ""
        };
        let why = self
            .unknown
            .map(|u| format!(", unknown={u:?}"))
            .unwrap_or_default();
        format!(
            "Paragraph(index={}, start={}, end={}, verdict={:?}, log_odds={:.3}{why}, text={:?})",
            self.index,
            self.start,
            self.end,
            self.verdict,
            self.log_odds,
            format!("{short}{ell}")
        )
    }
}

/// A paragraph and the tokens behind its score.
#[pyclass(module = "clean", frozen, get_all)]
struct Explanation {
    /// The paragraph and its verdict.
    paragraph: Paragraph,
    /// (token, weight in nats) pushing towards ad, strongest first.
    toward_ad: Vec<(String, f64)>,
    /// (token, weight in nats) pushing towards editorial, strongest first (weights < 0).
    toward_editorial: Vec<(String, f64)>,
}

#[pymethods]
impl Explanation {
    /// The paragraph's fields plus `toward_ad` and `toward_editorial` as lists of [token, weight].
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = self.paragraph.to_dict(py)?;
        d.set_item("toward_ad", self.toward_ad.clone())?;
        d.set_item("toward_editorial", self.toward_editorial.clone())?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        format!(
            "Explanation({}, toward_ad={:?}, toward_editorial={:?})",
            self.paragraph.__repr__(),
            self.toward_ad,
            self.toward_editorial
        )
    }
}

/// A `clean` model with its settings: `Model.builtin()` or `Model.load(path)`.
///
/// Settings are keyword arguments of `builtin` and `load` (None: the model's own calibrated
/// cuts). A Model is immutable and can be shared between threads.
#[pyclass(module = "clean", frozen)]
struct Model {
    engine: Engine,
    source: String,
}

#[pymethods]
impl Model {
    /// The model compiled into the library.
    #[staticmethod]
    #[pyo3(signature = (*, threshold=None, unsure=None, keep_unknown=true))]
    fn builtin(threshold: Option<f64>, unsure: Option<f64>, keep_unknown: bool) -> PyResult<Model> {
        let model = engine::builtin().map_err(py_err)?;
        Ok(Model::with(
            model,
            "<built-in>".into(),
            threshold,
            unsure,
            keep_unknown,
        ))
    }

    /// A model file (`clean train`, `clean adapt`, `clean learn`), a str or os.PathLike.
    #[staticmethod]
    #[pyo3(signature = (path, *, threshold=None, unsure=None, keep_unknown=true))]
    fn load(
        py: Python<'_>,
        path: PathBuf,
        threshold: Option<f64>,
        unsure: Option<f64>,
        keep_unknown: bool,
    ) -> PyResult<Model> {
        let model = py.detach(|| engine::load(&path)).map_err(py_err)?;
        let source = path.display().to_string();
        Ok(Model::with(model, source, threshold, unsure, keep_unknown))
    }

    /// Removes the paragraphs judged to be ads. Returns (cleaned text, every paragraph in order).
    /// Kept paragraphs are byte-identical to the input's; the same result as `clean filter`.
    fn filter(&self, py: Python<'_>, text: &str) -> (String, Vec<Paragraph>) {
        let (cleaned, paras) = py.detach(|| self.engine.clean(text));
        (cleaned, paragraphs(paras, text))
    }

    /// Every paragraph and its verdict, without building the cleaned text.
    fn judge(&self, py: Python<'_>, text: &str) -> Vec<Paragraph> {
        let paras = py.detach(|| self.engine.judge(text));
        paragraphs(paras, text)
    }

    /// Every paragraph, its verdict and the `top` tokens each way behind its score (what
    /// `clean explain --json` prints).
    #[pyo3(signature = (text, top=5))]
    fn explain(&self, py: Python<'_>, text: &str, top: usize) -> Vec<Explanation> {
        let all = py.detach(|| self.engine.explain(text, top));
        let mut cursor = CharCursor::new(text);
        all.into_iter()
            .map(|e| Explanation {
                paragraph: Paragraph::new(e.para, text, &mut cursor),
                toward_ad: e.toward_ad,
                toward_editorial: e.toward_editorial,
            })
            .collect()
    }

    /// Removal threshold in force: a paragraph goes when its log-odds >= this.
    #[getter]
    fn threshold(&self) -> f64 {
        self.engine.threshold()
    }

    /// A kept paragraph with log-odds >= this is reported "unsure".
    #[getter]
    fn unsure(&self) -> f64 {
        self.engine.unsure()
    }

    /// Whether paragraphs outside what the model knows are kept (verdict "unknown").
    #[getter]
    fn keep_unknown(&self) -> bool {
        self.engine.keep_unknown()
    }

    fn __repr__(&self) -> String {
        format!(
            "Model({}, threshold={}, unsure={}, keep_unknown={})",
            self.source,
            self.engine.threshold(),
            self.engine.unsure(),
            if self.engine.keep_unknown() {
                "True"
            } else {
                "False"
            }
        )
    }
}

impl Model {
    fn with(
        model: clean::Model,
        source: String,
        threshold: Option<f64>,
        unsure: Option<f64>,
        keep_unknown: bool,
    ) -> Model {
        let options = Options {
            threshold,
            unsure,
            keep_unknown,
        };
        Model {
            engine: Engine::new(model, options),
            source,
        }
    }
}

#[pymodule]
fn _clean(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Model>()?;
    m.add_class::<Paragraph>()?;
    m.add_class::<Explanation>()?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}

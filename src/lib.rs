//! `clean` finds paragraphs of injected ad copy in scraped text and removes them, and nothing else.
//!
//! Where to look:
//! - [`segment`]: text -> paragraphs (byte ranges; kept text is never rewritten);
//! - [`features`]: paragraph -> tokens -> hashed feature ids (the simple reference scanner);
//! - [`scan`]: the same ids, content words and unknown-text statistics in one lean pass (the
//!   filter's hot path; `tests/lean_scanner.rs` checks it against the reference);
//! - [`train`]: labelled CSV -> per-class counts -> linfa-bayes MultinomialNb -> [`model::Model`];
//! - [`model`]: the versioned model file and the sparse scorer;
//! - [`filter`]: (model, document) -> kept text + a verdict per paragraph;
//! - [`corpus`]: walking inputs, writing outputs atomically;
//! - [`formats`]: plain text and JSON Lines, gzip and zstd, streamed;
//! - [`run`]: a whole `clean filter` run over a corpus, in parallel, in a fixed order;
//! - [`unknown`]: when a paragraph is outside what the model knows (kept, marked unknown);
//! - [`report`]: `--report` JSON Lines;
//! - [`eval`]: precision, recall, cross-validation and threshold calibration.

pub mod adapt;
pub mod context;
pub mod corpus;
pub mod error;
pub mod eval;
pub mod explain;
pub mod features;
pub mod filter;
pub mod formats;
pub mod learn;
pub mod model;
pub mod report;
pub mod run;
pub mod scan;
pub mod segment;
pub mod stack;
pub mod train;
pub mod unknown;

pub use error::{Error, ErrorKind, Result, Role};
pub use explain::TokenWeight;
pub use filter::{filter_text, Cleaned, Explained, Filter, Paragraph, Settings, Verdict};
pub use model::Model;
pub use unknown::UnknownReason;

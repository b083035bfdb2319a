//! `clean` finds paragraphs of injected ad copy in scraped text and removes them, and nothing else.
//!
//! ```
//! let filter = clean::Filter::new(clean::Model::builtin()?);
//! let cleaned = filter.clean("Rain is due on Friday.\n\nBuy cheap followers now at fastfans.example!\n");
//! println!("{} ({} removed)", cleaned.text, cleaned.removed().count());
//! # Ok::<(), clean::Error>(())
//! ```
//!
//! The API: a [`Model`] ([`Model::builtin`], [`Model::load`]) makes a [`Filter`] with its
//! [`Settings`]; [`Filter::judge`] gives a [`Paragraph`] with its score and [`Verdict`] for each
//! paragraph of a document, [`Filter::clean`] the [`Cleaned`] document, [`Filter::explain`] the
//! tokens behind each score. Training follows linfa's `Params`/`Fit` pattern
//! ([`train::TrainParams`]). Whole corpora (directories, JSON Lines, gzip and zstd, in parallel,
//! written atomically) are the [`run`] module's, which the `clean` command line is built on.
//! Errors are one [`Error`] type whose [`Error::kind`] tells the cases apart.
//!
//! The pipeline, stage by stage (private modules, in the order a document goes through them):
//! - `segment`: text -> paragraphs, as byte ranges; kept text is never rewritten;
//! - `features`: a paragraph -> tokens -> hashed feature ids (the simple reference scanner) and
//!   the one hash function;
//! - `scan`: the same ids, content words and unknown-text statistics in one lean pass (the hot
//!   path; checked against the reference by `tests/lean_scanner.rs`);
//! - `unknown`: when a paragraph is outside what the model knows (kept, marked unknown);
//! - `context`: how well a paragraph fits its document (shared content words);
//! - `stack`: the learnt second stage turning naive Bayes and the document into one log-odds;
//! - [`model`]: the versioned model file and the scorer;
//! - `filter`: ([`Filter`]) a document -> a verdict per paragraph -> the kept text;
//! - [`train`], [`eval`], [`learn`], [`adapt`]: fitting (linfa-bayes), measuring, correcting and
//!   adapting models;
//! - [`formats`], [`corpus`], [`run`], [`report`]: reading and writing documents (plain text and
//!   JSON Lines, compressed or not), whole corpora, and `--report` lines.

#![warn(missing_docs)]

mod context;
mod explain;
mod features;
mod filter;
mod scan;
mod segment;
mod stack;
mod unknown;

pub mod adapt;
pub mod corpus;
pub mod error;
pub mod eval;
pub mod formats;
pub mod learn;
pub mod model;
pub mod report;
pub mod run;
pub mod train;

pub use error::{Error, ErrorKind, Result, Role};
pub use explain::TokenWeight;
pub use features::FeatureConfig;
pub use filter::{Cleaned, Explained, Filter, Paragraph, Settings, Verdict};
pub use model::{Model, Score};
pub use unknown::{Known, UnknownReason, UnknownRule};

/// Internals for this crate's own tests and benchmarks (the lean scanner checked against the
/// reference, the filter's properties). Not part of the API: may change in any release.
#[doc(hidden)]
pub mod internals {
    pub use crate::explain::top_tokens;
    pub use crate::features::{
        for_each_token_id, for_each_token_id_with_content, token_id, tokens,
    };
    pub use crate::filter::{filter_text, judge, judge_reference};
    pub use crate::scan::Scanner;
    pub use crate::segment::paragraphs;
    pub use crate::stack::Signals;
    pub use crate::unknown::{stats, TextStats};
}

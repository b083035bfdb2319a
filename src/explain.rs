//! Why a paragraph got its score: the tokens that pushed it most toward ad and toward editorial.

use crate::features::{token_id, tokens};
use crate::model::{Model, AD, EDITORIAL};
use std::collections::BTreeMap;

/// A token and its weight: count x (log P(token|ad) - log P(token|editorial)). Positive means ad.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TokenWeight {
    /// The token (a word, a bigram "a b", or a shape like `<domain>`).
    pub token: String,
    /// Its total weight in the paragraph, in nats.
    pub weight: f64,
}

/// The `k` tokens pushing most toward ad, and the `k` pushing most toward editorial.
/// Tokens never seen in training carry no evidence and are left out. Ties are broken by token
/// text, so the lists are deterministic.
pub fn top_tokens(model: &Model, text: &str, k: usize) -> (Vec<TokenWeight>, Vec<TokenWeight>) {
    let cfg = &model.meta.features;
    let mut by_token: BTreeMap<String, f64> = BTreeMap::new();
    for t in tokens(text, cfg) {
        let Some(lp) = model.log_prob(token_id(&t)) else {
            continue;
        };
        *by_token.entry(t).or_insert(0.0) += lp[AD] - lp[EDITORIAL];
    }
    let mut all: Vec<TokenWeight> = by_token
        .into_iter()
        .map(|(token, weight)| TokenWeight {
            token,
            weight: (weight * 1000.0).round() / 1000.0,
        })
        .collect();
    all.sort_by(|a, b| {
        b.weight
            .total_cmp(&a.weight)
            .then_with(|| a.token.cmp(&b.token))
    });
    let ad: Vec<TokenWeight> = all
        .iter()
        .filter(|t| t.weight > 0.0)
        .take(k)
        .cloned()
        .collect();
    let ed: Vec<TokenWeight> = all
        .iter()
        .rev()
        .filter(|t| t.weight < 0.0)
        .take(k)
        .cloned()
        .collect();
    (ad, ed)
}

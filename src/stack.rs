//! The second stage: a small logistic model over what is known about a paragraph in its
//! document, stacked on the naive-Bayes score.
//!
//! Naive Bayes judges a paragraph alone, and its log-odds are far from calibrated (they run to
//! hundreds of nats on long paragraphs). The stacker turns them into a calibrated log-odds of
//! "this paragraph is an insert" from a handful of [`Signals`]: the naive-Bayes log-odds, the
//! paragraph's fit with the rest of its document (the share of its content words found two or
//! more paragraphs away, see `context`), its length, and how ad-like the rest of the
//! document reads (the median naive-Bayes log-odds of the other paragraphs: a tutorial written
//! in the second person reads more ad-like than a news story all through, an insert stands out
//! from its own document).
//!
//! Its weights are not set by hand: `clean train` learns them ([`fit`]) from synthetic documents
//! built only from the training data, with every naive-Bayes score taken from a model that did not
//! see that paragraph (cross-validation), see [`crate::train`].

/// Number of weights (including the bias).
pub const DIM: usize = 9;

/// Names of the weights, in order (for `clean info`).
pub const NAMES: [&str; DIM] = [
    "bias",
    "nb/10 (clipped to +-5)",
    "asinh(nb)",
    "context present",
    "context overlap - 0.3",
    "ln(1+words)/3",
    "document median nb/10 (clipped to +-5)",
    "document present",
    "(context overlap - 0.3) x min(content words, 20)/20",
];

/// Largest |naive-Bayes log-odds| the linear terms see: beyond it the evidence is decided.
const CLIP: f64 = 50.0;

/// What the stacker knows about one paragraph in its document.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Signals {
    /// The naive-Bayes log-odds of the paragraph alone.
    pub nb: f64,
    /// Fit with the document: (content words, how many occur two or more paragraphs away), when
    /// the document and paragraph are large enough for it to say something.
    pub context: Option<(u32, u32)>,
    /// Word tokens in the paragraph.
    pub words: u32,
    /// Median naive-Bayes log-odds of the document's other paragraphs, when it has enough.
    pub doc_median: Option<f64>,
}

impl Signals {
    /// The feature vector.
    pub fn features(&self) -> [f64; DIM] {
        let clip = |x: f64| x.clamp(-CLIP, CLIP) / 10.0;
        let overlap = self
            .context
            .map(|(w, s)| (f64::from(s) + 0.5) / (f64::from(w) + 1.0) - 0.3);
        [
            1.0,
            clip(self.nb),
            self.nb.asinh(),
            f64::from(u8::from(overlap.is_some())),
            overlap.unwrap_or(0.0),
            (1.0 + f64::from(self.words)).ln() / 3.0,
            self.doc_median.map_or(0.0, clip),
            f64::from(u8::from(self.doc_median.is_some())),
            overlap.unwrap_or(0.0)
                * self
                    .context
                    .map_or(0.0, |(w, _)| f64::from(w.min(20)) / 20.0),
        ]
    }
}

/// The stacker's weights.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Stacker {
    /// One weight per feature, in the order of [`NAMES`].
    pub weights: [f64; DIM],
}

impl Stacker {
    /// The calibrated log-odds that the paragraph is an insert.
    pub fn log_odds(&self, s: &Signals) -> f64 {
        let x = s.features();
        // A fixed summation order: the same bits on every machine and thread count.
        let mut z = 0.0;
        for (w, v) in self.weights.iter().zip(x) {
            z += w * v;
        }
        z
    }

    /// The most the document's signals can raise a paragraph's log-odds above what it scores
    /// alone (no context, no document), over every possible document: used by `clean learn` so
    /// that a paragraph corrected to editorial stays kept in any document.
    pub fn max_document_push(&self) -> f64 {
        let w = &self.weights;
        // Context: present (w3) with overlap - 0.3 anywhere in [-0.3, 0.7] (w4); document:
        // present (w7) with a clipped median in [-5, 5] (w6).
        let ctx = (w[3] + (w[4] * -0.3).max(w[4] * 0.7)).max(0.0);
        let doc = (w[7] + (w[6] * -5.0).max(w[6] * 5.0)).max(0.0);
        ctx + doc
    }
}

/// Fits the stacker by L2-regularised logistic regression (Newton's method), examples weighted
/// so that both labels carry the same total weight. Deterministic: fixed iteration count and
/// summation order.
pub fn fit(examples: &[([f64; DIM], bool)], ridge: f64) -> Stacker {
    let n_ad = examples.iter().filter(|e| e.1).count().max(1) as f64;
    let n_ed = examples.iter().filter(|e| !e.1).count().max(1) as f64;
    let total = n_ad + n_ed;
    let (w_ad, w_ed) = (total / (2.0 * n_ad), total / (2.0 * n_ed));
    let mut w = [0.0; DIM];
    for _ in 0..50 {
        let mut grad = [0.0; DIM];
        let mut hess = [[0.0; DIM]; DIM];
        for (x, y) in examples {
            let z: f64 = w.iter().zip(x).map(|(a, b)| a * b).sum();
            let p = logistic(z);
            let c = if *y { w_ad } else { w_ed };
            let r = c * (p - f64::from(u8::from(*y)));
            let v = c * p * (1.0 - p);
            for i in 0..DIM {
                grad[i] += r * x[i];
                for j in 0..DIM {
                    hess[i][j] += v * x[i] * x[j];
                }
            }
        }
        for i in 1..DIM {
            grad[i] += ridge * w[i];
            hess[i][i] += ridge;
        }
        hess[0][0] += 1e-9;
        let Some(step) = solve(hess, grad) else { break };
        let mut moved = 0.0f64;
        for i in 0..DIM {
            w[i] -= step[i];
            moved = moved.max(step[i].abs());
        }
        if moved < 1e-10 {
            break;
        }
    }
    Stacker { weights: w }
}

/// Solves a·x = b by Gaussian elimination with partial pivoting; None if singular.
fn solve(mut a: [[f64; DIM]; DIM], mut b: [f64; DIM]) -> Option<[f64; DIM]> {
    for col in 0..DIM {
        let pivot = (col..DIM).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        let pivot_row = a[col];
        for row in col + 1..DIM {
            let f = a[row][col] / pivot_row[col];
            for (x, p) in a[row][col..].iter_mut().zip(&pivot_row[col..]) {
                *x -= f * p;
            }
            b[row] -= f * b[col];
        }
    }
    let mut x = [0.0; DIM];
    for row in (0..DIM).rev() {
        let s: f64 = (row + 1..DIM).map(|k| a[row][k] * x[k]).sum();
        x[row] = (b[row] - s) / a[row][row];
    }
    Some(x)
}

/// log(p / (1 - p)), finite for every p in [0, 1].
pub fn logit(p: f64) -> f64 {
    let p = p.clamp(1e-300, 1.0 - 1e-16);
    (p / (1.0 - p)).ln()
}

/// 1 / (1 + exp(-x)), without overflow.
pub fn logistic(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_finds_the_separating_direction() {
        // Label = nb > 0, with noise in an irrelevant feature.
        let ex: Vec<([f64; DIM], bool)> = (0..400)
            .map(|i| {
                let nb = (i as f64 - 200.0) / 10.0;
                let s = Signals {
                    nb,
                    context: Some((10, (i % 7) as u32)),
                    words: 20,
                    doc_median: None,
                };
                (s.features(), nb > 0.0)
            })
            .collect();
        let m = fit(&ex, 1.0);
        assert!(m.weights[1] + m.weights[2] > 0.5, "{m:?}");
        let hi = Signals {
            nb: 30.0,
            context: Some((10, 3)),
            words: 20,
            doc_median: None,
        };
        let lo = Signals { nb: -30.0, ..hi };
        assert!(m.log_odds(&hi) > 2.0 && m.log_odds(&lo) < -2.0);
    }

    #[test]
    fn median_of_even_and_odd() {}
}

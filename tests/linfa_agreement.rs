//! The fast path (per-class sums, one linfa-bayes fit, sparse scorer) against linfa-bayes used the
//! slow, documented way (one dense row per paragraph, its own `predict`), and the parameters read
//! through linfa-bayes's private serde layout against the same parameters recovered through its
//! public API alone.

use clean::internals::for_each_token_id;
use clean::model::{Model, AD, EDITORIAL};
use clean::train::{
    count, feature_log_prob, fit_linfa, read_training_dir, train, Example, TrainConfig,
};
use clean::FeatureConfig;
use linfa::prelude::*;
use linfa_bayes::{MultinomialNb, NaiveBayes};
use ndarray::{s, Array1, Array2, ArrayView2, Axis, ShapeBuilder};
use std::path::Path;

/// One dense row per paragraph over `vocab` (token ids outside it are dropped).
fn dense(examples: &[&Example], cfg: &FeatureConfig, vocab: &[u64]) -> Array2<f64> {
    let mut x = Array2::<f64>::zeros((examples.len(), vocab.len()));
    for (i, e) in examples.iter().enumerate() {
        for_each_token_id(&e.text, cfg, |id| {
            if let Ok(j) = vocab.binary_search(&id) {
                x[[i, j]] += 1.0;
            }
        });
    }
    x
}

/// The committed training data.
fn training() -> clean::train::TrainingSet {
    read_training_dir(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/training"))).unwrap()
}

#[test]
fn sparse_scorer_agrees_with_linfa_predict() {
    let set = training();
    // Interleave labels so both classes are in the sample: every 7th paragraph of each class.
    let ed: Vec<&Example> = set
        .examples
        .iter()
        .filter(|e| e.label == EDITORIAL)
        .step_by(7)
        .collect();
    let ad: Vec<&Example> = set
        .examples
        .iter()
        .filter(|e| e.label == AD)
        .step_by(7)
        .collect();
    let n = 240.min(ed.len()).min(ad.len());
    let train_set: Vec<&Example> = ed[..n / 2]
        .iter()
        .chain(ad[..n / 2].iter())
        .copied()
        .collect();
    let test_set: Vec<&Example> = ed[n / 2..n]
        .iter()
        .chain(ad[n / 2..n].iter())
        .chain(train_set.iter())
        .copied()
        .collect();
    assert!(
        test_set.len() >= 300,
        "need a few hundred paragraphs, have {}",
        test_set.len()
    );

    let cfg = TrainConfig::default();
    let ours: Model = train(&train_set, Vec::new(), &cfg).unwrap();
    let vocab = count(&train_set, &cfg.features, cfg.min_count).vocabulary;
    assert_eq!(vocab.len(), ours.vocabulary());

    let x = dense(&train_set, &cfg.features, &vocab);
    let y = Array1::from(train_set.iter().map(|e| e.label).collect::<Vec<_>>());
    let (linfa_model, lp) = fit_linfa(x, y, cfg.alpha).unwrap();

    // Same fitted log-probabilities, bit for bit, on every token of the vocabulary.
    for (j, id) in vocab.iter().enumerate() {
        let mine = ours.log_prob(*id).unwrap();
        assert_eq!(
            mine[EDITORIAL].to_bits(),
            lp[EDITORIAL][j].to_bits(),
            "token {id}"
        );
        assert_eq!(mine[AD].to_bits(), lp[AD][j].to_bits(), "token {id}");
    }

    // Same labels from linfa's own predict and from our scorer.
    let xt = dense(&test_set, &cfg.features, &vocab);
    let predicted = linfa_model.predict(&xt);
    // A paragraph with no token of the vocabulary scores the priors alone; with equal priors
    // that is a tie, which linfa-bayes breaks by hash-map order (at random) and we break toward
    // editorial. Those are left out of the comparison.
    let (mut agree, mut compared) = (0, 0);
    for (i, e) in test_set.iter().enumerate() {
        let s = ours.score(&e.text);
        if s.log_odds.abs() < 1e-9 {
            continue;
        }
        compared += 1;
        if s.label() == predicted[i] {
            agree += 1;
        }
    }
    assert!(compared >= 300, "only {compared} paragraphs compared");
    assert_eq!(agree, compared);
}

/// Every fitted feature log-probability of class `c`, through linfa-bayes's public API only: fit
/// the rows of class `c` alone (so its prior is 1 and ln 1 = 0), then take the joint
/// log-likelihood of each unit vector e_j, which is `0 + e_j · feature_log_prob` = exactly
/// `feature_log_prob[j]` (every other product is a zero). The unit vectors are the rows of an
/// anti-identity viewed over 2*dim-1 values (row i = e_(dim-1-i)), so memory stays linear; time
/// is quadratic in the vocabulary.
fn public_feature_log_prob(x: &Array2<f64>, y: &Array1<usize>, c: usize, alpha: f64) -> Vec<f64> {
    let rows: Vec<usize> = (0..y.len()).filter(|&i| y[i] == c).collect();
    let ds = Dataset::new(x.select(Axis(0), &rows), Array1::from_elem(rows.len(), c));
    let one = {
        let _quiet = gag::Gag::stderr().ok(); // linfa-bayes 0.8.1 dbg!s inside fit
        MultinomialNb::params().alpha(alpha).fit(&ds).unwrap()
    };
    let dim = x.ncols();
    let mut buf = vec![0.0; 2 * dim - 1];
    buf[dim - 1] = 1.0;
    let units = ArrayView2::from_shape((dim, dim).strides((1, 1)), &buf).unwrap();
    let zero = one.joint_log_likelihood(Array2::zeros((1, dim)).view());
    assert_eq!(
        zero[&c][0].to_bits(),
        0.0f64.to_bits(),
        "a one-class prior is 1"
    );
    let mut lp = Vec::with_capacity(dim);
    for a in (0..dim).step_by(1024) {
        let b = (a + 1024).min(dim);
        lp.extend(one.joint_log_likelihood(units.slice(s![a..b, ..]))[&c].iter());
    }
    lp.reverse();
    lp
}

/// The serde mirror of linfa-bayes's private layout (src/train.rs, `fit_linfa`) reads exactly
/// the parameters that linfa-bayes's public API gives. If a linfa-bayes release changes its
/// private layout, this fails (and so does every fit, by `fit_linfa`'s own check).
#[test]
fn serde_mirror_reads_what_the_public_api_gives() {
    let set = training();
    let sample: Vec<&Example> = set.examples.iter().step_by(60).collect();
    let cfg = TrainConfig::default();
    let vocab = count(&sample, &cfg.features, cfg.min_count).vocabulary;
    let x = dense(&sample, &cfg.features, &vocab);
    let y = Array1::from(sample.iter().map(|e| e.label).collect::<Vec<_>>());
    assert!(vocab.len() >= 1000, "vocabulary of {}", vocab.len());
    let (_, mirror) = fit_linfa(x.clone(), y.clone(), cfg.alpha).unwrap();
    for c in [EDITORIAL, AD] {
        let public = public_feature_log_prob(&x, &y, c, cfg.alpha);
        assert_eq!(public.len(), mirror[c].len());
        for (j, (p, m)) in public.iter().zip(&mirror[c]).enumerate() {
            assert_eq!(
                p.to_bits(),
                m.to_bits(),
                "class {c}, feature {j}: {p} through linfa-bayes's public API, {m} through the \
                 serde mirror of its private layout: the layout changed, update FittedNb in \
                 src/train.rs or pin linfa-bayes to =0.8.1"
            );
        }
    }
}

#[test]
fn model_file_round_trip_and_version_check() {
    let set = training();
    let refs: Vec<&Example> = set.examples.iter().step_by(5).collect();
    let cfg = TrainConfig::default();
    let m = train(&refs, set.sources.clone(), &cfg).unwrap();
    let bytes = m.to_bytes();
    let back = Model::from_bytes(&bytes, Path::new("x.model")).unwrap();
    assert_eq!(back.to_bytes(), bytes);
    assert_eq!(back.meta, m.meta);
    for e in refs.iter().take(50) {
        assert_eq!(back.score(&e.text), m.score(&e.text));
    }
    assert_eq!(&bytes[..8], b"CLEANNB\n");
    let mut newer = bytes.clone();
    newer[8..12].copy_from_slice(&(clean::model::FORMAT_VERSION + 1).to_le_bytes());
    let err = Model::from_bytes(&newer, Path::new("x.model"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("x.model") && err.contains("newer"), "{err}");
    // Every truncation is an error, never a panic.
    for cut in [0, 4, 9, 12, 20, bytes.len() / 2, bytes.len() - 1] {
        assert!(
            Model::from_bytes(&bytes[..cut], Path::new("x.model")).is_err(),
            "cut {cut}"
        );
    }
}

/// The cross-validation models of the calibration get their log-probabilities from
/// `feature_log_prob`, a replica of linfa-bayes's arithmetic without its fit (and its `dbg!`):
/// it must give linfa-bayes's numbers bit for bit, on real counts (the whole training data, and
/// every other paragraph of it), at the default smoothing and another.
#[test]
fn replica_gives_linfa_bayes_log_probabilities_bit_for_bit() {
    let set = training();
    let all: Vec<&Example> = set.examples.iter().collect();
    let half: Vec<&Example> = set.examples.iter().step_by(2).collect();
    let cfg = TrainConfig::default();
    for (part, alpha) in [(&all, cfg.alpha), (&half, cfg.alpha), (&half, 0.7)] {
        let counts = count(part, &cfg.features, cfg.min_count).counts;
        let dim = counts[0].len();
        assert!(dim > 10_000, "real counts: {dim} tokens");
        let mut x = Array2::<f64>::zeros((2, dim));
        for c in [EDITORIAL, AD] {
            x.row_mut(c).assign(&Array1::from(counts[c].clone()));
        }
        let (_, lp) = fit_linfa(x, Array1::from(vec![EDITORIAL, AD]), alpha).unwrap();
        let replica = feature_log_prob(&counts, alpha);
        for c in [EDITORIAL, AD] {
            assert_eq!(replica[c].len(), dim);
            let differ = (0..dim)
                .filter(|&j| replica[c][j].to_bits() != lp[c][j].to_bits())
                .count();
            assert_eq!(
                differ, 0,
                "class {c}, alpha {alpha}: {differ} of {dim} log-probabilities differ from linfa-bayes's"
            );
        }
    }
}

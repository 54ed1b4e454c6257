//! Documents and helpers shared by the vectorizers' tests.

use crate::sparse::CsrMatrix;
use crate::text::{Analyzer, AnalyzerConfig};

/// Short documents with n-gram, accent, apostrophe and empty-document cases.
pub const DOCS: &[&str] = &[
    "a ab abc a b ab a",
    "ab a b a_b a b",
    "b a ab x1 x10 x1 x2 Zeta zeta",
    "é e ée e é can't U.S. can't",
    "",
    "x10 x1 x2 a ab",
    "zeta é e a b ab",
];

/// An analyzer with the given n-gram range, token pattern and tokenizer.
pub fn analyzer(ngram: (usize, usize), pattern: &str, tokenizer: Option<&str>) -> Analyzer {
    let mut cfg = AnalyzerConfig::default();
    cfg.ngram_range = ngram;
    cfg.token_pattern = Some(pattern.into());
    cfg.tokenizer = tokenizer.map(Into::into);
    Analyzer::new(&cfg).unwrap()
}

/// 2,500 sentence-like documents (several languages and scripts, one empty).
pub fn docs() -> Vec<String> {
    let base = [
        "The peace talks resumed in Geneva on Monday.",
        "Rebels attacked a convoy; the talks stalled.",
        "Ceasefire holds as aid convoys reach the city",
        "",
        "Las negociaciones de paz se reanudaron en Ginebra",
        "émoji 🙂 and RTL שלום text",
    ];
    (0..2500).map(|i| format!("{} {}", base[i % base.len()], i % 13)).collect()
}


/// Columns `keep` of `m`, renumbered.
pub fn select_columns(m: &CsrMatrix<f64>, keep: &[usize]) -> CsrMatrix<f64> {
    let mut new_col = vec![u32::MAX; m.n_cols];
    for (c, &j) in keep.iter().enumerate() {
        new_col[j] = c as u32;
    }
    let (mut indptr, mut indices, mut data) = (vec![0], Vec::new(), Vec::new());
    for i in 0..m.n_rows {
        let (cols, vals) = m.row(i);
        for (&j, &v) in cols.iter().zip(vals) {
            if new_col[j as usize] != u32::MAX {
                indices.push(new_col[j as usize]);
                data.push(v);
            }
        }
        indptr.push(indices.len());
    }
    CsrMatrix::new(m.n_rows, keep.len(), indptr, indices, data).unwrap()
}

pub fn every_third_and_last(n: usize) -> Vec<usize> {
    let mut keep: Vec<usize> = (0..n).filter(|j| j % 3 != 1).collect();
    if keep.last() != Some(&(n - 1)) {
        keep.push(n - 1);
    }
    keep
}

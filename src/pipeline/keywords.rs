//! Topics from keywords (issue 23): a [`TopicModel`] from a few keywords per topic and
//! unlabelled texts, and the margins that pick the texts worth labelling by hand.
//!
//! Fit ([`TopicModel::fit_keywords`]):
//! 1. the vectorizer is fitted on all the texts;
//! 2. keywords are analysed like the features (normalisation, accent folding, stop words,
//!    stemming), once per language slot, so that `negociaciones` matches `negociación`; a
//!    phrase matches its terms in sequence (stop words between them skipped, as the n-gram
//!    features do), whatever the `ngram_range`. A keyword whose analysed form belongs to two
//!    topics is ignored (and reported);
//! 3. each text's evidence for a topic is the number of that topic's distinct keywords it
//!    contains. Multi-class: the text is labelled with the topic of most evidence, when it
//!    has at least `min_keywords` and no other topic ties with it (split evidence abstains).
//!    Multi-label: every topic with at least `min_keywords`;
//! 4. self-training: a linear model is trained on the labelled texts and scores all of them;
//!    in round `r` of `R`, the fraction `coverage * r / R` of the texts without keyword
//!    labels, per predicted topic the ones with the largest margin, take the predicted
//!    labels (the keyword labels stay fixed); the final model is trained on the last set.
//!
//! The margin ([`margins`]) is the gap between the best and the second topic score
//! (multi-class), or the smallest distance of a topic score to its threshold (multi-label).
//! [`TopicModel::uncertain`] ranks texts by it, smallest first (margin-based active learning).

use std::collections::{BTreeSet, HashMap};

use rayon::prelude::*;

use super::articles::ArticleOptions;
use super::TopicModel;
use crate::error::{Error, Result};
use crate::linear::{self, LinearParams, ModelKind, Target};
use crate::sparse::CsrMatrix;
use crate::text::{surface, Analyzer, AnalyzerKind};

/// What [`TopicModel::fit_keywords`] does besides the vectorizer and linear parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct KeywordOptions {
    /// Self-training rounds (0: train on the keyword labels only).
    pub rounds: usize,
    /// Fraction of the texts without keyword labels that the last round labels, in (0, 1].
    pub coverage: f64,
    /// Distinct keywords of a topic a text needs to be labelled with it from keywords.
    pub min_keywords: usize,
    /// Any number of topics per text.
    pub multilabel: bool,
    /// Texts labelled by hand, `(index, topics)`: these labels replace the keyword labels
    /// and stay fixed (labelled and keyword data combined).
    pub labelled: Vec<(usize, Vec<usize>)>,
}

impl Default for KeywordOptions {
    fn default() -> Self {
        KeywordOptions { rounds: 5, coverage: 0.8, min_keywords: 1, multilabel: false, labelled: Vec::new() }
    }
}

impl KeywordOptions {
    /// Options from the values a caller gives (as Python passes them): the value rules of
    /// `rounds` (>= 0), `coverage` (in (0, 1]) and `min_keywords` (>= 1) live here and in
    /// [`KeywordOptions::validate`] only.
    pub fn from_values(rounds: i64, coverage: f64, min_keywords: i64) -> Result<Self> {
        if rounds < 0 {
            return Err(Error::value(format!("rounds must be an int >= 0, got {rounds}")));
        }
        if min_keywords < 1 {
            return Err(Error::value(format!("min_keywords must be an int >= 1, got {min_keywords}")));
        }
        let o = KeywordOptions { rounds: rounds as usize, coverage, min_keywords: min_keywords as usize, ..Default::default() };
        o.validate()?;
        Ok(o)
    }

    /// `coverage` in (0, 1] and `min_keywords` >= 1 (the unsigned fields hold the rest).
    pub fn validate(&self) -> Result<()> {
        if !(self.coverage > 0.0 && self.coverage <= 1.0) {
            return Err(Error::value(format!("coverage must be a number in (0, 1], got {}", self.coverage)));
        }
        if self.min_keywords < 1 {
            return Err(Error::value(format!("min_keywords must be an int >= 1, got {}", self.min_keywords)));
        }
        Ok(())
    }
}

/// What the keyword labelling found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct KeywordReport {
    /// Per topic, per keyword: the number of texts it occurs in.
    pub matches: Vec<Vec<usize>>,
    /// Keywords ignored because their analysed form also belongs to another topic:
    /// `(topic, keyword index, other topic)`.
    pub shared: Vec<(usize, usize, usize)>,
    /// Per topic: the texts labelled with it from keywords.
    pub seeds: Vec<usize>,
    /// Texts labelled from keywords (any topic).
    pub n_seed: usize,
    /// Texts the final model was trained on (keyword and self-trained labels).
    pub n_labelled: usize,
}

/// Analysed keywords, indexed by their first term.
struct Matcher {
    by_first: HashMap<String, Vec<(usize, usize, Vec<String>)>>,
}

impl Matcher {
    /// Analyse every keyword in every language slot; errors name the topic and keyword.
    fn new(analyzer: &Analyzer, keywords: &[Vec<String>], classes: &[String]) -> Result<(Self, Vec<(usize, usize, usize)>)> {
        let mut owner: HashMap<Vec<String>, BTreeSet<usize>> = HashMap::new();
        let mut forms: Vec<(usize, usize, Vec<String>)> = Vec::new();
        for (t, kws) in keywords.iter().enumerate() {
            if kws.is_empty() {
                return Err(Error::value(format!("topic {:?} has no keywords; give at least one", classes[t])));
            }
            for (i, kw) in kws.iter().enumerate() {
                let variants: BTreeSet<Vec<String>> = (0..analyzer.n_slots())
                    .map(|s| analyzer.word_tokens(kw, Some(s)))
                    .filter(|v| !v.is_empty())
                    .collect();
                if variants.is_empty() {
                    return Err(Error::value(format!(
                        "keyword {kw:?} of topic {:?} has no terms after analysis (empty, or only stop \
                         words); give a content word",
                        classes[t]
                    )));
                }
                for v in variants {
                    owner.entry(v.clone()).or_default().insert(t);
                    forms.push((t, i, v));
                }
            }
        }
        let mut shared = BTreeSet::new();
        let mut by_first: HashMap<String, Vec<(usize, usize, Vec<String>)>> = HashMap::new();
        for (t, i, v) in forms {
            let topics = &owner[&v];
            if topics.len() > 1 {
                shared.extend(topics.iter().filter(|&&o| o != t).map(|&o| (t, i, o)));
                continue;
            }
            by_first.entry(v[0].clone()).or_default().push((t, i, v));
        }
        Ok((Matcher { by_first }, shared.into_iter().collect()))
    }

    /// The `(topic, keyword)` pairs found in a text's terms, sorted, without repeats.
    fn find(&self, toks: &[String]) -> Vec<(usize, usize)> {
        let mut hits = Vec::new();
        for (p, tok) in toks.iter().enumerate() {
            if let Some(list) = self.by_first.get(tok) {
                for (t, i, v) in list {
                    if toks[p..].starts_with(v) {
                        hits.push((*t, *i));
                    }
                }
            }
        }
        hits.sort_unstable();
        hits.dedup();
        hits
    }
}

/// Per text, the topics its keywords support (empty: abstain), best first; and the report's
/// match counts. See the module docs for the rule.
fn keyword_labels(
    hits: &[Vec<(usize, usize)>],
    keywords: &[Vec<String>],
    opts: &KeywordOptions,
) -> (Vec<Vec<usize>>, Vec<Vec<usize>>) {
    let k = keywords.len();
    let mut matches: Vec<Vec<usize>> = keywords.iter().map(|kws| vec![0; kws.len()]).collect();
    let mut evidence = vec![0usize; k];
    let need = opts.min_keywords;
    let sets = hits
        .iter()
        .map(|h| {
            evidence.iter_mut().for_each(|e| *e = 0);
            for &(t, i) in h {
                matches[t][i] += 1;
                evidence[t] += 1;
            }
            let mut order: Vec<usize> = (0..k).filter(|&t| evidence[t] >= need).collect();
            order.sort_by(|&a, &b| evidence[b].cmp(&evidence[a]).then(a.cmp(&b)));
            if !opts.multilabel && order.len() > 1 && evidence[order[0]] == evidence[order[1]] {
                order.clear();
            }
            if !opts.multilabel {
                order.truncate(1);
            }
            order
        })
        .collect();
    (sets, matches)
}

/// Predicted topics (best first; at least one) and margin per row of `z` (`n x k` class
/// scores; see the module docs). Multi-class with one output (`k == 1`): the score of topic
/// 1, margin twice its magnitude (the gap between the two topics' scores).
pub fn margins(z: &[f64], k: usize, multilabel: bool, thresholds: &[f64]) -> (Vec<Vec<usize>>, Vec<f64>) {
    let k = k.max(1);
    let mut sets = Vec::with_capacity(z.len() / k);
    let mut out = Vec::with_capacity(z.len() / k);
    for row in z.chunks(k) {
        let best = (0..k).fold(0, |b, t| if row[t] > row[b] { t } else { b });
        if k == 1 && !multilabel {
            sets.push(vec![(row[0] > 0.0) as usize]);
            out.push(2.0 * row[0].abs());
        } else if multilabel {
            let thr = |t: usize| thresholds.get(t).copied().unwrap_or(0.0);
            let mut on: Vec<usize> = (0..k).filter(|&t| row[t] >= thr(t)).collect();
            on.sort_by(|&a, &b| row[b].total_cmp(&row[a]).then(a.cmp(&b)));
            if on.is_empty() {
                on.push(best);
            }
            sets.push(on);
            out.push((0..k).map(|t| (row[t] - thr(t)).abs()).fold(f64::INFINITY, f64::min));
        } else {
            let second = (0..k).filter(|&t| t != best).map(|t| row[t]).fold(f64::NEG_INFINITY, f64::max);
            sets.push(vec![best]);
            out.push(row[best] - second);
        }
    }
    (sets, out)
}

fn target_of(sets: &[Vec<usize>], rows: &[usize], k: usize, multilabel: bool) -> Target {
    if multilabel {
        Target::Multilabel { y: rows.iter().map(|&i| sets[i].clone()).collect(), n_classes: k }
    } else {
        Target::Multiclass { y: rows.iter().map(|&i| sets[i][0]).collect(), n_classes: k }
    }
}

impl TopicModel {
    /// A model from keywords per topic (`keywords[t]` for `classes[t]`) and unlabelled
    /// `docs` (see the module docs). Multi-label models with `articles` options also learn
    /// the article-level state from the final labels.
    #[allow(clippy::too_many_arguments)]
    pub fn fit_keywords<S: AsRef<str> + Sync>(
        docs: &[S],
        keywords: &[Vec<String>],
        classes: Vec<String>,
        mut vectorizer: crate::vectorize::TfidfVectorizer,
        params: &LinearParams,
        opts: &KeywordOptions,
        articles: Option<&ArticleOptions>,
        n_jobs: Option<i64>,
    ) -> Result<(Self, KeywordReport)> {
        let t0 = std::time::Instant::now();
        let k = classes.len();
        if k < 2 || keywords.len() != k {
            return Err(Error::value(format!(
                "from_keywords needs keywords for at least two topics; got {} topics and {} keyword lists",
                k,
                keywords.len()
            )));
        }
        if docs.is_empty() {
            return Err(Error::value("from_keywords needs unlabelled texts; got an empty collection"));
        }
        opts.validate()?;
        params.validate()?;
        let analyzer = Analyzer::new(&vectorizer.config().count.analyzer)?;
        if analyzer.kind != AnalyzerKind::Word {
            return Err(Error::value("from_keywords needs analyzer='word' (keywords are matched as words)"));
        }
        let (matcher, shared) = Matcher::new(&analyzer, keywords, &classes)?;
        let hits: Vec<Vec<(usize, usize)>> = crate::parallel::install(n_jobs, || {
            docs.par_iter().map(|d| matcher.find(&analyzer.word_tokens(d.as_ref(), None))).collect()
        })?;
        let (mut sets, matches) = keyword_labels(&hits, keywords, opts);
        drop(hits);
        for (i, set) in &opts.labelled {
            if *i >= docs.len() || set.is_empty() || set.iter().any(|&t| t >= k) || (!opts.multilabel && set.len() != 1) {
                return Err(Error::value(format!(
                    "labelled text {i}: the index must be below {} and the topics one (multi-label: \
                     one or more) of the {k} topics",
                    docs.len()
                )));
            }
            sets[*i] = set.clone();
        }
        let mut seeds = vec![0usize; k];
        for s in &sets {
            for &t in s {
                seeds[t] += 1;
            }
        }
        for t in 0..k {
            if seeds[t] == 0 && matches[t].iter().all(|&m| m == 0) {
                return Err(Error::value(format!(
                    "none of the keywords of topic {:?} ({}) occurs in the texts; give keywords that do",
                    classes[t],
                    keywords[t].join(", ")
                )));
            }
            if seeds[t] == 0 {
                return Err(Error::value(format!(
                    "topic {:?}: its keywords occur only in texts whose evidence is split with other \
                     topics, so no text is labelled with it; give more specific keywords",
                    classes[t]
                )));
            }
        }
        let is_seed: Vec<bool> = sets.iter().map(|s| !s.is_empty()).collect();
        let n_seed = is_seed.iter().filter(|&&s| s).count();
        let x: CsrMatrix<f32> = vectorizer.fit_transform(docs, n_jobs)?;
        if x.n_cols == 0 {
            return Err(Error::value("the vectorizer found no terms in the texts (empty vocabulary)"));
        }
        let ml = opts.multilabel;
        let round_params = LinearParams { probability: false, ..params.clone() };
        let thr = vec![0.0; k];
        for r in 0..opts.rounds {
            let rows: Vec<usize> = (0..docs.len()).filter(|&i| !sets[i].is_empty()).collect();
            let lm = linear::fit(&x.select_rows(&rows)?, &target_of(&sets, &rows, k, ml), None, &round_params, n_jobs)?;
            let z = crate::parallel::install(n_jobs, || lm.scores(&x))?;
            let (pred, margin) = margins(&z, lm.n_outputs(), ml, &thr);
            let frac = opts.coverage * (r + 1) as f64 / opts.rounds as f64;
            let mut by_topic: Vec<Vec<usize>> = vec![Vec::new(); k];
            for i in (0..docs.len()).filter(|&i| !is_seed[i]) {
                sets[i].clear();
                by_topic[pred[i][0]].push(i);
            }
            for mut group in by_topic {
                group.sort_by(|&a, &b| margin[b].total_cmp(&margin[a]).then(a.cmp(&b)));
                let take = (group.len() as f64 * frac).floor() as usize;
                for &i in &group[..take] {
                    sets[i] = pred[i].clone();
                }
            }
        }
        let rows: Vec<usize> = (0..docs.len()).filter(|&i| !sets[i].is_empty()).collect();
        let lm = linear::fit(&x.select_rows(&rows)?, &target_of(&sets, &rows, k, ml), None, params, n_jobs)?;
        drop(x);
        let weights = lm.feature_major_weights(n_jobs)?;
        let mut m = Self::from_linear(vectorizer, classes, lm, weights, rows.len(), 0.0);
        if let (Some(a), true) = (articles, ml) {
            let labelled: Vec<&str> = rows.iter().map(|&i| docs[i].as_ref()).collect();
            let y: Vec<Vec<usize>> = rows.iter().map(|&i| sets[i].clone()).collect();
            m.articles = Some(m.fit_articles(&labelled, &y, params, a, n_jobs)?);
        }
        m.fit_seconds = t0.elapsed().as_secs_f64();
        let report = KeywordReport { matches, shared, seeds, n_seed, n_labelled: rows.len() };
        Ok((m, report))
    }

    /// The margin of each of `docs` and the indices of the `n` smallest (the texts whose
    /// labels would teach the model most), smallest first, ties by index. Multi-label models
    /// with article-level state use its calibrated scores and thresholds; other multi-label
    /// models the untuned threshold (0.5 on logistic probabilities, 0 on SVM decision
    /// values); multi-class models the gap between the two best topic scores.
    pub fn uncertain<S: AsRef<str> + Sync>(
        &self,
        docs: &[S],
        n: usize,
        segments: bool,
        n_jobs: Option<i64>,
    ) -> Result<(Vec<usize>, Vec<f64>)> {
        let k = self.n_outputs();
        let (z, thr) = match &self.articles {
            Some(state) => (self.predict_articles(docs, state, segments, n_jobs)?.1, state.thresholds.clone()),
            None => {
                let s = self.decision_function(docs, n_jobs)?;
                let (z, threshold) = match (self.multilabel, self.linear.kind) {
                    (true, ModelKind::Logistic { .. }) => (self.linear.proba_from_scores(&s)?, 0.5),
                    (true, _) => (s, 0.0),
                    (false, _) => (self.class_scores(&s)?, 0.0),
                };
                (z, vec![threshold; k])
            }
        };
        let width = if self.multilabel { k } else { self.classes.len() };
        let (_, margin) = margins(&z, width, self.multilabel, &thr);
        let mut order: Vec<usize> = (0..margin.len()).collect();
        order.sort_by(|&a, &b| margin[a].total_cmp(&margin[b]).then(a.cmp(&b)));
        order.truncate(n);
        Ok((order, margin))
    }
}

impl TopicModel {
    /// The `n` strongest positive terms of topic `class` that have no number or stop word in
    /// them and are not made of the terms of `exclude` (keywords, analysed like the
    /// features), strongest first, as
    /// `(term as written, weight)`: the written form from `surface` (feature -> form), else
    /// the model's stored surface forms, else the feature itself.
    pub fn suggest_keywords(
        &self,
        class: usize,
        n: usize,
        exclude: &[String],
        surface: &HashMap<String, String>,
    ) -> Result<Vec<(String, f64)>> {
        let (o, sign) = self.output_of(class)?;
        let names = self.feature_names()?;
        let analyzer = Analyzer::new(&self.vectorizer.config().count.analyzer)?;
        // the keywords' terms: a feature made only of them (a keyword, or a word of a
        // keyword phrase) is no news to the user
        let excluded: BTreeSet<String> = exclude
            .iter()
            .flat_map(|kw| (0..analyzer.n_slots()).flat_map(|s| analyzer.word_tokens(kw, Some(s))).collect::<Vec<_>>())
            .collect();
        let unwanted = |term: &str| {
            term.split(' ').all(|p| excluded.contains(p))
                || term.split(' ').any(|p| surface::is_numeric_term(p) || surface::is_stop_term(p))
        };
        let form = |j: usize| -> Result<String> {
            match surface.get(&names[j]) {
                Some(s) => Ok(s.clone()),
                None => self.surface_of(j),
            }
        };
        let it = self.weights.output(o).enumerate().filter_map(|(j, w)| {
            let name = &names[j];
            (!unwanted(name) && (w as f64) * sign > 0.0).then_some((j as u32, w as f64))
        });
        let mut out = Vec::with_capacity(n);
        // stop words and numbers are checked again on the written form (the feature may be
        // stemmed or folded)
        for (j, w) in super::explain::top_weights(it, sign, n.saturating_mul(2).max(n + 20)).0 {
            let f = form(j as usize)?;
            if out.len() < n && !unwanted(&f) {
                out.push((f, w));
            }
        }
        Ok(out)
    }

    /// Written forms (feature -> most frequent form in `docs`) of each topic's `per_topic`
    /// strongest positive terms, for [`TopicModel::suggest_keywords`] on a model without
    /// stored surface forms.
    pub fn keyword_surface<S: AsRef<str> + Sync>(
        &self,
        docs: &[S],
        per_topic: usize,
        n_jobs: Option<i64>,
    ) -> Result<HashMap<String, String>> {
        let names = self.feature_names()?;
        let mut cand = BTreeSet::new();
        for c in 0..self.classes.len() {
            let (o, sign) = self.output_of(c)?;
            let it = self.weights.output(o).enumerate().filter(|(j, _)| !surface::is_numeric_term(&names[*j]));
            cand.extend(super::explain::top_weights(it.map(|(j, w)| (j as u32, w as f64)), sign, per_topic).0.into_iter().map(|(j, _)| j as usize));
        }
        let terms: Vec<String> = cand.into_iter().map(|j| names[j].clone()).collect();
        let analyzer = Analyzer::new(&self.vectorizer.config().count.analyzer)?;
        let forms = crate::parallel::install(n_jobs, || surface::surface_forms(&analyzer, docs, &terms))?;
        Ok(terms.into_iter().zip(forms).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::Prediction;
    use crate::text::StopWordsSpec;
    use crate::vectorize::{TfidfConfig, TfidfVectorizer};

    fn vectorizer(f: impl FnOnce(&mut crate::text::AnalyzerConfig)) -> TfidfVectorizer {
        let mut cfg = TfidfConfig::default();
        cfg.sublinear_tf = true;
        cfg.count.analyzer.ngram_range = (1, 2);
        cfg.count.analyzer.strip_accents = Some("unicode".into());
        f(&mut cfg.count.analyzer);
        TfidfVectorizer::new(cfg).unwrap()
    }

    fn kw(lists: &[&[&str]]) -> Vec<Vec<String>> {
        lists.iter().map(|l| l.iter().map(|s| s.to_string()).collect()).collect()
    }

    fn labels(docs: &[&str], keywords: &[Vec<String>], v: &TfidfVectorizer, multilabel: bool) -> Vec<Vec<usize>> {
        let a = Analyzer::new(&v.config().count.analyzer).unwrap();
        let classes: Vec<String> = (0..keywords.len()).map(|t| t.to_string()).collect();
        let (m, _) = Matcher::new(&a, keywords, &classes).unwrap();
        let hits: Vec<_> = docs.iter().map(|d| m.find(&a.word_tokens(d, None))).collect();
        let opts = KeywordOptions { multilabel, ..Default::default() };
        keyword_labels(&hits, keywords, &opts).0
    }

    #[test]
    fn keywords_match_after_stemming_and_accent_folding_in_either_language() {
        let v = vectorizer(|a| {
            a.stemmer = Some("auto".into());
            a.stop_words = Some(StopWordsSpec::Named("auto".into()));
            a.language = Some("auto".into());
        });
        let k = kw(&[&["negociación", "peace talks"], &["truce"]]);
        let docs = [
            "Las negociaciones de paz continúan en la capital del país este martes.",
            "The two sides agreed on several truces along the northern border overnight.",
            "Peace talks in Geneva resumed after the talks of peace had stalled.",
            "The weather was fine and nothing happened at all.",
        ];
        assert_eq!(labels(&docs, &k, &v, false), vec![vec![0], vec![1], vec![0], vec![]]);
    }

    #[test]
    fn split_evidence_abstains_for_one_topic_and_gives_both_for_many() {
        let v = vectorizer(|_| {});
        let k = kw(&[&["ceasefire"], &["sanctions", "embargo"]]);
        let docs = ["a ceasefire and sanctions", "a ceasefire, sanctions and an embargo", "the ceasefire held"];
        assert_eq!(labels(&docs, &k, &v, false), vec![vec![], vec![1], vec![0]]);
        assert_eq!(labels(&docs, &k, &v, true), vec![vec![0, 1], vec![1, 0], vec![0]]);
    }

    #[test]
    fn shared_keywords_are_ignored_and_reported() {
        let v = vectorizer(|a| a.stemmer = Some("english".into()));
        let a = Analyzer::new(&v.config().count.analyzer).unwrap();
        let k = kw(&[&["talks", "truce"], &["talk", "sanctions"]]);
        let classes = vec!["a".to_string(), "b".to_string()];
        let (m, shared) = Matcher::new(&a, &k, &classes).unwrap();
        assert_eq!(shared, vec![(0, 0, 1), (1, 0, 0)]);
        assert_eq!(m.find(&a.word_tokens("talks about a truce", None)), vec![(0, 1)]);
    }

    #[test]
    fn bad_keywords_are_value_errors_naming_the_topic() {
        let v = vectorizer(|a| a.stop_words = Some(StopWordsSpec::Named("english".into())));
        let docs = ["the truce held", "new sanctions were imposed"];
        let classes = || vec!["ceasefire".to_string(), "sanctions".to_string()];
        let fit = |k: Vec<Vec<String>>| {
            TopicModel::fit_keywords(&docs, &k, classes(), v.clone(), &LinearParams::default(), &KeywordOptions::default(), None, Some(1))
                .unwrap_err()
                .to_string()
        };
        assert!(fit(kw(&[&[], &["sanctions"]])).contains("\"ceasefire\" has no keywords"));
        assert!(fit(kw(&[&["the"], &["sanctions"]])).contains("keyword \"the\" of topic \"ceasefire\""));
        let e = fit(kw(&[&["armistice"], &["sanctions"]]));
        assert!(e.contains("topic \"ceasefire\" (armistice)"), "{e}");
    }

    fn corpus() -> (Vec<String>, Vec<usize>) {
        let a = ["rebels", "army", "shelling", "rockets", "troops", "artillery"];
        let b = ["talks", "mediators", "agreement", "diplomats", "negotiations", "envoy"];
        let mut docs = Vec::new();
        let mut y = Vec::new();
        for i in 0..60 {
            let (w, t) = if i % 2 == 0 { (&a, 0) } else { (&b, 1) };
            docs.push(format!("{} {} and {} near the town {}", w[i % 6], w[(i / 2 + 1) % 6], w[(i / 3 + 2) % 6], i % 7));
            y.push(t);
        }
        (docs, y)
    }

    #[test]
    fn self_training_labels_texts_without_keywords_and_any_thread_count_agrees() {
        let (docs, y) = corpus();
        let k = kw(&[&["rebels"], &["talks"]]);
        let fit = |nj| {
            let classes = vec!["clash".to_string(), "diplomacy".to_string()];
            TopicModel::fit_keywords(&docs, &k, classes, vectorizer(|_| {}), &LinearParams::default(), &KeywordOptions::default(), None, Some(nj))
                .unwrap()
        };
        let (m, rep) = fit(1);
        let with = |w: &str| docs.iter().filter(|d| d.contains(w)).count();
        assert_eq!(rep.seeds, vec![with("rebels"), with("talks")]);
        assert_eq!(rep.matches, vec![vec![with("rebels")], vec![with("talks")]]);
        assert_eq!(rep.n_seed, with("rebels") + with("talks"));
        assert!(rep.n_labelled > rep.n_seed && rep.n_labelled < docs.len(), "{rep:?}");
        let pred = m.predict(&docs, 0.0, false, Some(1)).unwrap();
        let Prediction::Multiclass(p) = pred else { panic!() };
        let acc = p.iter().zip(&y).filter(|(a, b)| a == b).count() as f64 / y.len() as f64;
        assert!(acc >= 0.9, "{acc}");
        let (m2, rep2) = fit(2);
        assert_eq!(rep, rep2);
        assert_eq!(m.decision_function(&docs, Some(1)).unwrap(), m2.decision_function(&docs, Some(1)).unwrap());
        let (idx, margin) = m.uncertain(&docs, 5, true, Some(1)).unwrap();
        assert_eq!(idx.len(), 5);
        assert!(idx.windows(2).all(|w| margin[w[0]] <= margin[w[1]]));
        assert!((0..docs.len()).all(|i| idx.contains(&i) || margin[i] >= margin[idx[4]]));
    }

    #[test]
    fn labelled_texts_replace_keyword_labels_and_teach_topics_without_keyword_hits() {
        let (docs, _) = corpus();
        let k = kw(&[&["rebels"], &["talks"], &["weather"]]);
        let classes = vec!["clash".to_string(), "diplomacy".to_string(), "other".to_string()];
        let fit = |labelled: Vec<(usize, Vec<usize>)>| {
            let opts = KeywordOptions { labelled, ..Default::default() };
            TopicModel::fit_keywords(&docs, &k, classes.clone(), vectorizer(|_| {}), &LinearParams::default(), &opts, None, Some(1))
        };
        let e = fit(vec![]).unwrap_err().to_string();
        assert!(e.contains("topic \"other\" (weather)"), "{e}");
        let (_, rep) = fit(vec![(0, vec![2]), (1, vec![2])]).unwrap();
        assert_eq!(rep.seeds[2], 2);
        assert!(fit(vec![(docs.len(), vec![0])]).unwrap_err().to_string().contains("labelled text"));
        assert!(fit(vec![(0, vec![0, 1])]).unwrap_err().to_string().contains("labelled text 0"));
    }

    #[test]
    fn margins_of_one_and_many_topics() {
        let (s, g) = margins(&[0.5, 0.2, -1.0, 0.1, 0.9, 0.3], 3, false, &[]);
        assert_eq!(s, vec![vec![0], vec![1]]);
        assert!((g[0] - 0.3).abs() < 1e-12 && (g[1] - 0.6).abs() < 1e-12);
        let (s, g) = margins(&[0.5, 0.2, -1.0, -0.1, -0.9, -0.3], 3, true, &[0.0, 0.0, 0.0]);
        assert_eq!(s, vec![vec![0, 1], vec![0]]);
        assert!((g[0] - 0.2).abs() < 1e-12 && (g[1] - 0.1).abs() < 1e-12);
        let (s, g) = margins(&[-0.25], 1, false, &[]);
        assert_eq!((s, g), (vec![vec![0]], vec![0.5]));
    }
}

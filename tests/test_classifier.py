"""TopicClassifier end to end: accuracy against scikit-learn on real data, the API's shape,
bilingual data, scikit-learn model selection, and bad input."""

from __future__ import annotations

import numpy as np
import pytest

import topictag
from topictag import TopicClassifier


# Comparable settings on both sides: word uni+bigrams, sublinear tf, l2 norm, smooth idf,
# min_df=1, C=1, squared-hinge L2 linear SVM (one-vs-rest).
SK_TFIDF = dict(sublinear_tf=True, ngram_range=(1, 2))


def split(texts, labels, test_size=0.25, seed=0):
    from sklearn.model_selection import train_test_split

    return train_test_split(texts, labels, test_size=test_size, random_state=seed, stratify=labels)


def sklearn_svm(xtr, ytr, xte):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import LinearSVC

    pipe = make_pipeline(TfidfVectorizer(**SK_TFIDF), LinearSVC())
    pipe.fit(xtr, ytr)
    return pipe.predict(xte)


# -- accuracy on real data -----------------------------------------------------------------

def test_reuters_article_defaults_micro_f1(reuters_train, reuters_test):
    # the multi-label defaults (segments, Platt calibration, per-topic thresholds with the
    # SCutFBR floor) on 90 topics, many rare: 0.876 measured, scikit-learn's one-vs-rest
    # LinearSVC 0.858 (benchmarks/results/articles.md)
    (xtr, ytr), (xte, yte) = reuters_train, reuters_test
    f1 = TopicClassifier().fit(xtr, ytr).evaluate(xte, yte).micro["f1"]
    print(f"Reuters R90 micro-F1, article defaults: {f1:.4f}")
    assert f1 >= 0.858


def test_bbc_accuracy_matches_sklearn(bbc_shuffled):
    texts, labels = bbc_shuffled
    xtr, xte, ytr, yte = split(texts, labels)
    clf = TopicClassifier().fit(xtr, ytr)
    ours = float(np.mean(clf.predict(xte) == np.asarray(yte)))
    ref = float(np.mean(sklearn_svm(xtr, ytr, xte) == np.asarray(yte)))
    print(f"BBC accuracy: topictag {ours:.4f}, sklearn {ref:.4f}")
    assert ours >= ref - 0.005
    assert ours > 0.96


def test_cameo_class_accuracy_matches_sklearn(cameo_train, cameo_test):
    (xtr, ytr), (xte, yte) = cameo_train, cameo_test
    clf = TopicClassifier().fit(xtr, ytr)
    ours = float(np.mean(clf.predict(xte) == np.asarray(yte)))
    ref = float(np.mean(sklearn_svm(xtr, ytr, xte) == np.asarray(yte)))
    print(f"cameo_class accuracy: topictag {ours:.4f}, sklearn {ref:.4f}")
    assert ours >= ref - 0.01


def test_reuters_multilabel_micro_f1_matches_sklearn(reuters_train, reuters_test):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics import f1_score
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.preprocessing import MultiLabelBinarizer
    from sklearn.svm import LinearSVC

    (xtr, ytr), (xte, yte) = reuters_train, reuters_test
    # allow_empty=True: OneVsRestClassifier's rule (every topic with a positive decision value,
    # possibly none), for a like-for-like comparison; segments, calibration and per-topic
    # thresholds off (the article defaults measure lower here: see
    # benchmarks/results/articles.md)
    clf = TopicClassifier(allow_empty=True, segments=False, calibration=None,
                          threshold=None).fit(xtr, ytr)
    assert clf.multilabel_
    assert len(clf.classes_) == 90
    rep = clf.evaluate(xte, yte)
    mlb = MultiLabelBinarizer().fit(ytr + yte)
    vec = TfidfVectorizer(**SK_TFIDF)
    sk = OneVsRestClassifier(LinearSVC()).fit(vec.fit_transform(xtr), mlb.transform(ytr))
    ref = f1_score(mlb.transform(yte), sk.predict(vec.transform(xte)), average="micro")
    pred = clf.predict(xte)
    ours = f1_score(mlb.transform(yte), mlb.transform(pred), average="micro")
    print(f"Reuters R90 micro-F1: topictag {ours:.4f}, sklearn {ref:.4f}")
    assert abs(ours - rep.micro["f1"]) < 1e-9
    assert ours >= ref - 0.005
    # the default, allow_empty=False, gives every document its best topic: better on Reuters
    # (0.867 vs 0.836 micro-F1 when measured), since every test document has a topic
    clf.set_params(allow_empty=False)
    default = f1_score(mlb.transform(yte), mlb.transform(clf.predict(xte)), average="micro")
    print(f"Reuters R90 micro-F1 with allow_empty=False: {default:.4f}")
    assert all(clf.predict(xte[:200]))
    assert default >= ours


# -- bilingual -----------------------------------------------------------------------------

# CAMEO PentaClass grouping of CAMEO root codes (as used by the ConfliBERT CAMEO evaluation
# set): 01-02 neutral statement, 03-05 verbal cooperation, 06-08 material cooperation,
# 09-13 verbal conflict, 14-20 material conflict.
def _penta(root: str) -> str:
    r = int(root)
    if r <= 2:
        return "neutral_statement"
    if r <= 5:
        return "verbal_cooperation"
    if r <= 8:
        return "material_cooperation"
    if r <= 13:
        return "verbal_conflict"
    return "material_conflict"


def test_bilingual_model_tags_spanish_and_english(cameo_train, cameo_test, spanish_cameo):
    es_texts, es_roots = spanish_cameo
    es = [(t, {_penta(r) for r in rs}) for t, rs in zip(es_texts, es_roots) if rs]
    es = [(t, s.pop()) for t, s in es if len(s) == 1]
    rng = np.random.default_rng(0)
    order = rng.permutation(len(es))
    half = len(es) // 2
    es_train = [es[i] for i in order[:half]]
    es_test = [es[i] for i in order[half:]]
    xtr = list(cameo_train[0]) + [t for t, _ in es_train]
    ytr = list(cameo_train[1]) + [y for _, y in es_train]
    clf = TopicClassifier().fit(xtr, ytr)
    es_pred = clf.predict([t for t, _ in es_test])
    es_true = np.asarray([y for _, y in es_test])
    es_acc = float(np.mean(es_pred == es_true))
    en_acc = float(np.mean(clf.predict(cameo_test[0]) == np.asarray(cameo_test[1])))
    majority = max(np.mean(es_true == c) for c in set(es_true))
    print(f"bilingual: Spanish held-out accuracy {es_acc:.3f} (majority {majority:.3f}), "
          f"English test accuracy {en_acc:.3f}")
    assert es_acc >= 0.8
    assert es_acc > majority
    # Spanish violence is tagged material conflict, threats verbal conflict.
    pred = clf.predict([
        "Guerrilleros de las FARC atacaron el puesto de policía y asesinaron a dos agentes",
        "Paramilitares amenazaron de muerte a los candidatos a la alcaldía",
    ])
    assert pred[0] == "material_conflict"
    # English accuracy does not suffer from the Spanish data.
    en_only = TopicClassifier().fit(cameo_train[0], cameo_train[1])
    en_only_acc = float(np.mean(en_only.predict(cameo_test[0]) == np.asarray(cameo_test[1])))
    assert en_acc >= en_only_acc - 0.02


# -- API shape -----------------------------------------------------------------------------

TOY_X = [
    "rebels attacked the army base with rockets",
    "troops shelled the rebel positions overnight",
    "airstrike kills civilians in the border town",
    "the ministers agreed on a ceasefire and peace talks",
    "diplomats signed a trade agreement in Geneva",
    "leaders met to discuss cooperation and peace",
    "the army bombed the village and killed fighters",
    "negotiators reached an agreement on prisoner exchange",
]
TOY_Y = ["conflict", "conflict", "conflict", "diplomacy", "diplomacy", "diplomacy", "conflict", "diplomacy"]


def test_multiclass_api():
    clf = TopicClassifier(min_df=1).fit(TOY_X, TOY_Y)
    assert list(clf.classes_) == ["conflict", "diplomacy"]
    assert clf.multilabel_ is False
    assert clf.vocabulary_size_ > 10
    s = clf.training_summary_
    assert s["n_documents"] == 8 and s["fit_time"] >= 0 and "converged" in s
    pred = clf.predict(["rockets hit the base", "peace talks in Geneva"])
    assert isinstance(pred, np.ndarray)
    assert list(pred) == ["conflict", "diplomacy"]
    d = clf.decision_function(["rockets hit the base"])
    assert d.shape == (1,) and d[0] < 0  # positive means classes_[1]
    top = clf.predict_top(["rockets hit the base"], k=2)
    assert [t for t, _ in top[0]] == ["conflict", "diplomacy"]
    assert top[0][0][1] >= top[0][1][1]
    assert clf.score(TOY_X, TOY_Y) == 1.0
    assert "TopicClassifier(" in repr(TopicClassifier(C=2.0)) and "C=2.0" in repr(TopicClassifier(C=2.0))
    html = clf._repr_html_()
    assert "vocabulary size" in html and "diplomacy" in html


def test_logistic_probabilities():
    clf = TopicClassifier(model="logistic").fit(TOY_X, TOY_Y)
    p = clf.predict_proba(["rockets hit the base", "peace talks"])
    assert p.shape == (2, 2)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-9)
    assert p[0, 0] > 0.5 and p[1, 1] > 0.5
    df = clf.predict_proba(["rockets"], as_frame=True)
    assert list(df.columns) == ["conflict", "diplomacy"]
    top = clf.predict_top(["rockets hit the base"], k=1)
    assert top[0][0][0] == "conflict" and 0.5 < top[0][0][1] <= 1.0


def test_svm_probabilities_and_class_weight():
    with pytest.raises(ValueError, match="probability=True"):
        TopicClassifier().fit(TOY_X, TOY_Y).predict_proba(TOY_X)
    clf = TopicClassifier(probability=True).fit(TOY_X * 3, TOY_Y * 3)
    p = clf.predict_proba(TOY_X)
    assert p.shape == (8, 2)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-9)
    assert all(0.0 <= s <= 1.0 for _, s in clf.predict_top(TOY_X[:1], k=2)[0])
    w = TopicClassifier(class_weight={"conflict": 5.0}).fit(TOY_X, TOY_Y)
    b = TopicClassifier(class_weight="balanced").fit(TOY_X, TOY_Y)
    assert w.decision_function(["neutral words"])[0] < b.decision_function(["neutral words"])[0]
    with pytest.raises(ValueError, match=r"class_weight has keys that are not classes of y: \['sports'\]"):
        TopicClassifier(class_weight={"sports": 2.0}).fit(TOY_X, TOY_Y)


def test_multilabel_lists_and_label_sep():
    y = [["conflict"], ["conflict"], ["conflict", "civilians"], ["diplomacy"], ["diplomacy", "trade"],
         ["diplomacy"], ["conflict"], ["diplomacy"]]
    # eight documents are too few for cross-validated calibration and per-topic thresholds:
    # one score, one threshold here (the article options are tested below on real data)
    old = dict(segments=False, calibration=None, threshold=None)
    clf = TopicClassifier(**old).fit(TOY_X, y)
    assert clf.multilabel_
    assert list(clf.classes_) == ["civilians", "conflict", "diplomacy", "trade"]
    pred = clf.predict(TOY_X)
    assert isinstance(pred, list) and all(isinstance(p, list) for p in pred)
    assert "conflict" in pred[0]
    assert clf.decision_function(TOY_X).shape == (8, 4)
    joined = ["|".join(ls) for ls in y]
    clf2 = TopicClassifier(label_sep="|", **old).fit(TOY_X, joined)
    assert clf2.multilabel_ and list(clf2.classes_) == list(clf.classes_)
    assert clf2.predict(TOY_X) == pred
    # allow_empty=False: every document gets a topic
    odd = ["completely unrelated words about cooking pasta"]
    strict = TopicClassifier(allow_empty=False, **{**old, "threshold": 5.0}).fit(TOY_X, y)
    assert len(strict.predict(odd)[0]) == 1
    assert TopicClassifier(allow_empty=True, **{**old, "threshold": 5.0}).fit(TOY_X, y).predict(odd) == [[]]
    assert len(TopicClassifier(**{**old, "threshold": 5.0}).fit(TOY_X, y).predict(odd)[0]) == 1  # the default
    # score is micro-F1 for multi-label
    assert 0.0 <= clf.score(TOY_X, y) <= 1.0
    assert clf.score(TOY_X, y) == pytest.approx(clf.evaluate(TOY_X, y).micro["f1"])


def test_multilabel_defaults_never_predict_empty_on_starter():
    # allow_empty=False by default: with model="logistic" on the starter corpus no probability
    # reaches 0.5 for most paragraphs, and allow_empty=True used to predict [] for all of them
    X, Y = topictag.datasets.load_starter(return_X_y=True)
    assert TopicClassifier().allow_empty is False
    clf = TopicClassifier(model="logistic").fit(X, Y)
    pred = clf.predict(X)
    assert all(len(p) >= 1 for p in pred)
    cv = topictag.cross_validate(TopicClassifier(model="logistic"), X, Y, cv=5, random_state=0)
    print("starter, logistic defaults: macro-F1", cv.mean["test_f1_macro"], "micro-F1", cv.mean["test_f1_micro"])
    assert cv.mean["test_f1_macro"] > 0.6 and cv.mean["test_f1_micro"] > 0.6
    cv = topictag.cross_validate(TopicClassifier(), X, Y, cv=5, random_state=0)
    assert cv.mean["test_f1_macro"] > 0.65


def test_language_shorthand():
    X, Y = topictag.datasets.load_starter(return_X_y=True)
    kw = dict(stemmer="auto", stop_words="auto")

    def terms(clf):
        return {t for _, _, _, t, _ in clf.top_terms(n=200, as_frame=False)}

    en = TopicClassifier(language="en", **kw).fit(X, Y)
    english = TopicClassifier(language="English", **kw).fit(X, Y)
    ref_en = TopicClassifier(languages=("english",), **kw).fit(X, Y)
    es = TopicClassifier(language="es", **kw).fit(X, Y)
    ref_es = TopicClassifier(languages=("spanish",), **kw).fit(X, Y)
    np.testing.assert_array_equal(en.decision_function(X), ref_en.decision_function(X))
    np.testing.assert_array_equal(english.decision_function(X), ref_en.decision_function(X))
    np.testing.assert_array_equal(es.decision_function(X), ref_es.decision_function(X))
    assert en.vocabulary_size_ != es.vocabulary_size_
    # Spanish stop words are dropped with language="es" only, English ones with "en" only
    assert not any(t.split()[0] in ("para", "los") for t in terms(es))
    assert not any(t.split()[0] in ("the", "with") for t in terms(en))
    assert any(t.split()[0] in ("para", "los") for t in terms(en))
    assert any(t.split()[0] in ("the", "with") for t in terms(es))
    # the shorthand survives a save/load round trip (the parameter is kept as given)
    again = topictag.TopicClassifier._from_bytes(es.to_bytes())
    assert again.language == "es"
    np.testing.assert_array_equal(again.decision_function(X[:5]), es.decision_function(X[:5]))
    # None and "auto" keep their meaning
    TopicClassifier(language="auto", **kw).fit(X, Y)
    with pytest.raises(ValueError, match="language='klingon' is not supported"):
        TopicClassifier(language="klingon").fit(X, Y)
    with pytest.raises(TypeError, match="language must be"):
        TopicClassifier(language=["en"]).fit(X, Y)


def test_integer_labels_and_pandas_input():
    pd = pytest.importorskip("pandas")
    y = [0 if t == "conflict" else 1 for t in TOY_Y]
    clf = TopicClassifier().fit(pd.Series(TOY_X), pd.Series(y))
    assert clf.classes_.dtype.kind == "i"
    assert list(clf.predict(TOY_X[:2])) == [0, 0]


def test_arrow_polars_inputs_match_list():
    pa = pytest.importorskip("pyarrow")
    clf = TopicClassifier().fit(pa.array(TOY_X), TOY_Y)
    ref = clf.decision_function(TOY_X)
    np.testing.assert_array_equal(clf.decision_function(pa.array(TOY_X)), ref)
    pl = pytest.importorskip("polars")
    np.testing.assert_array_equal(clf.decision_function(pl.Series(TOY_X)), ref)
    res = topictag.cross_validate(TopicClassifier(), pa.array(TOY_X * 2), TOY_Y * 2, cv=2)
    assert res["test_accuracy"].shape == (2,)


def test_sklearn_grid_search_on_raw_text(bbc_shuffled):
    from sklearn.base import clone
    from sklearn.model_selection import GridSearchCV, cross_val_score

    texts, labels = bbc_shuffled
    texts, labels = texts[:600], labels[:600]
    c = clone(TopicClassifier(C=0.5, ngram_range=(1, 1)))
    assert c.get_params()["C"] == 0.5
    scores = cross_val_score(TopicClassifier(ngram_range=(1, 1)), texts, labels, cv=3)
    assert scores.shape == (3,) and scores.mean() > 0.85
    gs = GridSearchCV(TopicClassifier(ngram_range=(1, 1)), {"C": [0.1, 1.0]}, cv=3).fit(texts, labels)
    assert gs.best_params_["C"] in (0.1, 1.0)
    assert gs.best_score_ > 0.85


def test_results_do_not_depend_on_n_jobs(bbc_shuffled):
    texts, labels = bbc_shuffled
    a = TopicClassifier(n_jobs=1).fit(texts[:500], labels[:500])
    b = TopicClassifier(n_jobs=2).fit(texts[:500], labels[:500])
    np.testing.assert_array_equal(a.decision_function(texts[500:700]), b.decision_function(texts[500:700]))


# -- bad input -----------------------------------------------------------------------------

def test_bad_input_messages():
    with pytest.raises(ValueError, match="8 documents but 7 labels"):
        TopicClassifier().fit(TOY_X, TOY_Y[:7])
    with pytest.raises(ValueError, match="at least two different topics"):
        TopicClassifier().fit(TOY_X, ["conflict"] * 8)
    with pytest.raises(ValueError, match="at least one document"):
        TopicClassifier().fit([], [])
    with pytest.raises(ValueError, match="labels\\[2\\] is missing"):
        TopicClassifier().fit(TOY_X, TOY_Y[:2] + [None] + TOY_Y[3:])
    with pytest.raises(TypeError, match="documents\\[1\\]"):
        TopicClassifier().fit([TOY_X[0], None] + TOY_X[2:], TOY_Y)
    with pytest.raises(ValueError, match="model must be"):
        TopicClassifier(model="forest").fit(TOY_X, TOY_Y)
    with pytest.raises(ValueError, match="C must be"):
        TopicClassifier(C=-1).fit(TOY_X, TOY_Y)
    with pytest.raises(ValueError, match="single str"):
        TopicClassifier().fit(TOY_X, "conflict")
    clf = TopicClassifier().fit(TOY_X, TOY_Y)
    with pytest.raises(ValueError, match="unknown topic 'sports'"):
        clf.explain(TOY_X[0], topic="sports")
    with pytest.raises(ValueError, match="unknown topic 'sports'"):
        clf.top_terms("sports")
    with pytest.raises(ValueError, match="Wrap a single document"):
        clf.predict("one string")
    with pytest.raises(ValueError, match="k must be"):
        clf.predict_top(TOY_X, k=0)
    with pytest.raises(topictag.NotFittedError):
        TopicClassifier().predict(TOY_X)
    rep = clf.evaluate(TOY_X, TOY_Y[:7] + ["sports"])  # unseen topics are reported, recall 0
    assert rep.classes[-1] == "sports" and rep.recall[-1] == 0.0 and rep.support[-1] == 1
    assert clf.predict([]).shape == (0,)


# -- articles: segments, calibration, tuned thresholds (issue 18) ---------------------------

def _article_training_data():
    """Everything shipped except the held-out articles: starter paragraphs, training articles
    and their paragraphs."""
    from topictag.datasets import load_articles, load_starter

    s = load_starter()
    a = load_articles(split="train")
    p = load_articles(split="train", level="paragraph")
    return s.data + a.data + p.data, s.target + a.target + p.target


@pytest.fixture(scope="module")
def article_model():
    X, Y = _article_training_data()
    return TopicClassifier().fit(X, Y)


def _example_f1(pred, true):
    out = []
    for p, t in zip(pred, true):
        p, t = set(p), set(t)
        out.append(2 * len(p & t) / (len(p) + len(t)) if (p or t) else 1.0)
    return float(np.mean(out))


def test_article_state_defaults(article_model):
    from topictag.datasets import load_articles

    m = article_model
    info = m.article_info_
    assert info["calibration"] == "platt"
    assert info["rule"] in {name for name, _ in info["rule_scores"]}
    assert len(info["thresholds"]) == len(m.classes_)
    X = load_articles("en", "heldout").data[:4]
    p = m.predict_proba(X)
    assert p.shape == (4, len(m.classes_)) and ((p >= 0) & (p <= 1)).all()
    pred = m.predict(X)
    thr = dict(zip(m.classes_, info["thresholds"]))
    col = {c: j for j, c in enumerate(m.classes_)}
    for i, topics in enumerate(pred):
        assert topics, "at least one topic"
        over = {c for c in m.classes_ if p[i, col[c]] >= thr[c]}
        assert set(topics) == over or (not over and len(topics) == 1)
    top = m.predict_top(X, k=3)
    for i, row in enumerate(top):
        assert [s for _, s in row] == sorted((s for _, s in row), reverse=True)
        for t, s in row:
            assert s == pytest.approx(p[i, col[t]])
    # predict and evaluate agree
    y = load_articles("en", "heldout").target[:4]
    assert m.score(X, y) == pytest.approx(m.evaluate(X, y).micro["f1"])


def test_old_behaviour_reachable():
    X, Y = topictag.datasets.load_starter(return_X_y=True)
    old = TopicClassifier(segments=False, calibration=None, threshold=None).fit(X, Y)
    assert old.article_info_ is None
    d = old.decision_function(X[:5])
    pred = old.predict(X[:5])
    cl = list(old.classes_)
    for i, ts in enumerate(pred):
        over = [cl[j] for j in range(len(cl)) if d[i, j] >= 0.0]
        assert set(ts) == set(over) or (not over and len(ts) == 1)
    with pytest.raises(ValueError, match="probability"):
        old.predict_proba(X[:2])
    # calibration off but segments on: decision values, thresholds tuned on them
    raw = TopicClassifier(calibration=None).fit(X, Y)
    assert raw.article_info_["calibration"] is None
    # probability=True still works without calibration
    pl = TopicClassifier(segments=False, calibration=None, threshold=None, probability=True).fit(X, Y)
    assert pl.predict_proba(X[:2]).shape == (2, 7)
    # a fixed threshold on calibrated probabilities
    fixed = TopicClassifier(threshold=0.5).fit(X, Y)
    assert fixed.article_info_["thresholds"] == [0.5] * 7


def test_single_label_fits_unchanged():
    m = TopicClassifier().fit(TOY_X, TOY_Y)
    assert m.article_info_ is None and not m.multilabel_


def test_article_params_value_rules_are_the_cores():
    X, Y = topictag.datasets.load_starter(return_X_y=True)
    with pytest.raises(ValueError):
        TopicClassifier(calibration="beta").fit(X, Y)
    with pytest.raises(ValueError, match="threshold"):
        TopicClassifier(threshold="best").fit(X, Y)
    with pytest.raises(TypeError, match="segments"):
        TopicClassifier(segments="yes").fit(X, Y)
    iso = TopicClassifier(calibration="isotonic").fit(X, Y)
    assert iso.article_info_["calibration"] == "isotonic"


def test_tune_thresholds(article_model):
    import copy

    from topictag.datasets import load_articles

    m = copy.deepcopy(article_model)
    h = load_articles(split="heldout")
    before = list(m.article_info_["thresholds"])
    assert m.tune_thresholds(h.data, h.target) is m
    after = m.article_info_["thresholds"]
    assert len(after) == len(before) and after != before
    # tuned on these documents, micro-F1 on them does not get worse than... the tuned one is
    # at least as good per topic as the training thresholds (each topic's F1 is maximised)
    f_after = m.evaluate(h.data, h.target).f1
    f_before = article_model.evaluate(h.data, h.target).f1
    assert all(a >= b - 1e-9 for a, b in zip(f_after, f_before))
    with pytest.raises(ValueError, match="unknown topics"):
        m.tune_thresholds(h.data[:2], [["ceasefire"], ["cooking"]])
    old = TopicClassifier(segments=False, calibration=None, threshold=None).fit(TOY_X * 2, [["a"], ["b"]] * 8)
    with pytest.raises(ValueError, match="article-level state"):
        old.tune_thresholds(TOY_X, [["a"]] * 8)


def test_article_model_round_trips(article_model, tmp_path):
    import pickle

    from topictag.datasets import load_articles

    X = load_articles("es", "heldout").data
    m = article_model
    for other in (pickle.loads(pickle.dumps(m)), topictag.load(_saved(m, tmp_path))):
        assert other.article_info_ == m.article_info_
        assert other.predict(X) == m.predict(X)
        np.testing.assert_array_equal(other.predict_proba(X), m.predict_proba(X))
        assert other.explain(X[0]).to_dict() == m.explain(X[0]).to_dict()


def _saved(m, tmp_path):
    p = tmp_path / "articles.ttm"
    m.save(p)
    return p


def test_explain_article_evidence(article_model):
    from topictag.datasets import load_articles

    m = article_model
    a = load_articles("en", "heldout")
    text = a.data[0]
    ev = m.explain(text)
    pred = m.predict([text])[0]
    proba = dict(zip(m.classes_, m.predict_proba([text])[0]))
    assert [t.topic for t in ev.topics] == pred
    for t in ev.topics:
        assert t.score == pytest.approx(proba[t.topic])
        assert 1 <= len(t.segments) <= 3
        for s in t.segments:
            assert 0 <= s.start < s.end <= len(text) and 0.0 <= s.support <= 1.0
            for w in s.terms:
                assert w.contribution > 0
                assert w.as_written(text) == " ".join(text[w.spans[0][0]:w.spans[0][1]].split())
                for x, y in w.spans:
                    # surface forms: the term as written in the text
                    assert text[x:y].lower() == w.term.lower() or w.term.lower() in text[x:y].lower() \
                        or text[x:y].lower() in w.term.lower()
    d = ev.to_dict()
    import json

    json.dumps(d)
    assert "probability" in d["topics"][0]
    html_ = ev._repr_html_()
    assert "topictag-legend" in html_ and "probability" in html_
    for t in ev.topics:
        assert str(t.topic) in html_
    assert str(ev).startswith(f"{ev.topics[0].topic}: probability")
    # with a topic: the old per-topic explanation of the whole text
    one = m.explain(text, topic=pred[0])
    assert one.topic == pred[0] and one.contributions


def test_top_terms_readable(article_model):
    rows = article_model.top_terms(n=30, as_frame=False)
    terms = [r[3] for r in rows]
    assert not any(any(ch.isdigit() for ch in t) and t.replace(" ", "").replace(",", "").replace(".", "").isdigit()
                   for t in terms)
    assert not any(t.lower() in ("the", "de", "la", "of", "and", "y") for t in terms)
    kept = article_model.top_terms(n=300, as_frame=False, keep_stop_words=True, keep_numbers=True)
    assert len(kept) >= len(article_model.top_terms(n=300, as_frame=False))
    with pytest.raises(TypeError, match="keep_numbers"):
        article_model.top_terms(keep_numbers="no")


# -- the targets of issue 18, on the held-out articles (never used in fit) -----------------

ARTICLE_F1_TARGET = 0.85
PARAGRAPH_TOP1_TARGET = 0.90


@pytest.mark.parametrize("language", ["en", "es"])
def test_heldout_article_example_f1(article_model, language):
    from topictag.datasets import load_articles

    h = load_articles(language, "heldout")
    f1 = _example_f1(article_model.predict(h.data), h.target)
    print(f"held-out articles ({language}): example-based F1 {f1:.3f}")
    assert f1 >= ARTICLE_F1_TARGET


@pytest.mark.parametrize("language", ["en", "es"])
def test_heldout_paragraph_top1(article_model, language):
    from topictag.datasets import load_articles

    h = load_articles(language, "heldout", level="paragraph")
    top = article_model.predict_top(h.data, 1)
    hit = float(np.mean([t[0][0] in ts for t, ts in zip(top, h.target)]))
    print(f"held-out paragraphs ({language}): top topic true for {hit:.3f}")
    assert hit >= PARAGRAPH_TOP1_TARGET

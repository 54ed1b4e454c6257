"""evaluate() and cross_validate() against scikit-learn's metrics."""

from __future__ import annotations

import numpy as np
import pytest

import topictag
from topictag import EvaluationReport, TopicClassifier


def test_evaluate_matches_sklearn_multiclass(bbc_shuffled):
    from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

    texts, labels = bbc_shuffled
    clf = TopicClassifier().fit(texts[:1200], labels[:1200])
    xte, yte = texts[1200:], labels[1200:]
    rep = clf.evaluate(xte, yte)
    assert isinstance(rep, EvaluationReport)
    pred = clf.predict(xte)
    p, r, f, s = precision_recall_fscore_support(yte, pred, labels=list(clf.classes_), zero_division=0)
    np.testing.assert_allclose(rep.precision, p)
    np.testing.assert_allclose(rep.recall, r)
    np.testing.assert_allclose(rep.f1, f)
    np.testing.assert_array_equal(rep.support, s)
    assert rep.accuracy == pytest.approx(accuracy_score(yte, pred))
    for avg in ("macro", "weighted", "micro"):
        ref = precision_recall_fscore_support(yte, pred, average=avg, zero_division=0)
        got = getattr(rep, avg)
        assert got["precision"] == pytest.approx(ref[0])
        assert got["f1"] == pytest.approx(ref[2])
    np.testing.assert_array_equal(rep.confusion_matrix, confusion_matrix(yte, pred, labels=list(clf.classes_)))
    text = str(rep)
    assert "precision" in text and "accuracy" in text and "macro avg" in text and "sport" in text
    df = rep.to_frame()
    assert list(df.columns) == ["precision", "recall", "f1-score", "support"]
    assert "weighted avg" in df.index
    d = rep.to_dict()
    assert d["sport"]["support"] == int(s[list(clf.classes_).index("sport")])
    assert d["accuracy"] == rep.accuracy and "confusion_matrix" in d
    assert rep.confusion_frame().shape == (5, 5)


def test_evaluate_matches_sklearn_multilabel():
    from sklearn.metrics import f1_score, hamming_loss, accuracy_score
    from sklearn.preprocessing import MultiLabelBinarizer

    x = ["war and bombs", "peace talks", "trade deal and peace", "bombs fall on town",
         "trade tariffs rise", "peace and trade", "war crimes", "tariff war"] * 4
    y = [["war"], ["peace"], ["trade", "peace"], ["war"], ["trade"], ["peace", "trade"], ["war"],
         ["trade", "war"]] * 4
    clf = TopicClassifier().fit(x[:24], y[:24])
    rep = clf.evaluate(x[24:], y[24:])
    pred = clf.predict(x[24:])
    mlb = MultiLabelBinarizer(classes=list(clf.classes_)).fit(y)
    T, P = mlb.transform(y[24:]), mlb.transform(pred)
    assert rep.multilabel
    assert rep.micro["f1"] == pytest.approx(f1_score(T, P, average="micro", zero_division=0))
    assert rep.macro["f1"] == pytest.approx(f1_score(T, P, average="macro", zero_division=0))
    assert rep.samples["f1"] == pytest.approx(f1_score(T, P, average="samples", zero_division=0))
    assert rep.hamming_loss == pytest.approx(hamming_loss(T, P))
    assert rep.subset_accuracy == pytest.approx(accuracy_score(T, P))
    assert rep.confusion_matrix is None
    assert "hamming loss" in str(rep)


def test_cross_validate_multiclass(bbc_shuffled):
    texts, labels = bbc_shuffled
    res = topictag.cross_validate(TopicClassifier(ngram_range=(1, 1)), texts[:800], labels[:800], cv=4)
    for k in ("fit_time", "score_time", "test_accuracy", "test_f1_micro", "test_f1_macro"):
        assert res[k].shape == (4,)
    assert res.mean["test_accuracy"] > 0.9
    assert len(res.reports) == 4
    assert sum(r.n_samples for r in res.reports) == 800
    # stratified: each fold has each topic in proportion
    for r in res.reports:
        assert r.support.min() >= 25
    again = topictag.cross_validate(TopicClassifier(ngram_range=(1, 1)), texts[:800], labels[:800], cv=4)
    np.testing.assert_array_equal(res["test_accuracy"], again["test_accuracy"])
    df = res.to_frame()
    assert "mean" in df.index


def test_cross_validate_multilabel(reuters_train):
    x, y = reuters_train
    x, y = x[:1500], y[:1500]
    res = topictag.cross_validate(TopicClassifier(ngram_range=(1, 1)), x, y, cv=3, random_state=1)
    assert "test_hamming_loss" in res
    assert res.mean["test_f1_micro"] > 0.7
    with pytest.raises(ValueError, match="cv"):
        topictag.cross_validate(TopicClassifier(), x[:5], y[:5], cv=1)

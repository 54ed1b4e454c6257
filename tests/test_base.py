"""The estimator contract in ``topictag._base``: the parameter constraints tables and the
shared function that checks them, and ``ClassifierMixin.score``. Value rules that the Rust
core owns are checked here to surface as a ValueError naming the parameter."""

from __future__ import annotations

import inspect
from numbers import Integral, Real

import numpy as np
import pytest
import scipy.sparse as sp

import topictag as tt
from topictag._base import (BOOLEAN, CALLABLE, ITERABLE, UNCHECKED, Condition, Interval,
                            Options, Unsupported, check_value)

ESTIMATORS = [tt.CountVectorizer, tt.TfidfVectorizer, tt.HashingVectorizer, tt.LinearSVC,
              tt.LogisticRegression, tt.TopicClassifier]

TOY_X = ["the army shelled the town", "talks on a truce began", "rebels attacked a convoy",
         "envoys met to discuss peace"] * 3
TOY_Y = ["clash", "talks", "clash", "talks"] * 3


@pytest.fixture(scope="module")
def features():
    X = sp.random(24, 6, density=0.6, format="csr", random_state=0)
    return X, np.arange(24) % 3


# ----------------------------------------------------------------------------- the tables


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_one_constraint_per_constructor_parameter(cls):
    params = [p for p in inspect.signature(cls.__init__).parameters if p != "self"]
    assert sorted(cls._parameter_constraints) == sorted(params)


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_defaults_satisfy_the_constraints(cls):
    cls()._validate_params()


# --------------------------------------------------------------------- the check function


def test_type_mismatch_is_a_type_error_naming_the_parameter():
    with pytest.raises(TypeError, match=r"^C must be a number, got str \('1'\)$"):
        check_value("C", "1", [Real])
    with pytest.raises(TypeError, match="max_iter must be an int >= 1, got float"):
        check_value("max_iter", 2.0, [Interval(Integral, 1)])
    with pytest.raises(TypeError, match="must be True or False"):
        check_value("fit_intercept", 1, [BOOLEAN])
    with pytest.raises(TypeError, match="a number"):
        check_value("C", True, [Real])  # bool is not a number here
    with pytest.raises(TypeError, match=r"class_weight must be a dict, 'balanced' or None, got list"):
        check_value("class_weight", [1.0], [dict, "balanced", None])


def test_wrong_value_of_a_right_type_is_a_value_error():
    with pytest.raises(ValueError, match=r"class_weight must be a dict, 'balanced' or None, got 'heavy'"):
        check_value("class_weight", "heavy", [dict, "balanced", None])
    with pytest.raises(ValueError, match=r"tol must be a number > 0, got 0"):
        check_value("tol", 0, [Interval(Real, 0, None, closed="neither")])
    with pytest.raises(ValueError, match=r"in \[0, 1\]"):
        check_value("p", 1.5, [Interval(Real, 0, 1)])
    with pytest.raises(ValueError, match="finite"):
        check_value("threshold", float("nan"), [Interval(Real), None])
    with pytest.raises(ValueError, match="loss must be 'a' or 'b', got 'c'; a hint"):
        check_value("loss", "c", [Options("a", "b", hint="a hint")])
    with pytest.raises(ValueError, match="label_sep must be a non-empty str or None"):
        check_value("label_sep", "", [Condition(str, bool, "a non-empty str"), None])
    with pytest.raises(ValueError, match="preprocessor must be None, got .*; no callables"):
        check_value("preprocessor", len, [None, Unsupported(CALLABLE, "no callables")])


def test_accepted_values():
    check_value("C", np.float32(0.5), [Real])
    check_value("max_iter", np.int64(5), [Interval(Integral, 1)])
    check_value("flag", np.bool_(True), [BOOLEAN])
    check_value("words", {"a", "b"}, [str, ITERABLE, None])
    check_value("dtype", object(), [UNCHECKED])
    check_value("tol", 1e-9, [Interval(Real, 0, None, closed="neither")])
    check_value("x", 1, [Interval(Real, 0, 1)])


# -------------------------------------------------------- rules that live in one place only


@pytest.mark.parametrize("cls", [tt.LinearSVC, tt.LogisticRegression])
def test_linear_rules(cls, features):
    X, y = features
    # value rules of the Rust core, surfacing as ValueError naming the parameter
    for C in (0, -1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="C must be (> 0|finite)"):
            cls(C=C).fit(X, y)
    with pytest.raises(ValueError, match="n_jobs == 0"):
        cls(n_jobs=0).fit(X, y)
    with pytest.raises(ValueError, match=r"class_weight .* must be > 0"):
        cls(class_weight={0: -1.0}).fit(X, y)
    # rules of the core too, the same for every estimator that takes the parameter
    for tol in (0, -1e-3):
        with pytest.raises(ValueError, match="tol must be > 0"):
            cls(tol=tol).fit(X, y)
    with pytest.raises(ValueError, match="max_iter must be >= 1, got 0"):
        cls(max_iter=0).fit(X, y)
    with pytest.raises(ValueError, match="max_iter must be an int >= 0"):
        cls(max_iter=-3).fit(X, y)
    with pytest.raises(ValueError, match="intercept_scaling must be > 0"):
        cls(intercept_scaling=0.0, fit_intercept=True).fit(X, y)
    with pytest.raises(TypeError, match=r"class_weight\[0\] must be a number"):
        cls(class_weight={0: "2"}).fit(X, y)
    with pytest.raises(TypeError, match="fit_intercept must be True or False"):
        cls(fit_intercept="yes").fit(X, y)
    with pytest.raises(ValueError, match=r"random_state must be None, an int in \[0, 2\*\*64\)"):
        cls(random_state=-1).fit(X, y)


def test_topic_classifier_rules():
    with pytest.raises(ValueError, match="C must be (> 0|finite)"):
        tt.TopicClassifier(C=0).fit(TOY_X, TOY_Y)
    with pytest.raises(ValueError, match="model must be 'svm' or 'logistic'"):
        tt.TopicClassifier(model="forest").fit(TOY_X, TOY_Y)
    with pytest.raises(TypeError, match="model must be a str"):
        tt.TopicClassifier(model=1).fit(TOY_X, TOY_Y)
    with pytest.raises(ValueError, match="n_jobs == 0"):
        tt.TopicClassifier(n_jobs=0).fit(TOY_X, TOY_Y)
    with pytest.raises(ValueError, match=r"class_weight .* must be > 0"):
        tt.TopicClassifier(class_weight={"clash": -2.0}).fit(TOY_X, TOY_Y)
    with pytest.raises(ValueError, match="ngram_range"):
        tt.TopicClassifier(ngram_range=(2, 1)).fit(TOY_X, TOY_Y)
    with pytest.raises(ValueError, match="norm"):
        tt.TopicClassifier(norm="l3").fit(TOY_X, TOY_Y)
    # the same core rules as the linear classifiers
    with pytest.raises(ValueError, match="tol must be > 0"):
        tt.TopicClassifier(tol=0).fit(TOY_X, TOY_Y)
    with pytest.raises(ValueError, match="max_iter must be >= 1"):
        tt.TopicClassifier(max_iter=0).fit(TOY_X, TOY_Y)
    with pytest.raises(TypeError, match="C must be a number"):
        tt.TopicClassifier(C="1").fit(TOY_X, TOY_Y)
    with pytest.raises(ValueError, match="label_sep must be a non-empty str"):
        tt.TopicClassifier(label_sep="").fit(TOY_X, TOY_Y)
    with pytest.raises(ValueError, match=r"threshold is a probability .* \[0, 1\]"):
        tt.TopicClassifier(model="logistic", threshold=2.0).fit(TOY_X, TOY_Y)
    with pytest.raises(TypeError, match=r"prune must be a number or None"):
        tt.TopicClassifier().fit(TOY_X, TOY_Y).to_bytes(prune="0.1")
    with pytest.raises(ValueError, match="prune must be a non-negative number"):
        tt.TopicClassifier().fit(TOY_X, TOY_Y).to_bytes(prune=-1.0)


def test_class_weight_messages_are_the_same_everywhere(features):
    X, _ = features
    y = np.array(TOY_Y * 2)
    for fit in (lambda cw: tt.LinearSVC(class_weight=cw).fit(X, y),
                lambda cw: tt.TopicClassifier(class_weight=cw).fit(TOY_X, TOY_Y)):
        with pytest.raises(ValueError, match=r"class_weight has keys that are not classes of y: \['war'\]"):
            fit({"war": 1.0})
        with pytest.raises(ValueError, match=r"class_weight must be a dict, 'balanced' or None, got 'heavy'"):
            fit("heavy")
        with pytest.raises(TypeError, match=r"class_weight must be a dict, 'balanced' or None, got list"):
            fit([1.0, 2.0])


def test_vectorizer_rules():
    docs = ["peace talks", "war and peace"]
    with pytest.raises(ValueError, match="preprocessor must be None.*callables are not supported"):
        tt.CountVectorizer(preprocessor=str.lower).fit(docs)
    with pytest.raises(ValueError, match="tokenizer: a callable is not supported"):  # Rust's rule
        tt.CountVectorizer(tokenizer=str.split).fit(docs)
    with pytest.raises(ValueError, match="analyzer: a callable is not supported"):
        tt.HashingVectorizer(analyzer=str.split).transform(docs)
    with pytest.raises(ValueError, match="input must be 'content'.*read files into str"):
        tt.HashingVectorizer(input="file").transform(docs)
    with pytest.raises(TypeError, match="stop_words must be a str, a list of str or None"):
        tt.TfidfVectorizer(stop_words=3).fit(docs)
    with pytest.raises(TypeError, match="n_features must be an int"):
        tt.HashingVectorizer(n_features=2.5).transform(docs)
    with pytest.raises(ValueError, match="n_features"):
        tt.HashingVectorizer(n_features=0).transform(docs)


# -------------------------------------------------------------------------------- score


def test_classifier_mixin_score_is_weighted_accuracy(features):
    X, y = features
    clf = tt.LinearSVC().fit(X, y)
    pred = clf.predict(X)
    hits = (pred == y).astype(float)
    assert clf.score(X, y) == pytest.approx(hits.mean())
    w = np.linspace(0.5, 2.0, len(y))
    assert clf.score(X, y, sample_weight=w) == pytest.approx((hits * w).sum() / w.sum())

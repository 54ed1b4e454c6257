"""``topictag._targets``: labels to class indices, for the linear classifiers (scikit-learn's
kinds of y) and the TopicClassifier (topics, topic lists, delimiter-joined topics), and the
one parser of ``class_weight``."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from topictag._targets import (class_weight_arg, encode_target, is_label_collection,
                               parse_topic_labels, sorted_topics, topic_indices)


def test_encode_target_kinds():
    kind, classes, idx = encode_target(["b", "a", "b"])
    assert kind == "multiclass" and list(classes) == ["a", "b"] and idx.tolist() == [1, 0, 1]
    kind, classes, (indptr, indices) = encode_target([["x", "y"], [], ["y"]])
    assert kind == "lists" and list(classes) == ["x", "y"]
    assert indptr.tolist() == [0, 2, 2, 3] and indices.tolist() == [0, 1, 1]
    kind, classes, (indptr, indices) = encode_target(np.array([[1, 0], [1, 1]]))
    assert kind == "indicator" and indices.tolist() == [0, 0, 1]
    kind, _, _ = encode_target(sp.csr_matrix(np.array([[0, 1], [1, 0]])))
    assert kind == "sparse_indicator"
    with pytest.raises(ValueError, match="continuous"):
        encode_target([0.5, 1.0])
    with pytest.raises(ValueError, match="missing"):
        encode_target(np.array(["a", None], dtype=object))


def test_parse_topic_labels():
    assert parse_topic_labels(["a", "b"], 2, None) == ([["a"], ["b"]], False)
    sets, multi = parse_topic_labels(["a|b", "b", "b | a|b"], 3, "|")
    assert multi and sets == [["a", "b"], ["b"], ["b", "a"]]
    sets, multi = parse_topic_labels([["a", "a"], "b", None], 3, None)
    assert multi and sets == [["a"], ["b"], []]
    with pytest.raises(ValueError, match="2 documents but 1 labels"):
        parse_topic_labels(["a"], 2, None)
    with pytest.raises(ValueError, match=r"labels\[1\] is missing"):
        parse_topic_labels(["a", None], 2, None)
    with pytest.raises(TypeError, match=r"labels\[0\] is of type dict"):
        parse_topic_labels([{}], 1, None)


def test_topic_indices_and_sorting():
    assert sorted_topics([[3, 1], [2]]) == [1, 2, 3]
    assert topic_indices([["a"], ["b"]], ["a", "b"], False) == [0, 1]
    assert topic_indices([["a", "c"]], ["a", "b"], True, strict=False) == [[0]]
    with pytest.raises(ValueError, match="not trained on"):
        topic_indices([["c"]], ["a", "b"], False)
    assert is_label_collection(("a",)) and not is_label_collection("a")


def test_class_weight_arg():
    classes = np.array(["a", "b", "c"])
    assert class_weight_arg(None, classes) is None
    assert class_weight_arg("balanced", classes) == "balanced"
    assert class_weight_arg({"b": 2, np.str_("c"): 0.5}, classes) == [1.0, 2.0, 0.5]
    assert class_weight_arg({1: 3.0}, [0, 1]) == [1.0, 3.0]
    with pytest.raises(ValueError, match=r"not classes of y: \['z'\]"):
        class_weight_arg({"z": 1.0}, classes)
    with pytest.raises(ValueError, match="class_weight must be a dict, 'balanced' or None"):
        class_weight_arg("auto", classes)
    with pytest.raises(TypeError, match=r"class_weight\['a'\] must be a number"):
        class_weight_arg({"a": None}, classes)


# ------------------------------------------------------------------- mixed label types

MIXED = [["a", 2, "a", 2], ["1", 1, "1", 1], [2, "a", 2, "a"],
         np.array(["a", 2, "a", 2], dtype=object)]
TEXTS4 = ["war and bombs", "peace talks", "bombs fall again", "a peace deal"]


def _sklearn_refusal(y):
    """The exception scikit-learn's ``unique_labels`` raises for ``y`` (the oracle)."""
    from sklearn.utils.multiclass import unique_labels

    with pytest.raises((TypeError, ValueError)) as info:
        unique_labels(y)
    return info.type


@pytest.mark.parametrize("y", MIXED, ids=["a-2", "1-1", "2-a", "object-array"])
def test_mixed_label_types_are_refused_as_sklearn_does(y):
    """Every fit and partial_fit refuses labels mixing str and numbers with a TypeError that
    is also the exception scikit-learn's unique_labels raises for the same y (ValueError for
    a list, TypeError for an object array), so code written for either catches it."""
    import topictag as tt
    from topictag._targets import MixedLabelTypesError

    sk_exc = _sklearn_refusal(y)
    X = tt.TfidfVectorizer().fit_transform(TEXTS4)
    calls = {
        "LinearSVC.fit": lambda: tt.LinearSVC().fit(X, y),
        "LogisticRegression.fit": lambda: tt.LogisticRegression().fit(X, y),
        "LinearSVC.partial_fit": lambda: tt.LinearSVC().partial_fit(
            X, y, classes=["1", "2", "a"]),
        "LogisticRegression.partial_fit(classes)": lambda: tt.LogisticRegression().partial_fit(
            X, y, classes=list(y)),
        "TopicClassifier.fit": lambda: tt.TopicClassifier().fit(TEXTS4, y),
        "TopicClassifier.fit (lists)": lambda: tt.TopicClassifier().fit(
            TEXTS4, [[v] for v in y]),
        "cross_validate": lambda: tt.cross_validate(tt.TopicClassifier(), TEXTS4, y, cv=2),
    }
    for name, call in calls.items():
        with pytest.raises(MixedLabelTypesError, match="Mix of label input types") as info:
            call()
        assert isinstance(info.value, TypeError) and isinstance(info.value, sk_exc), name


def test_label_lists_mixing_types_are_refused():
    from topictag._targets import MixedLabelTypesError

    with pytest.raises(MixedLabelTypesError, match="'x' .*and 1"):
        encode_target([["x"], [1, "x"], []])
    with pytest.raises(TypeError):
        parse_topic_labels([["x"], [1]], 2, None)


def test_one_label_type_still_fits():
    """Homogeneous labels of any one type are untouched: ints, bools with ints (numbers, as
    in scikit-learn), str, tuples of mixed parts (one hashable label each)."""
    for y in ([1, 2, 1, 2], [True, 2, True, 2], ["a", "b", "a", "b"], np.array([1.0, 2.0, 1.0, 2.0])):
        kind, classes, _ = encode_target(y)
        assert kind == "multiclass" and len(classes) == 2
    y = np.empty(4, dtype=object)
    y[:] = [("g", 0), ("g", 1), ("g", 0), ("g", 1)]
    assert len(encode_target(y)[1]) == 2


def test_cli_refuses_jsonl_labels_mixing_strings_and_numbers(tmp_path):
    """The command line reads JSON labels as topic names; a file mixing JSON strings and
    numbers is refused with the line that does it, one line on stderr, exit status 1."""
    import json

    from cli_helpers import assert_one_line_error, run

    data = tmp_path / "mixed.jsonl"
    rows = [{"text": t, "label": lab} for t, lab in zip(TEXTS4, ["a", "a", 2, "a"])]
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    r = run("train", data, "-o", tmp_path / "m.ttm")
    assert_one_line_error(r, "mixed.jsonl, line 3", "mixes strings and numbers")
    assert not (tmp_path / "m.ttm").exists()
    # numbers only are topic names, as before
    rows = [{"text": t, "label": lab} for t, lab in zip(TEXTS4 * 2, [1, 1, 2, 2] * 2)]
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    r = run("train", data, "-o", tmp_path / "m.ttm", "--min-df", "1")
    assert r.returncode == 0, r.stderr

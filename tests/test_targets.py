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

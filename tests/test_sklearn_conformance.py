"""Conformance: scikit-learn's own text feature-extraction tests, with topictag's vectorizers.

The installed scikit-learn wheel ships ``sklearn/feature_extraction/tests/test_text.py``. This
test runs that module, unmodified and not copied, under pytest in a subprocess with
``tests/sklearn_conformance/topictag_substitute.py`` as a plugin: the plugin rebinds
``CountVectorizer``, ``TfidfVectorizer`` and ``HashingVectorizer`` in
``sklearn.feature_extraction.text`` to topictag's classes before the test module is imported,
and records each test's outcome. Everything must pass except the tests listed below:

* ``EXPECTED_FAILURES``: tests of scikit-learn's private internals, which topictag does not
  reproduce (each with its reason). This list is permanent.
* ``PENDING``: differences still to be fixed, grouped by cause as in
  ``docs/sklearn-compat.md`` (empty).

The comparison is exact both ways: a listed test that passes fails this test too, so the
lists (and the counts in docs/sklearn-compat.md) stay true.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("sklearn")

HERE = Path(__file__).resolve().parent
PLUGIN_DIR = HERE / "sklearn_conformance"
MODULE = "sklearn.feature_extraction.tests.test_text"

# test name -> reason. Private internals only. A name is exact (parameters included), or
# ends in "[*]" for every parametrization of the test.
EXPECTED_FAILURES = {
    "test_countvectorizer_sort_features_64bit_sparse_indices[*]": (
        "calls CountVectorizer._sort_features, a private helper of scikit-learn's Python "
        "implementation; topictag's vocabulary is sorted in Rust, and the public behaviour "
        "(64-bit indices kept) is covered by tests/test_sklearn_compat.py"
    ),
    "test_tfidf_vectorizer_setters": (
        "reads TfidfVectorizer._tfidf, the TfidfTransformer scikit-learn keeps inside its "
        "TfidfVectorizer; topictag has no such object (TF-IDF is computed in the Rust core)"
    ),
    "test_tfidfvectorizer_export_idf": (
        "compares idf_ with the private _tfidf.idf_ (see test_tfidf_vectorizer_setters)"
    ),
    "test_vectorizer_stop_words_inconsistent": (
        "deletes the private attribute _stop_words_id and calls the private method "
        "_check_stop_words_consistency; the public part (the UserWarning about stop words "
        "the tokenizer would split, once per stop list) is covered by our own tests"
    ),
    "test_stop_word_validation_custom_preprocessor[*]": (
        "calls the private method _check_stop_words_consistency and checks its private "
        "return codes ('error', None, True)"
    ),
}

# Methods that test_text.py reads off the classes at import time and topictag lacks (the
# plugin sets placeholders so that the module collects). Empty since issue 20.
PENDING_PLACEHOLDERS: list = []

# cause (as in docs/sklearn-compat.md) -> test-name patterns that fail for that cause.
# Empty since issue 20; keep the mechanism for the next differences.
PENDING: dict = {}


def run_sklearn_text_tests(tmp_path: Path) -> dict:
    """Run scikit-learn's test_text.py with topictag substituted; ``{test name: outcome}``
    plus ``"__stubbed__"`` (see the plugin)."""
    out = tmp_path / "outcomes.json"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(PLUGIN_DIR)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])
    )
    env["TOPICTAG_CONFORMANCE_OUT"] = str(out)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p",
         "topictag_substitute", "--pyargs", MODULE, "-o", "addopts=", "--tb=short"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900,
    )
    if not out.exists():
        raise AssertionError(
            f"the conformance run produced no outcomes (exit {proc.returncode}):\n"
            f"{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
        )
    raw = json.loads(out.read_text(encoding="utf-8"))
    stubbed = raw.pop("__stubbed__")
    outcomes = {nodeid.split("::", 1)[1]: v for nodeid, v in raw.items()}
    outcomes["__stubbed__"] = stubbed
    return outcomes


def _match(name: str, pattern: str) -> bool:
    if pattern.endswith("[*]"):
        return name.startswith(pattern[:-2])
    return name == pattern


def _matches(name: str, patterns) -> bool:
    return any(_match(name, p) for p in patterns)


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    return run_sklearn_text_tests(tmp_path_factory.mktemp("sklearn_text"))


def test_sklearn_text_tests_collected(outcomes):
    tests = {k: v for k, v in outcomes.items() if k != "__stubbed__"}
    assert len(tests) == 131, f"expected scikit-learn 1.9's 131 tests, ran {len(tests)}"


def test_placeholders(outcomes):
    # Methods the test module reads off the classes at import time (see the plugin). Without
    # them the module does not even collect: while PENDING_PLACEHOLDERS is not empty, the
    # honest count of scikit-learn's text tests passing with topictag's classes is 0.
    assert outcomes["__stubbed__"] == PENDING_PLACEHOLDERS


def test_sklearn_text_tests_pass(outcomes):
    tests = {k: v for k, v in outcomes.items() if k != "__stubbed__"}
    pending = [p for ps in PENDING.values() for p in ps]
    allowed = list(EXPECTED_FAILURES) + pending
    not_passed = {k: v for k, v in tests.items() if v["outcome"] != "passed"}
    unexpected = {k: v["message"] for k, v in not_passed.items() if not _matches(k, allowed)}
    now_passing = sorted(
        k for k, v in tests.items() if v["outcome"] == "passed" and _matches(k, allowed)
    )
    stale = [p for p in allowed if not any(_match(k, p) for k in tests)]
    n_pass = len(tests) - len(not_passed)
    assert not unexpected, f"{n_pass} of {len(tests)} pass; unexpected failures: {unexpected}"
    assert not now_passing, (
        f"{n_pass} of {len(tests)} pass; these listed tests now pass, remove them from the "
        f"lists (and update docs/sklearn-compat.md): {now_passing}"
    )
    assert not stale, f"patterns that match no test: {stale}"

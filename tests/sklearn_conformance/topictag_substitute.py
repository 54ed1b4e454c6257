"""pytest plugin: run scikit-learn's own text tests with topictag's vectorizers substituted.

Loaded with ``-p topictag_substitute`` by ``tests/test_sklearn_conformance.py`` in a separate
pytest process (this directory on ``PYTHONPATH``). Nothing of scikit-learn is copied: at
``pytest_configure`` -- before any test module is imported -- the names ``CountVectorizer``,
``TfidfVectorizer`` and ``HashingVectorizer`` in ``sklearn.feature_extraction.text`` are
rebound to topictag's classes, so the test module's ``from sklearn.feature_extraction.text
import ...`` (and the ``parametrize`` decorators evaluated at import time) pick up topictag's.
scikit-learn's own classes that were defined from them earlier (its ``TfidfVectorizer``
subclasses its ``CountVectorizer``) are unaffected, and nothing else in scikit-learn refers to
these names.

The test module reads three methods off the class itself at import time
(``CountVectorizer.build_analyzer``, ``.build_preprocessor``, ``.build_tokenizer``, in a
``parametrize``). A class lacking one would make the whole module fail to collect (0 tests
run), so any of the three that topictag lacks is set on the class, in this process only, to a
placeholder raising ``NotImplementedError``: the tests that call it fail, the others run. The
names stubbed this way are reported under the key ``"__stubbed__"`` and the conformance test
fails while the list is not empty.

Per-test outcomes are written as JSON to ``$TOPICTAG_CONFORMANCE_OUT``:
``{nodeid: {"outcome": "passed"|"failed"|"skipped", "message": first line of the error}}``.
"""

from __future__ import annotations

import json
import os

SUBSTITUTED = ("CountVectorizer", "TfidfVectorizer", "HashingVectorizer")
COLLECTION_TIME_ATTRS = ("build_analyzer", "build_preprocessor", "build_tokenizer")

_results: dict = {}
_stubbed: list = []


def _placeholder(cls_name: str, attr: str):
    def missing(*args, **kwargs):
        raise NotImplementedError(f"topictag.{cls_name} has no {attr} (conformance placeholder)")

    missing.__name__ = attr
    return missing


def pytest_configure(config):
    import sys

    import sklearn.feature_extraction.text as sk_text
    import topictag

    already = [m for m in sys.modules if m.endswith("feature_extraction.tests.test_text")]
    if already:  # the substitution must come before the test module's imports
        raise RuntimeError(f"test module imported before the substitution: {already}")
    for name in SUBSTITUTED:
        cls = getattr(topictag, name)
        for attr in COLLECTION_TIME_ATTRS:
            if not hasattr(cls, attr):
                setattr(cls, attr, _placeholder(name, attr))
                _stubbed.append(f"{name}.{attr}")
        setattr(sk_text, name, cls)


def _message(report) -> str:
    crash = getattr(report.longrepr, "reprcrash", None)
    if crash is not None:
        return str(crash.message).splitlines()[0][:300] if crash.message else ""
    if isinstance(report.longrepr, tuple):  # skips: (file, line, reason)
        return str(report.longrepr[2])[:300]
    return str(report.longrepr).splitlines()[-1][:300] if report.longrepr else ""


def pytest_runtest_logreport(report):
    entry = _results.setdefault(report.nodeid, {"outcome": "passed", "message": ""})
    if report.failed:
        if entry["outcome"] != "failed":  # keep the first failure (setup, call or teardown)
            entry["outcome"] = "failed"
            entry["message"] = f"[{report.when}] " + _message(report)
    elif report.skipped and entry["outcome"] == "passed":
        entry["outcome"] = "skipped"
        entry["message"] = _message(report)


def pytest_sessionfinish(session, exitstatus):
    out = os.environ.get("TOPICTAG_CONFORMANCE_OUT")
    if out:
        with open(out, "w", encoding="utf-8") as f:
            json.dump({**_results, "__stubbed__": _stubbed}, f, indent=1, sort_keys=True)

"""A process forked after topictag has used its thread pool can still use topictag.

rayon's worker threads do not survive fork(); without the at-fork hook registered in
topictag/__init__.py the child's first parallel call waits forever (the way multiprocessing's
"fork" start method would hit it). Each check runs in a subprocess with a timeout.
"""

import os
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")

SCRIPT = textwrap.dedent(
    """
    import multiprocessing as mp
    import topictag

    docs = ["the truce held overnight", "shelling resumed at dawn",
            "aid convoys reached the city", "talks resumed in the capital"] * 1500
    labels = ["ceasefire", "armed_clash", "humanitarian", "mediation"] * 1500
    model = topictag.TopicClassifier().fit(docs, labels)      # parent uses the pool

    def work(i):
        v = topictag.TfidfVectorizer(ngram_range=(1, 2)).fit_transform(docs)
        m = topictag.TopicClassifier().fit(docs, labels)
        return v.shape[0] + len(m.predict(docs[:10])) + i

    if __name__ == "__main__":
        with mp.get_context("fork").Pool(2) as pool:
            out = pool.map(work, range(4))
        assert out == [6010 + i for i in range(4)], out
        assert list(model.predict(["a truce"])) == ["ceasefire"]
        print("ok")
    """
)


def test_fork_after_parallel_work_does_not_hang(tmp_path):
    path = tmp_path / "fork_check.py"
    path.write_text(SCRIPT)
    r = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.strip().endswith("ok")

"""Explanations: contributions add up to the decision value, top terms make sense, and the
HTML rendering highlights the original text safely."""

from __future__ import annotations

import pytest

from topictag import Explanation, TopicClassifier


@pytest.fixture(scope="module")
def bbc_model(bbc_shuffled):
    texts, labels = bbc_shuffled
    return TopicClassifier().fit(texts[:1500], labels[:1500]), texts, labels


def test_contributions_sum_to_decision_value(bbc_model):
    clf, texts, _ = bbc_model
    docs = texts[1500:1510]
    d = clf.decision_function(docs)
    for i, doc in enumerate(docs):
        for k, topic in enumerate(clf.classes_):
            e = clf.explain(doc, topic=topic)
            assert isinstance(e, Explanation)
            assert e.topic == topic
            total = sum(c.contribution for c in e.contributions) + e.intercept
            assert abs(total - d[i, k]) < 1e-5
            assert abs(e.score - d[i, k]) < 1e-5
            for c in e.contributions[:5]:
                assert abs(c.value * c.weight - c.contribution) < 1e-12


def test_default_topic_is_prediction_and_binary_sign():
    x = ["rockets hit the base", "peace talks agreed", "army shelled town", "treaty signed"]
    y = ["conflict", "diplomacy", "conflict", "diplomacy"]
    clf = TopicClassifier().fit(x, y)
    e = clf.explain("rockets and shelling near the base")
    assert e.topic == "conflict"
    d = clf.decision_function(["rockets and shelling near the base"])[0]
    e1 = clf.explain("rockets and shelling near the base", topic="diplomacy")
    assert abs(e1.score - d) < 1e-9  # binary: classes_[1]'s value is decision_function
    assert abs(e.score + d) < 1e-9
    total = sum(c.contribution for c in e.contributions) + e.intercept
    assert abs(total - e.score) < 1e-9


def test_top_terms_occur_in_topic_documents(bbc_model):
    clf, texts, labels = bbc_model
    pd = pytest.importorskip("pandas")
    df = clf.top_terms(n=10)
    assert isinstance(df, pd.DataFrame)
    assert set(df.columns) == {"topic", "polarity", "rank", "term", "weight"}
    for topic in clf.classes_:
        pos = df[(df.topic == topic) & (df.polarity == "positive")]
        assert len(pos) == 10 and (pos.weight > 0).all()
        neg = df[(df.topic == topic) & (df.polarity == "negative")]
        assert (neg.weight < 0).all()
        corpus = " ".join(t.lower() for t, l in zip(texts[:1500], labels[:1500]) if l == topic)
        words = [w for term in pos.term for w in term.split()]
        found = sum(1 for w in words if w[:4] in corpus)
        assert found >= 0.8 * len(words), (topic, list(pos.term))
    sport = clf.top_terms("sport", n=5, as_frame=False)
    assert all(r[0] == "sport" for r in sport) and len(sport) == 10
    assert isinstance(sport[0], tuple)


def test_str_frame_and_html(bbc_model):
    clf, texts, _ = bbc_model
    doc = texts[1600]
    e = clf.explain(doc, n=5)
    s = str(e)
    assert "score" in s and "intercept" in s and e.contributions[0].term in s
    f = e.to_frame()
    assert list(f.columns) == ["term", "value", "weight", "contribution"]
    assert len(f) == len(e.contributions)
    html = e._repr_html_()
    assert 'class="topictag-term"' in html
    assert "rgba(0,160,60" in html and "rgba(220,40,40" in html


def test_html_escapes_script():
    x = ["rockets hit the base", "peace talks agreed", "army shelled town", "treaty signed"]
    y = ["conflict", "diplomacy", "conflict", "diplomacy"]
    clf = TopicClassifier().fit(x, y)
    doc = 'rockets <script>alert("x")</script> & peace "talks"'
    html = clf.explain(doc)._repr_html_()
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "&amp;" in html
    # the highlighted words keep their original characters
    assert ">rockets</span>" in html


def test_explain_highlights_original_text_with_accents():
    x = ["Guerrilleros atacaron la estación de policía", "Firmaron un acuerdo de paz en La Habana",
         "El ejército bombardeó el campamento", "Diálogos de paz y negociación"]
    y = ["conflict", "diplomacy", "conflict", "diplomacy"]
    clf = TopicClassifier().fit(x, y)
    doc = "Acuerdo de PAZ firmado en la Estación"
    e = clf.explain(doc, topic="diplomacy")
    spans = [doc[a:b] for v in e.spans.values() for a, b in v]
    assert "PAZ" in spans or "Acuerdo" in spans
    assert abs(sum(c.contribution for c in e.contributions) + e.intercept - e.score) < 1e-9


def test_explanation_shows_terms_as_written():
    # A stemmed article model: its features are stems ("armi"), its explanations show the
    # words as written (the most frequent form in the training articles: "arms", or
    # "helicopters" for a text that says "helicopter"), and still add up to the score.
    import re

    from topictag.datasets import load_articles

    tr, ho = load_articles("en", "train"), load_articles("en", "heldout")
    clf = TopicClassifier(stemmer="english", stop_words="english").fit(tr.data, tr.target)
    text = ho.data[0]
    words = set(re.findall(r"\w\w+", text.lower()))
    words_not_stems = 0
    for topic in clf.predict([text])[0]:
        e = clf.explain(text, topic=topic)
        assert abs(sum(c.contribution for c in e.contributions) + e.intercept - e.score) < 1e-6
        for c in e.contributions:
            assert all(any(x.startswith(w[:4]) for x in words) for w in c.term.split()), c.term
            assert e.spans[c.term]
        # Snowball's English stems never end in these ("peace" -> "peac", "agreed" -> "agre")
        words_not_stems += sum(c.term.endswith(("e", "y", "ing", "ed", "ion")) for c in e.contributions)
    assert words_not_stems > 0

"""Explanations of a TopicClassifier's decisions.

The arithmetic is done in Rust (``src/pipeline/explain.rs``): a topic's decision value for a
document is the intercept plus, for every feature of the document, its TF-IDF value times the
topic's weight. An :class:`Explanation` lists those terms (every one of them, so that
``sum(contributions) + intercept == score``) and renders the original text with the
contributing words highlighted.
"""

from __future__ import annotations

import html
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple


class Contribution(NamedTuple):
    """One term's share of a topic's decision value: ``contribution = value * weight``.
    ``term`` is the term as written (its most frequent form in the training documents, for
    models with article-level state; the feature itself otherwise)."""

    term: str
    value: float
    weight: float
    contribution: float


def _pandas():
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - depends on the environment
        return None
    return pd


class Explanation:
    """Why a document got (or did not get) a topic.

    Attributes
    ----------
    topic : the topic explained.
    score : float, the topic's decision value for the document (``decision_function``).
    intercept : float, the model's intercept for the topic.
    contributions : list of :class:`Contribution`, every term of the document with a non-zero
        weight, largest absolute contribution first. ``sum(c.contribution for c in
        contributions) + intercept == score`` (to rounding).
    text : str, the document.
    n : int, how many contributions ``__str__`` and ``to_frame(top=True)`` show.
    """

    def __init__(self, text: str, topic, score: float, intercept: float,
                 contributions: Sequence[Contribution], spans: Dict[str, List[Tuple[int, int]]],
                 n: int = 10):
        self.text = text
        self.topic = topic
        self.score = float(score)
        self.intercept = float(intercept)
        self.contributions: List[Contribution] = list(contributions)
        self.spans = spans
        self.n = n

    @property
    def top(self) -> List[Contribution]:
        """The ``n`` largest contributions by absolute value."""
        return self.contributions[: self.n]

    def to_frame(self, top: bool = False):
        """All contributions (or the top ``n``) as a pandas DataFrame (list of tuples without pandas)."""
        rows = self.top if top else self.contributions
        pd = _pandas()
        if pd is None:
            return [tuple(c) for c in rows]
        return pd.DataFrame(
            [tuple(c) for c in rows], columns=["term", "value", "weight", "contribution"]
        )

    def __repr__(self) -> str:
        return (
            f"<Explanation topic={self.topic!r} score={self.score:.4f} "
            f"intercept={self.intercept:.4f} terms={len(self.contributions)}>"
        )

    def __str__(self) -> str:
        lines = [
            f"topic {self.topic!r}: score {self.score:+.4f} = intercept {self.intercept:+.4f}"
            f" + {len(self.contributions)} term contributions"
        ]
        if self.contributions:
            width = max(len(c.term) for c in self.top)
            width = max(width, 4)
            lines.append(f"  {'term':<{width}}  {'tf-idf':>7}  {'weight':>8}  {'contrib':>8}")
            for c in self.top:
                lines.append(
                    f"  {c.term:<{width}}  {c.value:7.4f}  {c.weight:+8.4f}  {c.contribution:+8.4f}"
                )
            rest = self.contributions[self.n:]
            if rest:
                s = sum(c.contribution for c in rest)
                lines.append(f"  ... {len(rest)} more terms, together {s:+.4f}")
        return "\n".join(lines)

    # -- HTML -------------------------------------------------------------------------------
    def _segment_scores(self):
        """Split the text at every span boundary; score each piece by the contributions of
        the terms covering it (a term's contribution is shared equally by its occurrences)."""
        by_term = {c.term: c.contribution for c in self.contributions}
        cuts = {0, len(self.text)}
        covers = []
        for term, spans in self.spans.items():
            contrib = by_term.get(term)
            if contrib is None or not spans:
                continue
            share = contrib / len(spans)
            for a, b in spans:
                if 0 <= a < b <= len(self.text):
                    cuts.update((a, b))
                    covers.append((a, b, term, share))
        cuts = sorted(cuts)
        segments = []
        for a, b in zip(cuts, cuts[1:]):
            terms = [(t, s) for (x, y, t, s) in covers if x <= a and b <= y]
            segments.append((a, b, sum(s for _, s in terms), terms))
        return segments

    def _repr_html_(self) -> str:
        segments = self._segment_scores()
        peak = max((abs(s) for _, _, s, t in segments if t), default=0.0) or 1.0
        parts = []
        for a, b, s, terms in segments:
            piece = html.escape(self.text[a:b])
            if not terms or s == 0.0:
                parts.append(piece)
                continue
            alpha = 0.15 + 0.75 * min(abs(s) / peak, 1.0)
            rgb = "0,160,60" if s > 0 else "220,40,40"
            title = html.escape(
                "; ".join(f"{t}: {c:+.4f}" for t, c in terms), quote=True
            )
            parts.append(
                f'<span class="topictag-term" style="background-color: rgba({rgb},{alpha:.2f})"'
                f' title="{title}">{piece}</span>'
            )
        head = (
            f"<div><b>topic</b> {html.escape(str(self.topic))} &nbsp; <b>score</b> "
            f"{self.score:+.4f} &nbsp; <b>intercept</b> {self.intercept:+.4f}</div>"
        )
        return _html_view(
            "topictag-explanation", head, parts, ["term", "tf-idf", "weight", "contribution"],
            ((html.escape(c.term), f"{c.value:.4f}", f"{c.weight:+.4f}", f"{c.contribution:+.4f}")
             for c in self.top),
        )


def _html_view(css_class: str, head: str, parts: List[str], columns: List[str], rows) -> str:
    """The notebook view of an explanation: ``head``, the text (``parts``, its pieces as HTML,
    line breaks kept), then a table of ``columns`` and ``rows`` (cells already HTML)."""
    body = "".join(parts).replace("\n", "<br>")
    thead = "".join(f"<th>{c}</th>" for c in columns)
    tbody = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return (
        f'<div class="{css_class}">{head}'
        f'<div style="line-height:1.6; margin:0.5em 0">{body}</div>'
        f"<table><thead><tr>{thead}</tr></thead><tbody>{tbody}</tbody></table></div>"
    )


def top_terms_output(rows: List[Tuple], as_frame: Optional[bool]):
    """rows: (topic, polarity, rank, term, weight). A DataFrame when pandas is there (or
    as_frame=True), else the list of tuples."""
    pd = _pandas()
    if as_frame is None:
        as_frame = pd is not None
    if not as_frame:
        return rows
    if pd is None:
        raise ImportError("as_frame=True needs pandas; install it or pass as_frame=False")
    return pd.DataFrame(rows, columns=["topic", "polarity", "rank", "term", "weight"])


# -- article evidence ---------------------------------------------------------------------
# The evidence itself (segments ranked by their calibrated support, terms and their offsets)
# comes from the core (`TopicModel::explain_article`, src/pipeline/articles.rs); these classes
# hold and display it.

# One colour per predicted topic, in order (colour-blind-safe palette of Okabe and Ito, 2008,
# "Color Universal Design").
_PALETTE = ("0,114,178", "230,159,0", "0,158,115", "204,121,167", "86,180,233", "213,94,0",
            "240,228,66", "0,0,0")


class TermEvidence(NamedTuple):
    """A term of a segment supporting a topic: its form as written, its contribution to the
    topic's decision value for the segment, and its occurrences in the article (character
    offsets, end exclusive)."""

    term: str
    contribution: float
    spans: List[Tuple[int, int]]

    def as_written(self, text: str) -> str:
        """The term as it is written at its first occurrence in ``text`` (``term`` is its
        most frequent form in the training documents, which may differ: another inflection
        of a stemmed term, another case)."""
        for a, b in self.spans:
            if 0 <= a < b <= len(text):
                return " ".join(text[a:b].split())
        return self.term


class SegmentEvidence(NamedTuple):
    """A segment (character offsets ``start:end`` in the article) and its own probability
    (``support``; a decision value for models without calibration) for the topic."""

    start: int
    end: int
    support: float
    terms: List[TermEvidence]


class TopicEvidence(NamedTuple):
    """A predicted topic, the article's probability for it (``score``) and its supporting
    segments, best first."""

    topic: object
    score: float
    segments: List[SegmentEvidence]


class ArticleEvidence:
    """Evidence for every topic predicted for one article (``TopicClassifier.explain``).

    Attributes
    ----------
    text : str, the article.
    topics : list of :class:`TopicEvidence`, in prediction order (best first).
    calibrated : bool, whether scores are calibrated probabilities (else decision values).
    """

    def __init__(self, text: str, topics: Sequence[TopicEvidence], calibrated: bool = True):
        self.text = text
        self.topics: List[TopicEvidence] = list(topics)
        self.calibrated = bool(calibrated)

    @property
    def _score_name(self) -> str:
        return "probability" if self.calibrated else "score"

    def to_dict(self) -> Dict[str, object]:
        """JSON-ready: ``{"topics": [{"topic", "probability" (or "score"), "segments": [{"start",
        "end", "text", "support", "terms": [{"term", "contribution", "spans"}]}]}]}``."""
        key = self._score_name
        return {
            "topics": [
                {
                    "topic": t.topic if isinstance(t.topic, (str, int, float, bool)) else str(t.topic),
                    key: t.score,
                    "segments": [
                        {
                            "start": s.start,
                            "end": s.end,
                            "text": self.text[s.start:s.end],
                            "support": s.support,
                            "terms": [
                                {"term": w.term, "as_written": w.as_written(self.text),
                                 "contribution": w.contribution,
                                 "spans": [list(x) for x in w.spans]}
                                for w in s.terms
                            ],
                        }
                        for s in t.segments
                    ],
                }
                for t in self.topics
            ]
        }

    def __repr__(self) -> str:
        inner = ", ".join(f"{t.topic!r}: {t.score:.3f}" for t in self.topics)
        return f"<ArticleEvidence {self._score_name} {{{inner}}}>"

    def __str__(self) -> str:
        lines = []
        for t in self.topics:
            lines.append(f"{t.topic}: {self._score_name} {t.score:.3f}")
            for s in t.segments:
                snippet = " ".join(self.text[s.start:s.end].split())
                if len(snippet) > 90:
                    snippet = snippet[:87] + "..."
                lines.append(f"  [{s.support:.3f}] {snippet}")
                if s.terms:
                    lines.append("          terms: " + ", ".join(
                        dict.fromkeys(w.as_written(self.text) for w in s.terms)))
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        colour = {i: _PALETTE[i % len(_PALETTE)] for i in range(len(self.topics))}
        # per character position: the first (most probable) topic whose segment covers it,
        # and the first topic with a term there
        cuts = {0, len(self.text)}
        seg_cover = []
        term_cover = []
        for i, t in enumerate(self.topics):
            for s in t.segments:
                if 0 <= s.start < s.end <= len(self.text):
                    cuts.update((s.start, s.end))
                    seg_cover.append((s.start, s.end, i, s.support))
                for w in s.terms:
                    for a, b in w.spans:
                        if 0 <= a < b <= len(self.text):
                            cuts.update((a, b))
                            term_cover.append((a, b, i, w.term))
        cuts = sorted(cuts)
        parts = []
        for a, b in zip(cuts, cuts[1:]):
            piece = html.escape(self.text[a:b])
            segs = [(i, sup) for (x, y, i, sup) in seg_cover if x <= a and b <= y]
            terms = [(i, w) for (x, y, i, w) in term_cover if x <= a and b <= y]
            style = []
            title = []
            if segs:
                i = min(i for i, _ in segs)
                style.append(f"background-color: rgba({colour[i]},0.12)")
                title.extend(f"{self.topics[j].topic}: segment {self._score_name} {sup:.3f}"
                             for j, sup in segs)
            if terms:
                i = min(i for i, _ in terms)
                style.append(f"border-bottom: 2px solid rgb({colour[i]}); font-weight: 600")
                title.extend(f"{self.topics[j].topic}: term '{w}'" for j, w in terms)
            if not style:
                parts.append(piece)
                continue
            parts.append(
                f'<span style="{"; ".join(style)}" title="{html.escape("; ".join(title), quote=True)}">'
                f"{piece}</span>"
            )
        legend = " &nbsp; ".join(
            f'<span style="display:inline-block; width:0.9em; height:0.9em; '
            f'background-color: rgb({colour[i]}); vertical-align: middle"></span> '
            f"<b>{html.escape(str(t.topic))}</b> {self._score_name} {t.score:.2f}"
            for i, t in enumerate(self.topics)
        )
        return _html_view(
            "topictag-evidence", f'<div class="topictag-legend">{legend}</div>', parts,
            ["topic", self._score_name, "segments", "terms"],
            ((html.escape(str(t.topic)), f"{t.score:.3f}", str(len(t.segments)),
              html.escape(", ".join(dict.fromkeys(
                  w.as_written(self.text) for s in t.segments for w in s.terms))))
             for t in self.topics),
        )

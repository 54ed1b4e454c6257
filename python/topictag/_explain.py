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
    """One term's share of a topic's decision value: ``contribution = value * weight``."""

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
        body = "".join(parts).replace("\n", "<br>")
        table_rows = "".join(
            f"<tr><td>{html.escape(c.term)}</td><td>{c.value:.4f}</td><td>{c.weight:+.4f}</td>"
            f"<td>{c.contribution:+.4f}</td></tr>"
            for c in self.top
        )
        table = (
            "<table><thead><tr><th>term</th><th>tf-idf</th><th>weight</th><th>contribution</th>"
            f"</tr></thead><tbody>{table_rows}</tbody></table>"
        )
        return (
            f'<div class="topictag-explanation">{head}'
            f'<div style="line-height:1.6; margin:0.5em 0">{body}</div>{table}</div>'
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

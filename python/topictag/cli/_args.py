"""The command line's arguments: one parser, a sub-parser per command."""

from __future__ import annotations

import argparse

from ._commands import cmd_evaluate, cmd_explain, cmd_predict, cmd_top_terms, cmd_train
from ._demo import cmd_demo
from ._keywords import add_parsers as keyword_parsers
from ._io import PROG


class _Parser(argparse.ArgumentParser):
    """argparse, with usage errors printed as one line and exit status 2."""

    def error(self, message: str):  # noqa: D401 - argparse's hook
        hint = f"see '{self.prog} --help'"
        self.exit(2, f"{PROG}: error: {message} ({hint})\n")


def _add_data_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--text-col", default="text", metavar="NAME",
                   help="column (CSV/Parquet) or field (JSONL) holding the text (default: text)")
    p.add_argument("--label-col", default="label", metavar="NAME",
                   help="column or field holding the topic(s) (default: label)")
    p.add_argument("--label-sep", default=None, metavar="SEP",
                   help="separator of several topics in one label, e.g. '|' (multi-label data); "
                        "a JSONL label may also be a list")
    p.add_argument("--format", choices=("csv", "tsv", "jsonl", "parquet"), default=None,
                   help="input format (default: from the file extension; on stdin, JSONL or a "
                        "CSV/TSV header row naming the text column are recognised)")
    p.add_argument("--allow-empty-labels", action="store_true",
                   help="accept an empty label as 'no topic' (multi-label data)")
    _add_reading_options(p)


def _add_reading_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--encoding", default="utf-8-sig", metavar="NAME",
                   help="text encoding of the input, e.g. latin-1 (default: UTF-8, with or "
                        "without a byte-order mark); '.gz' files are decompressed")
    p.add_argument("--delimiter", default=None, metavar="CHAR",
                   help="CSV field delimiter, e.g. ';' (default: ',' for CSV, tab for TSV)")
    p.add_argument("--n-jobs", type=int, default=None, metavar="N",
                   help="threads, as n_jobs in Python (default: the model's own setting)")


def _add_seed(p: argparse.ArgumentParser, what: str) -> None:
    p.add_argument("--seed", type=int, default=None, metavar="N", help=f"random seed of {what}")


def build_parser() -> argparse.ArgumentParser:
    from .. import __version__

    parser = _Parser(
        prog=PROG,
        description="Tag news documents with topics: TF-IDF and linear classifiers, fast.",
        epilog="Start with 'topictag demo'. Details of a command: topictag COMMAND --help.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("train", help="train a model on labelled documents and save it",
                       description="Train a topic classifier on a labelled CSV, TSV, JSONL or "
                                   "Parquet file and save it to a model file.")
    p.add_argument("data", metavar="DATA", help="labelled documents (.csv, .tsv, .jsonl, .parquet)")
    p.add_argument("-o", "--output", required=True, metavar="MODEL", help="model file to write")
    _add_data_options(p)
    p.add_argument("--model", choices=("logistic", "svm"), default=None,
                   help="classifier: linear SVM or logistic regression (probabilities) "
                        "(default: svm)")
    p.add_argument("--C", type=float, default=None, help="inverse regularisation strength")
    p.add_argument("--penalty", choices=("l2", "l1"), default=None,
                   help="l1: most weights exactly zero, a model file several times smaller "
                        "(default: l2)")
    p.add_argument("--ngram-max", type=int, default=None, metavar="N",
                   help="use word n-grams of 1 to N words")
    p.add_argument("--language", default=None,
                   help="language of the stop words and stemmer (--stop-words, --stem): en, "
                        "es (or another Snowball language, by name or two-letter code), or "
                        "auto to detect each document's language among English and Spanish "
                        "(default: English)")
    p.add_argument("--stem", action="store_true",
                   help="stem words (Snowball) in the --language")
    p.add_argument("--stop-words", action="store_true",
                   help="drop the --language's stop words")
    p.add_argument("--min-df", type=_number, default=None, metavar="N",
                   help="ignore terms in fewer documents than this (an int) or share (a float)")
    p.add_argument("--max-features", type=int, default=None, metavar="N",
                   help="keep only the N most frequent terms")
    p.add_argument("--threshold", type=float, default=None,
                   help="score a topic needs to be predicted (multi-label), the same for every "
                        "topic: a calibrated probability (default: one threshold per topic, "
                        "tuned for F1 on cross-validated scores)")
    p.add_argument("--class-weight", choices=("balanced",), default=None,
                   help="weigh topics inversely to their frequency; raises macro-F1 on "
                        "multi-label data, where each topic is a minority (rare topics get "
                        "predicted), but makes training slower")
    _add_seed(p, "the solvers' coordinate order (TopicClassifier's random_state)")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("predict", help="tag documents with a trained model",
                       description="Tag documents: one JSON record (or CSV row) per document "
                                   "with its topics and top scores ('probabilities' when the "
                                   "model's scores are probabilities).")
    p.add_argument("model", metavar="MODEL", help="model file from 'topictag train'")
    p.add_argument("input", metavar="INPUT", nargs="?", default=None,
                   help="CSV, TSV, JSONL, Parquet (each optionally .gz), or plain text with one "
                        "document per line (lines end at \\n or \\r\\n; blank lines are "
                        "skipped and counted); stdin when absent or '-'")
    p.add_argument("--text-col", default="text", metavar="NAME",
                   help="column or field holding the text (default: text)")
    p.add_argument("--id-col", default=None, metavar="NAME",
                   help="column or field to copy as each record's id (default: 'id' when "
                        "present, else the line or row number)")
    p.add_argument("--input-format", choices=("csv", "tsv", "jsonl", "parquet", "text"),
                   default=None, help="input format (default: from the extension; stdin: "
                                      "JSONL or CSV/TSV if its first line looks like it "
                                      "(a JSON object, or a header naming the text column), "
                                      "else text lines)")
    p.add_argument("--format", choices=("jsonl", "csv"), default="jsonl",
                   help="output format (default: jsonl)")
    p.add_argument("-o", "--output", default=None, metavar="FILE",
                   help="write here instead of stdout")
    p.add_argument("-k", "--top-k", type=int, default=3, metavar="K",
                   help="how many top-scoring topics to list with their scores (default: 3)")
    p.add_argument("--threshold", type=float, default=None,
                   help="predict every topic whose score reaches this value, instead of the "
                        "model's own decision")
    p.add_argument("--evidence", action="store_true",
                   help="add each document's evidence (JSON): per predicted topic its "
                        "probability and the segments and words that support it")
    _add_reading_options(p)
    p.set_defaults(func=cmd_predict)

    p = sub.add_parser("evaluate", help="score a model on labelled documents",
                       description="Per-topic precision, recall and F1 of a model on labelled "
                                   "documents, with micro and macro averages; or, with --cv K, "
                                   "a K-fold cross-validation of its settings on them.")
    p.add_argument("model", metavar="MODEL", help="model file")
    p.add_argument("data", metavar="DATA", help="labelled documents (.csv, .tsv, .jsonl, .parquet)")
    _add_data_options(p)
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--cv", type=int, default=None, metavar="K",
                   help="instead of scoring MODEL, cross-validate a model with MODEL's settings "
                        "on DATA in K stratified folds (mean, spread and per-fold scores)")
    _add_seed(p, "the --cv fold assignment (default: 0)")
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("top-terms", help="the words that weigh most for each topic",
                       description="The terms with the largest weights for one topic or all.")
    p.add_argument("model", metavar="MODEL", help="model file")
    p.add_argument("topic", metavar="TOPIC", nargs="?", default=None,
                   help="one topic (default: every topic)")
    p.add_argument("-n", type=int, default=10, help="terms per topic (default: 10)")
    p.add_argument("--negative", action="store_true",
                   help="also list the terms that weigh most against each topic")
    p.set_defaults(func=cmd_top_terms)

    p = sub.add_parser("explain", help="why a text gets a topic",
                       description="The words of TEXT that push its score for a topic up or "
                                   "down.")
    p.add_argument("model", metavar="MODEL", help="model file")
    p.add_argument("text", metavar="TEXT", help="the text ('-' reads it from stdin)")
    p.add_argument("--topic", default=None, help="topic to explain (default: the top one)")
    p.add_argument("-n", type=int, default=10, help="words to show (default: 10)")
    p.set_defaults(func=cmd_explain)

    p = sub.add_parser("demo", help="train on the built-in starter corpus and tag new paragraphs",
                       description="Cross-validate and train a model on the starter corpus "
                                   "(English and Spanish news paragraphs), tag unseen "
                                   "paragraphs showing the words behind each topic, and save "
                                   "the model.")
    p.add_argument("--cv", type=int, default=5, metavar="K",
                   help="cross-validation folds (default: 5)")
    p.add_argument("--save", default=None, metavar="PATH",
                   help="where to save the model (default: ./starter-model.ttm, or a temporary "
                        "folder when the current one is not writable)")
    p.set_defaults(func=cmd_demo)

    keyword_parsers(sub, _add_reading_options)  # train-keywords, suggest-keywords (cli/_keywords.py)
    return parser


def _number(s: str):
    try:
        return int(s)
    except ValueError:
        pass
    try:
        return float(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {s!r}") from None

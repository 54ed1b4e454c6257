"""The keyword commands (issue 23): ``train-keywords`` (a model from keywords and unlabelled
text) and ``suggest-keywords`` (candidate keywords from a model)."""

from __future__ import annotations

import argparse
import time
import warnings

from .._progress import progress
from ._io import CLIError, load_model, read_unlabelled, save_model


def add_parsers(sub, add_reading_options) -> None:
    """The keyword commands' parsers; ``add_reading_options`` adds the input options that every
    command reading documents takes (``--encoding``, ``--delimiter``; cli/_args.py)."""
    p = sub.add_parser(
        "train-keywords", help="train a model from keywords per topic and unlabelled documents",
        description="Train a topic classifier without labels: KEYWORDS (a .json, .yaml/.yml or "
                    ".toml file mapping each topic to a list of words and phrases) label the "
                    "unlabelled documents they occur in, then self-training labels the rest. "
                    "Keywords are matched after stemming in each document's language.")
    p.add_argument("keywords", metavar="KEYWORDS", help="keywords file (.json, .yaml, .toml)")
    p.add_argument("data", metavar="UNLABELLED",
                   help="unlabelled documents: .csv/.tsv/.jsonl/.parquet with a text column, or "
                        "one document per line ('-' reads stdin)")
    p.add_argument("-o", "--output", required=True, metavar="MODEL", help="model file to write")
    p.add_argument("--text-col", default="text", metavar="NAME",
                   help="column with the document text (default: text)")
    p.add_argument("--multilabel", action="store_true",
                   help="any number of topics per document (default: one)")
    p.add_argument("--rounds", type=int, default=5, metavar="N",
                   help="self-training rounds (default: 5; 0 trains on the keyword labels only)")
    p.add_argument("--coverage", type=float, default=0.8, metavar="F",
                   help="fraction of the documents without keyword labels that the last "
                        "self-training round labels, in (0, 1] (default: 0.8)")
    p.add_argument("--min-keywords", type=int, default=1, metavar="N",
                   help="distinct keywords of a topic a document needs to be labelled with it "
                        "from keywords (default: 1)")
    p.add_argument("--labels", default=None, metavar="FILE",
                   help="hand labels to combine with the keywords: a JSON object mapping the "
                        "index of a document (0-based, in UNLABELLED's order) to its topic, or "
                        "a list of topics with --multilabel")
    p.add_argument("--language", default=None,
                   help="the documents' language (name or ISO code); default: detected per "
                        "document among English and Spanish")
    add_reading_options(p)
    p.set_defaults(func=cmd_train_keywords)

    p = sub.add_parser(
        "suggest-keywords", help="candidate keywords for a topic of a model",
        description="The words that weigh most for TOPIC in the model, as written in the "
                    "training text, leaving out numbers, stop words and the topic's keywords: "
                    "candidates to add to the keywords file.")
    p.add_argument("model", metavar="MODEL", help="model file")
    p.add_argument("topic", metavar="TOPIC", help="the topic")
    p.add_argument("-n", type=int, default=10, help="how many (default: 10)")
    p.set_defaults(func=cmd_suggest_keywords)


def cmd_train_keywords(args: argparse.Namespace) -> int:
    from .._classifier import TopicClassifier
    from .._keywords import read_keywords

    try:
        keywords = read_keywords(args.keywords)
    except FileNotFoundError:
        raise CLIError(f"{args.keywords}: no such file") from None
    except (ValueError, TypeError) as e:
        raise CLIError(f"{args.keywords}: {e}") from None
    labels = None if args.labels is None else read_labels(args.labels, keywords)
    texts, _ = read_unlabelled(args.data, None, args, None)
    params = {} if args.language is None else {"language": args.language}
    if args.n_jobs is not None:
        params["n_jobs"] = args.n_jobs
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        with progress(f"training from keywords on {len(texts):,} documents"):
            try:
                model = TopicClassifier.from_keywords(
                    keywords, texts, multilabel=args.multilabel, rounds=args.rounds,
                    coverage=args.coverage, min_keywords=args.min_keywords, labels=labels,
                    **params)
            except ValueError as e:  # the core's value rules, in terms of this command's flags
                if str(e).startswith(("rounds ", "coverage ")):
                    raise CLIError(f"--{e}") from None
                raise
    for w in caught:
        print(f"warning: {w.message}")
    elapsed = time.perf_counter() - t0
    save_model(model, args.output)
    rep = model.keyword_report_
    print(f"{rep['n_seed']:,} of {rep['n_texts']:,} documents labelled from keywords, "
          f"{rep['n_labelled']:,} after self-training; {len(model.classes_)} topics in "
          f"{elapsed:.2f} s; saved to {args.output}")
    for topic, counts in rep["matches"].items():
        unused = [k for k, c in counts.items() if c == 0]
        if unused:
            print(f"  {topic}: not found in any document: {', '.join(unused)}")
    return 0


def read_labels(path, keywords) -> dict:
    """``--labels``: a JSON object ``{"document index": topic or [topics]}``; topics are
    named as in the keywords file."""
    import json

    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except FileNotFoundError:
        raise CLIError(f"{path}: no such file") from None
    except (ValueError, UnicodeDecodeError) as e:
        raise CLIError(f"{path}: not JSON ({e})") from None
    if not isinstance(data, dict):
        raise CLIError(f"{path}: --labels must hold a JSON object of document index -> topic(s)")
    out = {}
    for k, v in data.items():
        try:
            i = int(k)
        except ValueError:
            raise CLIError(f"{path}: {k!r} is not a document index (0-based)") from None
        out[i] = v
    return out


def cmd_suggest_keywords(args: argparse.Namespace) -> int:
    if args.n < 1:
        raise CLIError(f"-n must be >= 1, got {args.n}")
    model = load_model(args.model)
    classes = [str(c) for c in model.classes_]
    if args.topic not in classes:
        raise CLIError(f"unknown topic {args.topic!r}; the model's topics are: {', '.join(classes)}")
    topic = model.classes_[classes.index(args.topic)]
    for word in model.suggest_keywords(topic, args.n):
        print(word)
    return 0

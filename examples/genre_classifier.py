"""Genre classification of book paragraphs with pretrained word vectors (transfer learning).

The task (``tasks/gutenberg-genre.tsv.gz`` in the shared data): 9,931 paragraphs of
Project Gutenberg books, each labelled fiction, drama, philosophy, history or
poetry; the train and test paragraphs come from different books. The pipeline:

1. tokenize with :func:`wordvec.tokenize` and build a :class:`wordvec.Vocab` from the
   training split (``min_count=2``);
2. hold out whole training books (about 15% of each genre's paragraphs) as a
   validation set, used only to pick the best epoch (never the test set);
3. build the embedding table: random, GloVe 6B 50d, or vectors trained by
   ``wordvec train`` on bench-en, frozen or fine-tuned
   (:func:`wordvec.transfer.embedding_matrix` through the ``wordvec.torch`` /
   ``wordvec.keras`` bridges);
4. train a small model with Adam: embedding -> masked mean -> linear (PyTorch or
   Keras), or embedding -> 1-D convolution -> masked max-pool -> linear (PyTorch);
5. report test accuracy, macro-F1, training time and the embedding's coverage.

Run it from the repository root::

    python examples/genre_classifier.py --framework torch --model mean --embedding glove-frozen

``--embedding wordvec-*`` needs vectors trained on bench-en; if ``--wordvec-vectors``
(default ``/tmp/bench-vectors.safetensors``) is missing they are trained first with
``wordvec train <bench-en> --tokenizer whitespace -o <path>`` (a minute or two).
"""

from __future__ import annotations

import argparse
import copy
import functools
import logging
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

import wordvec
import wordvec.torch as wtorch
from wordvec._lines import ReadStats, read_lines

os.environ.setdefault("KERAS_BACKEND", "torch")  # before anything imports keras
# Idle OpenMP threads sleep instead of spinning: on a shared, oversubscribed machine the
# spinning threads of torch's 2-thread pool slowed training 10-30x. Read when torch loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

logger = logging.getLogger("genre_classifier")

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
TASK_PATH = DATA / "tasks" / "gutenberg-genre.tsv.gz"
GLOVE_PATH = DATA / "vectors" / "glove.6B.50d.txt.gz"
BENCH_PATH = DATA / "corpus" / "bench-en.txt.gz"
WORDVEC_PATH = Path("/tmp/bench-vectors.safetensors")

FRAMEWORKS = ("torch", "keras")
MODELS = ("mean", "cnn")
EMBEDDINGS = (
    "random",
    "glove-frozen",
    "glove-finetuned",
    "wordvec-frozen",
    "wordvec-finetuned",
)
#: Per model: maximum epochs, epochs without validation gain before stopping, Adam learning
#: rate (chosen on the validation books; the best validation epoch is kept).
MAX_EPOCHS = {"mean": 20, "cnn": 8}
PATIENCE = {"mean": 3, "cnn": 2}
LEARNING_RATE = {"mean": 1e-2, "cnn": 3e-3}


# ------------------------------------------------------------------------------ data


@dataclass
class Split:
    """Paragraphs of one split: raw texts, label ids (index into the classes), book names."""

    texts: list[str]
    labels: np.ndarray
    books: list[str]

    def __len__(self) -> int:
        return len(self.texts)

    def subset(self, index: np.ndarray) -> Split:
        """The paragraphs at ``index``."""
        return Split(
            [self.texts[i] for i in index], self.labels[index], [self.books[i] for i in index]
        )


@dataclass
class Task:
    """The genre task: the class names and the train and test splits."""

    classes: list[str]
    train: Split
    test: Split


def load_task(
    path: str | os.PathLike = TASK_PATH,
    *,
    train_per_class: int | None = None,
    test_per_class: int | None = None,
    seed: int = 0,
    encoding: str = "utf-8",
    encoding_errors: str = "strict",
) -> Task:
    """Read the TSV (header ``split label book text``, tab-separated, no quoting).

    Args:
        path: The task file (``.tsv`` or ``.tsv.gz``).
        train_per_class: Keep a random sample of at most this many training paragraphs
            of each class (None keeps all); for quick runs and tests.
        test_per_class: The same for the test split.
        seed: Seed of those samples.
        encoding: The file's text encoding.
        encoding_errors: Undecodable bytes: "strict" raises an error naming the line and
            byte offset; "replace" / "ignore" go on (the count is logged).
    """
    rows: dict[str, list[tuple[str, str, str]]] = {"train": [], "test": []}
    stats = ReadStats()
    lines = read_lines(path, encoding=encoding, encoding_errors=encoding_errors, stats=stats)
    header = next(lines, "").split("\t")
    if header != ["split", "label", "book", "text"]:
        raise ValueError(f"{path}: expected the header split/label/book/text, got {header}")
    for line in lines:
        if line:
            split, label, book, text = line.split("\t")
            rows[split].append((label, book, text))
    if stats.lines_with_errors:
        logger.warning("%s: %d line(s) with undecodable bytes", path, stats.lines_with_errors)
    classes = sorted({label for label, _, _ in rows["train"]})
    index = {c: i for i, c in enumerate(classes)}

    def make(items: list[tuple[str, str, str]], per_class: int | None) -> Split:
        split = Split(
            [t for _, _, t in items],
            np.array([index[label] for label, _, _ in items], dtype=np.int64),
            [b for _, b, _ in items],
        )
        if per_class is None:
            return split
        rng = np.random.default_rng(seed)
        keep = np.concatenate(
            [
                rng.permutation(np.flatnonzero(split.labels == c))[:per_class]
                for c in range(len(classes))
            ]
        )
        return split.subset(np.sort(keep))

    return Task(classes, make(rows["train"], train_per_class), make(rows["test"], test_per_class))


def validation_books(split: Split, share: float = 0.15, seed: int = 0) -> np.ndarray:
    """Return a boolean mask of the paragraphs of held-out training books.

    For each class, whole books are drawn in a random order until they hold at least
    ``share`` of the class's paragraphs (always leaving one book to train on), so the
    validation set, like the test set, comes from books the model never saw.
    """
    rng = np.random.default_rng(seed)
    held = np.zeros(len(split), dtype=bool)
    books = np.array(split.books)
    for c in np.unique(split.labels):
        in_class = split.labels == c
        names, sizes = np.unique(books[in_class], return_counts=True)
        if len(names) < 2:
            continue
        target = share * in_class.sum()
        taken, chosen = 0, []
        for i in rng.permutation(len(names)):
            if taken < target and taken + sizes[i] <= 1.5 * target and len(chosen) + 1 < len(names):
                chosen.append(names[i])
                taken += sizes[i]
        if not chosen:  # every book is big: hold out the smallest
            chosen = [names[np.argmin(sizes)]]
        held |= in_class & np.isin(books, chosen)
    return held


@dataclass
class Prepared:
    """Encoded data ready for training: vocabulary, fit / validation / test splits."""

    classes: list[str]
    vocab: wordvec.Vocab
    fit: Split
    val: Split
    test: Split
    max_len: int


def prepare(
    task: Task, *, min_count: int = 2, max_len: int = 200, val_share: float = 0.15
) -> Prepared:
    """Tokenize once, build the vocabulary from the training split, carve the validation books.

    The texts of the returned splits are their :func:`wordvec.tokenize` tokens joined by
    single spaces, so every later pass splits them with ``tokenizer="whitespace"``.
    """

    def tokenized(split: Split) -> Split:
        return Split(
            [" ".join(wordvec.tokenize(t)) for t in split.texts], split.labels, split.books
        )

    train, test = tokenized(task.train), tokenized(task.test)
    vocab = wordvec.Vocab.build((t.split() for t in train.texts), min_count=min_count)
    held = validation_books(train, share=val_share)
    return Prepared(
        task.classes,
        vocab,
        train.subset(np.flatnonzero(~held)),
        train.subset(np.flatnonzero(held)),
        test,
        max_len,
    )


# ------------------------------------------------------------------------------ vectors


@functools.cache
def load_vectors(path: str, limit: int | None = None) -> Any:
    """Load (once per process) word vectors with :meth:`wordvec.vectors.Vectors.load`."""
    from wordvec.vectors import Vectors

    return Vectors.load(path, limit=limit)


def ensure_wordvec_vectors(path: str | os.PathLike = WORDVEC_PATH) -> Path:
    """Return ``path``, first training it on bench-en with the ``wordvec train`` CLI (default
    settings: dim 100, 5 epochs) if the file does not exist."""
    path = Path(path)
    if path.exists():
        return path
    exe = shutil.which("wordvec")
    cmd = [exe] if exe else [sys.executable, "-m", "wordvec"]
    cmd += ["train", str(BENCH_PATH), "--tokenizer", "whitespace", "-o", str(path)]
    logger.warning("%s is missing; training it: %s", path, " ".join(cmd))
    subprocess.run(cmd, check=True)
    return path


def vectors_for(
    embedding: str,
    glove: str | os.PathLike,
    wordvec_vectors: str | os.PathLike,
    limit: int | None = None,
) -> Any:
    """The pretrained vectors an embedding setting uses (None for ``"random"``)."""
    if embedding.startswith("glove"):
        return load_vectors(str(glove), limit)
    if embedding.startswith("wordvec"):
        return load_vectors(str(ensure_wordvec_vectors(wordvec_vectors)), limit)
    return None


def table(prepared: Prepared, vectors: Any, *, dim: int, seed: int) -> np.ndarray:
    """The initial embedding matrix, one row per vocabulary id, the pad row zero.

    Pretrained: :func:`wordvec.transfer.embedding_matrix` (words missing from the
    vectors get random rows of the vectors' scale). Random: N(0, 0.1^2) (the trained
    bench-en vectors have a per-dimension std of about 0.2, GloVe 6B 50d about 0.7).
    """
    if vectors is not None:
        from wordvec.transfer import embedding_matrix

        return embedding_matrix(prepared.vocab, vectors, oov="random", seed=seed)
    rng = np.random.default_rng(seed)
    matrix = rng.normal(0.0, 0.1, size=(len(prepared.vocab), dim)).astype(np.float32)
    matrix[prepared.vocab.pad_index] = 0.0
    return matrix


def coverage_of(prepared: Prepared, vectors: Any) -> tuple[float, float] | None:
    """(share of vocabulary types, share of training tokens) found in the vectors."""
    if vectors is None:
        return None
    from wordvec.transfer import coverage

    report = coverage(prepared.vocab, vectors)
    return float(report.vocab_share), float(report.token_share)


# ------------------------------------------------------------------------------ metrics


def accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Share of correct predictions."""
    return float(np.mean(np.asarray(y_true) == np.asarray(y_pred)))


def macro_f1(y_true: np.ndarray, y_pred: np.ndarray, num_classes: int) -> float:
    """Unweighted mean over classes of F1 = 2 TP / (2 TP + FP + FN) (0 for an absent class)."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    scores = []
    for c in range(num_classes):
        tp = np.sum((y_pred == c) & (y_true == c))
        fp = np.sum((y_pred == c) & (y_true != c))
        fn = np.sum((y_pred != c) & (y_true == c))
        denom = 2 * tp + fp + fn
        scores.append(2 * tp / denom if denom else 0.0)
    return float(np.mean(scores))


@dataclass
class Result:
    """The outcome of one run."""

    framework: str
    model: str
    embedding: str
    seed: int
    accuracy: float
    macro_f1: float
    seconds: float
    epochs: int
    val_accuracy: float
    coverage: tuple[float, float] | None

    def line(self) -> str:
        cov = (
            "-"
            if self.coverage is None
            else f"{100 * self.coverage[0]:.1f}% of vocabulary, {100 * self.coverage[1]:.1f}% "
            "of tokens"
        )
        return (
            f"{self.framework:>6} {self.model:>5} {self.embedding:<18} seed {self.seed}: "
            f"accuracy {100 * self.accuracy:.1f}%  macro-F1 {100 * self.macro_f1:.1f}%  "
            f"time {self.seconds:.1f} s (best epoch {self.epochs}, validation accuracy "
            f"{100 * self.val_accuracy:.1f}%)  coverage {cov}"
        )


# ------------------------------------------------------------------------------ PyTorch

WHITESPACE = "whitespace"  # the texts of a Prepared are already tokenized


def encode(prepared: Prepared, split: Split) -> tuple[Any, Any]:
    """``(ids (n, seq) int64 tensor, lengths (n,))`` of a split, through ``wordvec.torch``."""
    return wtorch.encode_batch(
        split.texts, prepared.vocab, max_len=prepared.max_len, tokenizer=WHITESPACE
    )


def pad_to(ids: np.ndarray, width: int) -> np.ndarray:
    """Right-pad a ``(n, seq)`` id matrix with zeros to ``(n, width)``."""
    return np.pad(ids, ((0, 0), (0, width - ids.shape[1])))


def torch_model(
    kind: str, matrix: np.ndarray, vocab: wordvec.Vocab, *, freeze: bool, num_classes: int
) -> Any:
    """The PyTorch classifier: ``"mean"`` (masked mean + linear) or ``"cnn"`` (1-D
    convolution, width 3, 100 filters, ReLU, masked max-pool, dropout 0.3, linear)."""
    import torch
    from torch import nn

    class MeanClassifier(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embedding = wtorch.embedding(
                matrix, vocab, freeze=freeze, padding_idx=vocab.pad_index
            )
            self.out = nn.Linear(matrix.shape[1], num_classes)

        def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
            mask = (ids != vocab.pad_index).unsqueeze(-1).to(torch.float32)
            summed = (self.embedding(ids) * mask).sum(dim=1)
            mean = summed / lengths.clamp(min=1).unsqueeze(-1).to(torch.float32)
            return self.out(mean)

    class ConvClassifier(nn.Module):
        def __init__(self, filters: int = 100, width: int = 3) -> None:
            super().__init__()
            self.embedding = wtorch.embedding(
                matrix, vocab, freeze=freeze, padding_idx=vocab.pad_index
            )
            self.conv = nn.Conv1d(matrix.shape[1], filters, width, padding=width // 2)
            self.dropout = nn.Dropout(0.3)
            self.out = nn.Linear(filters, num_classes)

        def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
            h = torch.relu(self.conv(self.embedding(ids).transpose(1, 2)))  # (b, f, seq)
            mask = (ids != vocab.pad_index).unsqueeze(1)
            h = h.masked_fill(~mask, float("-inf")).amax(dim=2)
            h = torch.where(torch.isfinite(h), h, torch.zeros_like(h))  # empty texts
            return self.out(self.dropout(h))

    return MeanClassifier() if kind == "mean" else ConvClassifier()


def train_torch(
    prepared: Prepared,
    kind: str,
    matrix: np.ndarray,
    *,
    freeze: bool,
    seed: int,
    epochs: int,
    lr: float,
    batch_size: int,
    patience: int = 3,
) -> tuple[Any, int, float]:
    """Train with Adam on the fit split; keep the weights of the epoch with the best
    validation accuracy (stop after ``patience`` epochs without improvement)."""
    import torch
    from torch.utils.data import DataLoader

    torch.manual_seed(seed)
    model = torch_model(
        kind, matrix, prepared.vocab, freeze=freeze, num_classes=len(prepared.classes)
    )
    optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=lr)
    loader = DataLoader(
        list(zip(prepared.fit.texts, prepared.fit.labels.tolist())),
        batch_size=batch_size,
        shuffle=True,
        generator=torch.Generator().manual_seed(seed),
        collate_fn=wtorch.collate(prepared.vocab, max_len=prepared.max_len, tokenizer=WHITESPACE),
    )
    val_ids, val_lengths = encode(prepared, prepared.val)
    best, best_state, best_epoch = -1.0, None, 0
    for epoch in range(1, epochs + 1):
        model.train()
        for ids, lengths, labels in loader:
            optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(ids, lengths), labels)
            loss.backward()
            optimizer.step()
        val_acc = accuracy(prepared.val.labels, predict_torch(model, val_ids, val_lengths))
        logger.info("epoch %d: validation accuracy %.3f", epoch, val_acc)
        if val_acc > best:
            best, best_state, best_epoch = val_acc, copy.deepcopy(model.state_dict()), epoch
        elif epoch - best_epoch >= patience:
            break
    model.load_state_dict(best_state)
    return model, best_epoch, best


def predict_torch(model: Any, ids: Any, lengths: Any, batch_size: int = 512) -> np.ndarray:
    """Class ids predicted for a padded batch of ids."""
    import torch

    model.eval()
    out = []
    with torch.no_grad():
        for start in range(0, len(ids), batch_size):
            chunk, lens = ids[start : start + batch_size], lengths[start : start + batch_size]
            width = max(int(lens.max()), 1)
            out.append(model(chunk[:, :width], lens).argmax(dim=1).numpy())
    return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)


# ------------------------------------------------------------------------------ Keras


def train_keras(
    prepared: Prepared,
    matrix: np.ndarray,
    *,
    freeze: bool,
    seed: int,
    epochs: int,
    lr: float,
    batch_size: int,
    patience: int = 3,
) -> tuple[Any, int, float]:
    """Keras mean-pooling model: ``wordvec.keras.embedding`` (mask_zero) ->
    GlobalAveragePooling1D (masked) -> Dense; best validation epoch restored."""
    import keras

    import wordvec.keras as wkeras

    keras.utils.set_random_seed(seed)
    inputs = keras.Input(shape=(prepared.max_len,), dtype="int64")
    x = wkeras.embedding(matrix, prepared.vocab, trainable=not freeze, mask_zero=True)(inputs)
    x = keras.layers.GlobalAveragePooling1D()(x)
    outputs = keras.layers.Dense(len(prepared.classes))(x)
    model = keras.Model(inputs, outputs)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=lr),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    stop = keras.callbacks.EarlyStopping(
        monitor="val_accuracy", mode="max", patience=patience, restore_best_weights=True
    )
    model.fit(
        keras_ids(prepared, prepared.fit),
        prepared.fit.labels,
        validation_data=(keras_ids(prepared, prepared.val), prepared.val.labels),
        epochs=epochs,
        batch_size=batch_size,
        shuffle=True,
        callbacks=[stop],
        verbose=0,
    )
    return model, stop.best_epoch + 1, float(stop.best)


def keras_ids(prepared: Prepared, split: Split) -> np.ndarray:
    """Ids padded to ``max_len`` (Keras wants one fixed length)."""
    return pad_to(encode(prepared, split)[0].numpy(), prepared.max_len)


# ------------------------------------------------------------------------------ runs


def run(
    prepared: Prepared,
    *,
    framework: str = "torch",
    model: str = "mean",
    embedding: str = "random",
    vectors: Any = None,
    seed: int = 0,
    epochs: int | None = None,
    lr: float | None = None,
    batch_size: int = 64,
    dim: int = 50,
    threads: int = 2,
) -> Result:
    """Train one setting and measure it on the test split.

    ``vectors`` are the pretrained vectors of a ``glove-*`` / ``wordvec-*`` setting
    (see :func:`vectors_for`); ``dim`` is the width of the random table; ``epochs`` and
    ``lr`` default to the model's entries of ``MAX_EPOCHS`` and ``LEARNING_RATE``.
    """
    import torch

    torch.set_num_threads(threads)
    if framework == "keras" and model != "mean":
        raise ValueError("the Keras model is mean pooling only; use --framework torch for cnn")
    if (vectors is None) != (embedding == "random"):
        raise ValueError(f"embedding={embedding!r} needs vectors iff it is not 'random'")
    freeze = embedding.endswith("-frozen")
    epochs = MAX_EPOCHS[model] if epochs is None else epochs
    lr = LEARNING_RATE[model] if lr is None else lr
    matrix = table(prepared, vectors, dim=dim, seed=seed)
    start = time.perf_counter()
    if framework == "torch":
        net, best_epoch, val_acc = train_torch(
            prepared,
            model,
            matrix,
            freeze=freeze,
            seed=seed,
            epochs=epochs,
            lr=lr,
            batch_size=batch_size,
            patience=PATIENCE[model],
        )
        seconds = time.perf_counter() - start
        ids, lengths = encode(prepared, prepared.test)
        pred = predict_torch(net, ids, lengths)
    else:
        net, best_epoch, val_acc = train_keras(
            prepared,
            matrix,
            freeze=freeze,
            seed=seed,
            epochs=epochs,
            lr=lr,
            batch_size=batch_size,
            patience=PATIENCE[model],
        )
        seconds = time.perf_counter() - start
        logits = net.predict(keras_ids(prepared, prepared.test), batch_size=512, verbose=0)
        pred = np.asarray(logits).argmax(axis=1)
    y = prepared.test.labels
    return Result(
        framework,
        model,
        embedding,
        seed,
        accuracy(y, pred),
        macro_f1(y, pred, len(prepared.classes)),
        seconds,
        best_epoch,
        val_acc,
        coverage_of(prepared, vectors),
    )


#: The TF-IDF settings searched on the validation books: how the vectorizer cuts the
#: (already tokenized) text, which n-grams it keeps, and logistic regression's C.
TFIDF_GRID = {
    "token_pattern": (r"(?u)\b\w\w+\b", r"\S+"),  # scikit-learn's default; every token
    "ngram_range": ((1, 1), (1, 2)),
    "min_df": (2,),
    "sublinear_tf": (False, True),
    "C": (3.0, 10.0, 30.0),
}


def _tfidf_fit(texts: list[str], labels: np.ndarray, config: dict, seed: int) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    vectorizer = TfidfVectorizer(
        token_pattern=config["token_pattern"],
        ngram_range=config["ngram_range"],
        min_df=config["min_df"],
        sublinear_tf=config["sublinear_tf"],
    )
    classifier = LogisticRegression(C=config["C"], max_iter=3000, random_state=seed)
    return make_pipeline(vectorizer, classifier).fit(texts, labels)


def tfidf_search(prepared: Prepared, *, seed: int = 0) -> tuple[dict, float]:
    """Choose the TF-IDF vectorizer and C on the validation books (trained on the fit split).

    Returns the best configuration of :data:`TFIDF_GRID` and its validation accuracy.
    """
    import itertools

    names = list(TFIDF_GRID)
    best: tuple[dict, float] = ({}, -1.0)
    for values in itertools.product(*TFIDF_GRID.values()):
        config = dict(zip(names, values))
        model = _tfidf_fit(prepared.fit.texts, prepared.fit.labels, config, seed)
        val = accuracy(prepared.val.labels, model.predict(prepared.val.texts))
        logger.info("tfidf %s: validation accuracy %.3f", config, val)
        if val > best[1]:
            best = (config, val)
    return best


def tfidf_baseline(
    prepared: Prepared, *, seed: int = 0, config: dict | None = None, train_on: str = "fit"
) -> Result:
    """TF-IDF + logistic regression, the peer of the embedding models (needs scikit-learn).

    Args:
        prepared: The task.
        seed: Seed of the classifier.
        config: A configuration of :data:`TFIDF_GRID` (one value per key); None chooses it
            on the validation books with :func:`tfidf_search`.
        train_on: ``"fit"`` trains on the same paragraphs as the embedding models;
            ``"all"`` on every training paragraph (the fit split and the validation books),
            as a user with the configuration fixed would.
    """
    val_acc = None
    if config is None:
        config, val_acc = tfidf_search(prepared, seed=seed)
    start = time.perf_counter()
    if train_on == "all":
        texts = prepared.fit.texts + prepared.val.texts
        labels = np.concatenate([prepared.fit.labels, prepared.val.labels])
    else:
        texts, labels = prepared.fit.texts, prepared.fit.labels
    model = _tfidf_fit(texts, labels, config, seed)
    seconds = time.perf_counter() - start
    pred = model.predict(prepared.test.texts)
    if val_acc is None or train_on == "all":
        val_acc = accuracy(prepared.val.labels, model.predict(prepared.val.texts))
    y = prepared.test.labels
    return Result(
        "sklearn",
        "tfidf",
        "-" if train_on == "fit" else "all 7,500 paragraphs",
        seed,
        accuracy(y, pred),
        macro_f1(y, pred, len(prepared.classes)),
        seconds,
        0,
        val_acc,
        None,
    )


# ------------------------------------------------------------------------------ CLI


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--framework", choices=FRAMEWORKS, default="torch")
    parser.add_argument(
        "--model",
        choices=MODELS,
        default="mean",
        help="mean: masked mean + linear; cnn: 1-D conv + max-pool (torch)",
    )
    parser.add_argument("--embedding", choices=EMBEDDINGS, default="glove-frozen")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--epochs",
        type=int,
        default=None,
        help="maximum epochs (default: 20 mean, 8 cnn; best validation epoch kept)",
    )
    parser.add_argument(
        "--lr", type=float, default=None, help="Adam learning rate (default: 1e-2 mean, 3e-3 cnn)"
    )
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
    parser.add_argument("--max-len", type=int, default=200, help="tokens kept per paragraph")
    parser.add_argument("--min-count", type=int, default=2, help="vocabulary min_count")
    parser.add_argument("--dim", type=int, default=50, help="width of the random table")
    parser.add_argument("--task", default=str(TASK_PATH))
    parser.add_argument("--glove", default=str(GLOVE_PATH))
    parser.add_argument(
        "--wordvec-vectors",
        default=str(WORDVEC_PATH),
        help="vectors from `wordvec train` on bench-en (trained if missing)",
    )
    parser.add_argument(
        "--train-per-class",
        type=int,
        default=None,
        help="subsample the training paragraphs (quick runs)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.framework == "keras" and args.model != "mean":
        build_parser().error("--model cnn is available with --framework torch only")
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    task = load_task(args.task, train_per_class=args.train_per_class, seed=args.seed)
    prepared = prepare(task, min_count=args.min_count, max_len=args.max_len)
    print(
        f"{len(prepared.fit)} training paragraphs ({len(prepared.val)} more from held-out "
        f"books for epoch choice), {len(prepared.test)} test paragraphs, "
        f"{len(prepared.vocab)} vocabulary ids"
    )
    vectors = vectors_for(args.embedding, args.glove, args.wordvec_vectors)
    result = run(
        prepared,
        framework=args.framework,
        model=args.model,
        embedding=args.embedding,
        vectors=vectors,
        seed=args.seed,
        epochs=args.epochs,
        lr=args.lr,
        batch_size=args.batch_size,
        dim=args.dim,
        threads=args.threads,
    )
    print(result.line())
    return 0


if __name__ == "__main__":
    sys.exit(main())

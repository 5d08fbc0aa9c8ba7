"""Trainer parameters, declared once: name, type, range, default and help.

A trainer lists its parameters as :class:`Param` objects (its ``PARAMS``). From that one
declaration the engine derives the constructor's validation and signature, ``config()``
and :meth:`load`, and the CLI derives the flags of ``wordvec train`` (``min_count``
becomes ``--min-count``), so the command line cannot drift from the library. The idea
follows scikit-learn's declared parameter constraints.
"""

from __future__ import annotations

import argparse
import codecs
import inspect
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from wordvec._validation import check_bool, check_choice, check_float, check_int

#: Kinds of parameter a :class:`Param` can declare.
KINDS = ("int", "float", "bool", "choice", "tokenizer", "progress", "encoding", "path")


@dataclass(frozen=True)
class Param:
    """One trainer parameter.

    Args:
        name (str): Keyword of the constructor (and ``--flag-name`` on the CLI).
        kind (str): One of :data:`KINDS`: ``"int"``, ``"float"``, ``"bool"``,
            ``"choice"`` (one of ``choices``), ``"tokenizer"`` (a tokenizer name or a
            callable), ``"progress"`` (True, False or "auto"), ``"encoding"`` (a codec
            name) or ``"path"`` (a file path or None).
        default: The default value.
        help (str): One line for the docstring and the CLI.
        minimum, maximum (float | None, default None): Inclusive bounds of numbers.
        exclusive_minimum (bool, default False): The minimum itself is not allowed.
        choices (tuple[str, ...], default ()): Allowed strings of a ``"choice"``.
        allow_none (bool, default False): None is accepted (its meaning is in ``help``).
        cli (bool, default True): Offered as a flag of ``wordvec train``.
        saved (bool, default True): Recorded by ``config()`` and restored by ``load``.

    >>> Param("window", "int", 5, "largest context distance", minimum=1).check(3)
    3
    """

    name: str
    kind: str
    default: Any
    help: str
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    choices: tuple[str, ...] = ()
    allow_none: bool = False
    cli: bool = True
    saved: bool = True

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(
                f"Param {self.name!r}: kind must be one of {KINDS}, got {self.kind!r}."
            )

    @property
    def flag(self) -> str:
        """The CLI flag: ``--`` and the name with dashes.

        >>> Param("min_count", "int", 5, "drop rare words").flag
        '--min-count'
        """
        return "--" + self.name.replace("_", "-")

    def check(self, value: Any) -> Any:
        """Return ``value`` validated (and normalized) for this parameter.

        Raises:
            TypeError: If the value has the wrong type.
            ValueError: If the value is out of range or not an allowed choice.
        """
        if value is None and self.allow_none:
            return None
        name = self.name
        if self.kind == "int":
            return check_int(value, name, minimum=self.minimum, maximum=self.maximum)
        if self.kind == "float":
            return check_float(
                value,
                name,
                minimum=self.minimum,
                maximum=self.maximum,
                exclusive_minimum=self.exclusive_minimum,
            )
        if self.kind == "bool":
            return check_bool(value, name)
        if self.kind == "choice":
            return check_choice(value, name, self.choices)
        return _CHECKS[self.kind](value, name)


def _check_tokenizer(value: Any, name: str) -> Any:
    from wordvec.text import resolve_tokenizer

    resolve_tokenizer(value)
    return value


def _check_progress(value: Any, name: str) -> Any:
    if not (value == "auto" or isinstance(value, bool)):
        raise ValueError(f"{name} must be True, False or 'auto', got {value!r}.")
    return value


def _check_encoding(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a codec name such as 'utf-8', got {value!r}.")
    try:
        codecs.lookup(value)
    except LookupError:
        raise ValueError(
            f"{name}={value!r} is not a known text encoding; use e.g. 'utf-8' or 'latin-1'."
        ) from None
    return value


def _check_path(value: Any, name: str) -> str:
    import os

    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{name} must be a file path or None, got {value!r}.")
    return os.fspath(value)


_CHECKS: dict[str, Callable[[Any, str], Any]] = {
    "tokenizer": _check_tokenizer,
    "progress": _check_progress,
    "encoding": _check_encoding,
    "path": _check_path,
}


def check_params(params: Sequence[Param], values: dict[str, Any], owner: str) -> dict[str, Any]:
    """Return every declared parameter's value: ``values`` checked, defaults filled in.

    Raises:
        TypeError: On a keyword that ``params`` does not declare, or a wrong type.
        ValueError: On a value out of range.

    >>> check_params([Param("dim", "int", 100, "vector size", minimum=1)], {}, "M")
    {'dim': 100}
    """
    names = {p.name for p in params}
    unknown = sorted(set(values) - names)
    if unknown:
        raise TypeError(
            f"{owner}() got unexpected keyword argument(s) {', '.join(map(repr, unknown))}; "
            f"the parameters are: {', '.join(sorted(names))}."
        )
    return {p.name: p.check(values.get(p.name, p.default)) for p in params}


def select(params: Iterable[Param], names: Sequence[str]) -> tuple[Param, ...]:
    """Return the parameters named ``names``, in that order; every one must be used.

    Raises:
        ValueError: If a name is unknown, or a parameter is left out.

    >>> [p.name for p in select(ENGINE_PARAMS, [p.name for p in ENGINE_PARAMS][::-1])][0]
    'checkpoint'
    """
    pool = {p.name: p for p in params}
    if set(names) != set(pool) or len(names) != len(pool):
        raise ValueError(f"the names {sorted(names)} do not match the parameters {sorted(pool)}")
    return tuple(pool[n] for n in names)


def signature(params: Sequence[Param]) -> inspect.Signature:
    """Return the keyword-only constructor signature the parameters describe.

    >>> str(signature([Param("dim", "int", 100, "vector size")]))
    '(*, dim: int = 100)'
    """
    types = {"int": int, "float": float, "bool": bool, "choice": str, "encoding": str}
    out = []
    for p in params:
        ann: Any = types.get(p.kind, Any)
        if p.allow_none and ann is not Any:
            ann = ann | None
        out.append(inspect.Parameter(p.name, inspect.Parameter.KEYWORD_ONLY, default=p.default,
                                     annotation=ann))  # fmt: skip
    return inspect.Signature(out)


def docstring_args(params: Sequence[Param], indent: int = 8) -> str:
    """Return the ``Args:`` lines of a docstring, one per parameter.

    The first line is not indented (it replaces an indented placeholder), the others
    are indented by ``indent`` spaces.

    >>> print(docstring_args([Param("dim", "int", 100, "Vector size.")]))
    dim (int, default 100): Vector size.
    """
    lines = [f"{p.name} ({_type_name(p)}, default {p.default!r}): {p.help}" for p in params]
    return ("\n" + " " * indent).join(lines)


def _type_name(p: Param) -> str:
    name = {"choice": "str", "encoding": "str", "path": "str", "progress": "bool | str"}.get(
        p.kind, p.kind
    )
    if p.kind == "tokenizer":
        name = "str | callable"
    return f"{name} | None" if p.allow_none and p.kind != "path" else name


def add_arguments(parser: argparse.ArgumentParser, params: Iterable[Param]) -> None:
    """Add one flag per CLI parameter to ``parser`` (defaults and ranges from ``params``).

    >>> p = argparse.ArgumentParser()
    >>> add_arguments(p, [Param("min_count", "int", 5, "drop rare words", minimum=1)])
    >>> p.parse_args(["--min-count", "3"]).min_count
    3
    """
    for p in params:
        if not p.cli:
            continue
        help_text = f"{p.help} (default: {p.default})"
        if p.kind == "bool":
            parser.add_argument(p.flag, action=argparse.BooleanOptionalAction, default=p.default,
                                help=help_text)  # fmt: skip
        elif p.kind in ("choice", "tokenizer"):
            choices = p.choices or ("default", "whitespace")
            parser.add_argument(p.flag, choices=choices, default=p.default, help=help_text)
        else:
            parser.add_argument(p.flag, type=_parser_type(p), default=p.default,
                                metavar=p.name.upper(), help=help_text)  # fmt: skip


def _parser_type(p: Param) -> Callable[[str], Any]:
    """An argparse ``type`` that converts a string and checks it with ``p``."""

    def convert(text: str) -> Any:
        if p.allow_none and text.lower() == "none":
            return None
        parse = {"int": int, "float": float}.get(p.kind, str)
        try:
            value = parse(text)
        except ValueError:
            kind = "an integer" if p.kind == "int" else "a number"
            raise argparse.ArgumentTypeError(
                f"expected {kind} such as {p.default}, got {text!r}"
            ) from None
        try:
            return p.check(value)
        except (TypeError, ValueError) as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    convert.__name__ = p.kind
    return convert


def cli_values(args: argparse.Namespace, params: Iterable[Param]) -> dict[str, Any]:
    """Return the constructor keywords that the parsed CLI ``args`` hold."""
    return {p.name: getattr(args, p.name) for p in params if p.cli}


# --------------------------------------------------------------------------- shared


#: The parameters every trainer on the engine has: the corpus pass, vocabulary, threads.
ENGINE_PARAMS: tuple[Param, ...] = (
    Param("dim", "int", 100, "Vector size.", minimum=1),
    Param("min_count", "int", 5, "Drop words seen fewer times.", minimum=1),
    Param("max_vocab", "int", None, "Keep at most this many most frequent words (None: all).",
          minimum=2, allow_none=True),
    Param("epochs", "int", 5, "Passes over the corpus.", minimum=1),
    Param("workers", "int", None, "Training threads (None: all available cores).", minimum=1,
          allow_none=True),
    Param("seed", "int", 1, "Seed of the initialization and of all draws; with workers=1 two "
          "runs give bitwise identical vectors.", minimum=0, maximum=2**63 - 1),
    Param("max_sentence_length", "int", 10_000, "Longer sentences are split.", minimum=1),
    Param("tokenizer", "tokenizer", "default", "'default' (tokenize and lowercase raw text), "
          "'whitespace' (fast, for pre-tokenized text) or a callable str -> list[str]."),
    Param("encoding", "encoding", "utf-8", "Text encoding of the corpus files."),
    Param("encoding_errors", "choice", "strict", "Undecodable bytes: 'strict' stops with the "
          "file and line, 'replace' or 'ignore' go on.", choices=("strict", "replace", "ignore")),
    Param("progress", "progress", "auto", "Progress display on stderr: True, False or 'auto' "
          "(only when stderr is a terminal).", cli=False),
    Param("checkpoint", "path", None, "Save the full model to this file after each epoch "
          "(None: no checkpoints); load() it to continue.", allow_none=True, saved=False),
)  # fmt: skip


#: The parameters of data-parallel training on torch.distributed
#: (:mod:`wordvec.train.distributed`); a trainer that lists them can train across ranks.
DISTRIBUTED_PARAMS: tuple[Param, ...] = (
    Param("distributed", "bool", False, "Train one model across the ranks of a torchrun job "
          "(torch.distributed, gloo); every rank gets the same arguments.", saved=False),
    Param("sync_words", "int", None, "Distributed: words each rank trains between two "
          "weight syncs (None: the trainer's default per worker thread, for Word2Vec "
          "50,000 with skip-gram and 200,000 with CBOW).", minimum=1, allow_none=True,
          saved=False),
    Param("sync", "choice", "auto", "Distributed: sync the rows the text changed ('rows': "
          "of the words a round is expected to hold; whole tables every 32nd sync and at "
          "epoch ends), the same reduced "
          "while the next round trains ('overlap': the other ranks' updates arrive a round "
          "later), whole tables ('full'), or 'auto': the trainer's choice on a corpus of at "
          "least 100 rounds an epoch (for Word2Vec 'overlap' with skip-gram, 'rows' with "
          "CBOW), 'rows' on a smaller one.",
          choices=("auto", "rows", "overlap", "full"), saved=False),
    Param("sync_compression", "choice", "int8", "Distributed: send the updates of rows "
          "syncs and of the periodic full syncs as int8 with a step per row, rounded "
          "without bias ('int8': a quarter of the bytes), or as float32 ('none'). The full "
          "syncs at epoch ends are exact.", choices=("int8", "none"), saved=False),
    Param("checkpoint_dir", "path", None, "Distributed: keep the training state in this "
          "directory (every epoch and every checkpoint_minutes); a restart resumes from it.",
          allow_none=True, saved=False),
    Param("checkpoint_minutes", "float", 30.0, "Distributed: minutes between checkpoints "
          "within an epoch.", minimum=0.0, exclusive_minimum=True, saved=False),
    Param("timeout", "float", 300.0, "Distributed: seconds a rank waits for the others "
          "before the job stops.", minimum=0.0, exclusive_minimum=True, saved=False),
)  # fmt: skip

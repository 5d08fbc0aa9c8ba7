"""Vocab: a two-way map between tokens and integer ids, with counts.

Any hashable token works (words, sub-words, category labels). Ids are assigned
specials first (``<pad>`` = 0, ``<unk>`` = 1 by default), then tokens by
descending count, ties broken by first appearance in the stream, so a build is
deterministic.
"""

from __future__ import annotations

import json
import logging
import os
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from wordvec._io import atomic_write, check_readable
from wordvec._validation import check_int

logger = logging.getLogger(__name__)

_FORMAT = "wordvec.vocab"
_VERSION = 1


class Vocab:
    """A vocabulary: tokens, their ids and their counts.

    Build one from a stream with :meth:`Vocab.build`, or directly from tokens.

    Args:
        tokens (Sequence[Hashable]): The tokens in id order (specials included, first).
        counts (dict | None, default None): Token counts; missing tokens count 0.
        pad_token (Hashable | None, default "<pad>"): The padding token, if it is in
            ``tokens``; None for a vocabulary without padding.
        unk_token (Hashable | None, default "<unk>"): The token unknown tokens map to,
            if it is in ``tokens``; None to make unknown tokens an error.

    Raises:
        ValueError: If a token appears twice, or a named special is not in ``tokens``.

    >>> v = Vocab.build([["the", "cat"], ["the", "dog"]])
    >>> v.encode(["the", "cat", "emu"])
    [2, 3, 1]
    >>> v.decode([2, 4])
    ['the', 'dog']
    """

    def __init__(
        self,
        tokens: Sequence[Hashable],
        counts: dict | None = None,
        *,
        pad_token: Hashable | None = "<pad>",
        unk_token: Hashable | None = "<unk>",
    ) -> None:
        self._tokens = list(tokens)
        self._index = {}
        for i, t in enumerate(self._tokens):
            if t in self._index:
                raise ValueError(
                    f"token {t!r} appears twice in the vocabulary (ids {self._index[t]} and "
                    f"{i}); tokens must be unique."
                )
            self._index[t] = i
        self._counts = {t: int((counts or {}).get(t, 0)) for t in self._tokens}
        for name, special in (("pad_token", pad_token), ("unk_token", unk_token)):
            if special is not None and special not in self._index:
                raise ValueError(
                    f"{name}={special!r} is not among the tokens; add it to the tokens or "
                    f"pass {name}=None."
                )
        self.pad_token = pad_token
        self.unk_token = unk_token

    @classmethod
    def build(
        cls,
        sentences: Iterable[Iterable[Hashable]],
        *,
        min_count: int = 1,
        max_vocab: int | None = None,
        specials: Sequence[Hashable] = ("<pad>", "<unk>"),
        pad_token: Hashable | None = "<pad>",
        unk_token: Hashable | None = "<unk>",
    ) -> Vocab:
        """Count tokens in one pass over a stream and build the vocabulary.

        Args:
            sentences (Iterable[Iterable[Hashable]]): Token lists, e.g. from
                :func:`wordvec.text.iter_sentences`, or labels wrapped as ``[[label], ...]``.
            min_count (int, default 1): Drop tokens seen fewer times.
            max_vocab (int | None, default None): Keep at most this many tokens, specials
                included (the most frequent ones).
            specials (Sequence, default ("<pad>", "<unk>")): Tokens placed first, in this
                order, whatever their counts; ``()`` for none (category labels).
            pad_token (Hashable | None, default "<pad>"): Which special pads; ignored
                (set to None) if it is not in ``specials``.
            unk_token (Hashable | None, default "<unk>"): Which special stands for
                unknown tokens; ignored (None) if it is not in ``specials``.

        Returns:
            Vocab: specials first, then tokens by descending count, ties by first
            appearance.

        Raises:
            ValueError: If ``min_count`` < 1, ``max_vocab`` is smaller than the number of
                specials, or ``specials`` repeats a token.
            TypeError: If a sentence is a plain string (wrap or tokenize it first).

        >>> Vocab.build([["b", "a", "b"]], specials=()).tokens
        ['b', 'a']
        >>> Vocab.build([["red"], ["blue"], ["red"]], specials=("<unk>",)).encode(["red", "x"])
        [1, 0]
        """
        min_count = check_int(min_count, "min_count", minimum=1)
        specials = list(specials)
        if len(set(specials)) != len(specials):
            raise ValueError(f"specials must be distinct, got {specials!r}.")
        max_vocab = check_int(max_vocab, "max_vocab", minimum=len(specials), allow_none=True)
        counter: Counter = Counter()
        for sentence in sentences:
            if isinstance(sentence, str):
                raise TypeError(
                    "Vocab.build expects token lists, got a str sentence "
                    f"{sentence[:40]!r}; tokenize it first, e.g. with "
                    "wordvec.text.iter_sentences(texts)."
                )
            counter.update(sentence)
        # Counter keeps first-appearance order; a stable sort on -count keeps it for ties.
        ordered = sorted(
            (t for t, c in counter.items() if c >= min_count and t not in specials),
            key=lambda t: -counter[t],
        )
        if max_vocab is not None:
            ordered = ordered[: max_vocab - len(specials)]
        logger.info(
            "vocabulary: %d distinct tokens seen, %d kept (min_count=%d, max_vocab=%s)",
            len(counter),
            len(ordered),
            min_count,
            max_vocab,
        )
        return cls(
            specials + ordered,
            dict(counter),
            pad_token=pad_token if pad_token in specials else None,
            unk_token=unk_token if unk_token in specials else None,
        )

    # -- lookups -------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._tokens)

    def __contains__(self, token: object) -> bool:
        try:
            return token in self._index
        except TypeError:  # unhashable
            return False

    def __iter__(self):
        return iter(self._tokens)

    def __repr__(self) -> str:
        head = ", ".join(repr(t) for t in self._tokens[:5])
        more = ", ..." if len(self) > 5 else ""
        return f"Vocab({len(self)} tokens: [{head}{more}])"

    @property
    def tokens(self) -> list:
        """The tokens in id order (a copy)."""
        return list(self._tokens)

    @property
    def counts(self) -> dict:
        """Token -> count seen when building (0 for specials not in the stream)."""
        return dict(self._counts)

    @property
    def pad_index(self) -> int | None:
        """The id of the padding token, or None."""
        return None if self.pad_token is None else self._index[self.pad_token]

    @property
    def unk_index(self) -> int | None:
        """The id unknown tokens map to, or None if unknown tokens are an error."""
        return None if self.unk_token is None else self._index[self.unk_token]

    def index(self, token: Hashable) -> int:
        """Return the id of ``token``.

        Raises:
            KeyError: If ``token`` is not in the vocabulary (whatever ``unk_token``).

        >>> Vocab(["<pad>", "<unk>", "a"]).index("a")
        2
        """
        try:
            return self._index[token]
        except (KeyError, TypeError):
            raise KeyError(
                f"token {token!r} is not in the vocabulary of {len(self)} tokens; use "
                "encode() to map unknown tokens to <unk>."
            ) from None

    def token(self, i: int) -> Hashable:
        """Return the token with id ``i``.

        Raises:
            IndexError: If ``i`` is not in ``[0, len(vocab))``.

        >>> Vocab(["<pad>", "<unk>", "a"]).token(2)
        'a'
        """
        i = check_int(i, "i")
        if not 0 <= i < len(self._tokens):
            raise IndexError(f"id {i} is out of range for a vocabulary of {len(self)} tokens.")
        return self._tokens[i]

    def encode(self, tokens: Iterable[Hashable]) -> list[int]:
        """Map tokens to ids; unknown tokens map to ``unk_index``.

        Raises:
            KeyError: If a token is unknown and the vocabulary has no ``unk_token``; the
                message names the token and its position.

        >>> Vocab.build([["a"]]).encode(["a", "zzz"])
        [2, 1]
        """
        if isinstance(tokens, str):
            raise TypeError(
                f"encode expects a list of tokens, got the str {tokens[:40]!r}; "
                "tokenize it first (wordvec.tokenize)."
            )
        index = self._index
        unk = self.unk_index
        if unk is not None:
            return [index.get(t, unk) for t in tokens]
        ids = []
        for pos, t in enumerate(tokens):
            i = index.get(t)
            if i is None:
                raise KeyError(
                    f"token {t!r} at position {pos} is not in the vocabulary and it has no "
                    "unk_token; build it with specials including '<unk>'."
                )
            ids.append(i)
        return ids

    def decode(self, ids: Iterable[int], *, skip_pad: bool = False) -> list:
        """Map ids back to tokens.

        Args:
            ids (Iterable[int]): Ids in ``[0, len(vocab))``.
            skip_pad (bool, default False): Leave out padding ids.

        Raises:
            IndexError: If an id is out of range; the message names it and its position.

        >>> v = Vocab.build([["a", "b"]])
        >>> v.decode([0, 2, 3], skip_pad=True)
        ['a', 'b']
        """
        arr = np.asarray(list(ids) if not isinstance(ids, np.ndarray) else ids)
        if arr.size and not np.issubdtype(arr.dtype, np.integer):
            raise TypeError(f"ids must be integers, got dtype {arr.dtype}.")
        out = []
        pad = self.pad_index if skip_pad else None
        n = len(self._tokens)
        for pos, i in enumerate(arr.reshape(-1).tolist()):
            if not 0 <= i < n:
                raise IndexError(
                    f"id {i} at position {pos} is out of range for a vocabulary of {n} tokens."
                )
            if i != pad:
                out.append(self._tokens[i])
        return out

    # -- persistence -----------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready description of the vocabulary (tokens must be strings or
        numbers)."""
        return {
            "format": _FORMAT,
            "version": _VERSION,
            "tokens": self._tokens,
            "counts": [self._counts[t] for t in self._tokens],
            "pad_token": self.pad_token,
            "unk_token": self.unk_token,
        }

    def save(self, path: str | os.PathLike) -> None:
        """Write the vocabulary to a small JSON file, atomically.

        Raises:
            TypeError: If a token is not a string, number or bool (JSON cannot hold it).

        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "vocab.json"
        >>> v = Vocab.build([["a", "b", "a"]])
        >>> v.save(p); Vocab.load(p).tokens == v.tokens
        True
        """
        for t in self._tokens:
            if not isinstance(t, (str, int, float, bool)):
                raise TypeError(
                    f"cannot save token {t!r} of type {type(t).__name__} as JSON; map "
                    "tokens to strings first."
                )
        with atomic_write(path, text=True) as f:
            json.dump(self.to_dict(), f, ensure_ascii=False)

    @classmethod
    def load(cls, path: str | os.PathLike) -> Vocab:
        """Read a vocabulary written by :meth:`save`.

        Raises:
            FileNotFoundError: If ``path`` does not exist.
            ValueError: If the file is not a wordvec vocabulary.
        """
        p = check_readable(path, "vocabulary file")
        try:
            data = json.loads(Path(p).read_text(encoding="utf-8"))
        except json.JSONDecodeError as e:
            raise ValueError(f"{str(p)!r} is not valid JSON ({e}); expected a vocab file.") from e
        if not isinstance(data, dict) or data.get("format") != _FORMAT:
            raise ValueError(
                f"{str(p)!r} is not a wordvec vocabulary file (no 'format': {_FORMAT!r})."
            )
        tokens = data["tokens"]
        if len(data["counts"]) != len(tokens):
            raise ValueError(f"{str(p)!r}: {len(tokens)} tokens but {len(data['counts'])} counts.")
        return cls(
            tokens,
            dict(zip(tokens, data["counts"])),
            pad_token=data.get("pad_token"),
            unk_token=data.get("unk_token"),
        )

"""Word completion and "did you mean" over a whole vocabulary, from one sorted index.

:class:`Completer` sorts the case-folded words once; a prefix is then a contiguous
range of that order, found by two binary searches (``bisect``), so completing over
400k words costs microseconds, not a scan. Within the range the most frequent words
come first (a lower frequency rank wins); an exact match always leads.
"""

from __future__ import annotations

import bisect
import difflib
from collections.abc import Sequence

import numpy as np

from wordvec._validation import check_int

#: Candidates per prefix length that :meth:`Completer.close_matches` compares by spelling.
CLOSE_CANDIDATES = 1000


class Completer:
    """Prefix completion and close matches over ``words``, most frequent first.

    Args:
        words (Sequence[str]): The vocabulary, unique words.
        ranks (array-like | None, default None): Frequency rank of each word (0 = most
            frequent); None means the row order is the frequency order, as in the files
            (GloVe, word2vec) that list frequent words first.

    Raises:
        ValueError: If ``ranks`` does not hold one number per word.

    >>> c = Completer(["the", "there", "then", "The", "cat"])
    >>> c.complete("the", k=3)
    ['the', 'The', 'there']
    >>> c.close_matches("teh")
    ['the', 'The']
    """

    def __init__(self, words: Sequence[str], ranks: np.ndarray | None = None) -> None:
        self._words = list(words)
        n = len(self._words)
        if ranks is None:
            self._ranks = np.arange(n, dtype=np.int64)
        else:
            self._ranks = np.asarray(ranks, dtype=np.int64)
            if self._ranks.shape != (n,):
                raise ValueError(
                    f"ranks must hold one rank per word: {n} words, got shape {self._ranks.shape}."
                )
        folded = [w.casefold() for w in self._words]
        # A stable sort of the rows in frequency order: equal keys stay ranked.
        by_rank = np.argsort(self._ranks, kind="stable").tolist()
        order = sorted(by_rank, key=folded.__getitem__)
        self._order = np.asarray(order, dtype=np.int64)
        self._keys = [folded[i] for i in order]

    def __len__(self) -> int:
        return len(self._words)

    def prefix_range(self, prefix: str) -> tuple[int, int]:
        """Return ``(lo, hi)``: the positions in the sorted index of the words that start
        with ``prefix`` (case-insensitive).

        >>> Completer(["ab", "b", "abc"]).prefix_range("ab")
        (0, 2)
        """
        key = prefix.casefold()
        lo = bisect.bisect_left(self._keys, key)
        if not key:
            return lo, len(self._keys)
        last = ord(key[-1])
        if last >= 0x10FFFF:  # no code point after it: scan the (tiny) tail instead
            hi = lo
            while hi < len(self._keys) and self._keys[hi].startswith(key):
                hi += 1
            return lo, hi
        upper = key[:-1] + chr(last + 1)
        return lo, bisect.bisect_left(self._keys, upper, lo)

    def _most_frequent(self, lo: int, hi: int, k: int) -> np.ndarray:
        rows = self._order[lo:hi]
        if rows.size > k:
            rows = rows[np.argpartition(self._ranks[rows], k - 1)[:k]]
        return rows[np.argsort(self._ranks[rows], kind="stable")]

    def complete(self, prefix: str, k: int = 10) -> list[str]:
        """Return up to ``k`` words starting with ``prefix`` (case-insensitive).

        Words that equal the prefix (up to case) come first, then the rest by
        frequency.

        Args:
            prefix (str): The start of a word; ``""`` gives the most frequent words.
            k (int, default 10): How many words at most.

        Returns:
            list[str]: The words, best first.

        Raises:
            ValueError: If ``k`` < 1.

        >>> Completer(["cat", "cab", "dog", "ca"]).complete("CA", k=2)
        ['ca', 'cat']
        """
        k = check_int(k, "k", minimum=1)
        lo, hi = self.prefix_range(prefix)
        if lo == hi:
            return []
        key = prefix.casefold()
        exact_hi = bisect.bisect_right(self._keys, key, lo, hi)
        exact = self._most_frequent(lo, exact_hi, k)
        rest = self._most_frequent(exact_hi, hi, k - exact.size) if exact.size < k else exact[:0]
        return [self._words[i] for i in np.concatenate([exact, rest]).tolist()]

    def close_matches(self, word: str, k: int = 5) -> list[str]:
        """Return up to ``k`` words spelled like ``word`` (for "did you mean").

        Other-case spellings come first; then ``difflib`` ranks, by similarity of
        spelling, the most frequent words that share the first one, two or three
        letters with ``word`` (at most :data:`CLOSE_CANDIDATES` words each).

        Args:
            word (str): A word, usually one that is missing.
            k (int, default 5): How many suggestions at most.

        Returns:
            list[str]: Suggestions, best first; never ``word`` itself.

        >>> Completer(["king", "kings", "queen"]).close_matches("kinq")
        ['king', 'kings']
        """
        k = check_int(k, "k", minimum=1)
        key = word.casefold()
        if not key:
            return []
        lo, hi = self.prefix_range(key)
        same = [self._words[i] for i in self._most_frequent(lo, hi, k + 1).tolist()]
        found = [w for w in same if w.casefold() == key and w != word]
        groups: dict[str, list[int]] = {}  # folded spelling -> rows, most frequent first
        for size in (3, 2, 1):
            lo, hi = self.prefix_range(key[:size])
            for i in self._most_frequent(lo, hi, CLOSE_CANDIDATES).tolist():
                rows = groups.setdefault(self._words[i].casefold(), [])
                if i not in rows:
                    rows.append(i)
        groups.pop(key, None)
        close = difflib.get_close_matches(key, list(groups), n=3 * k, cutoff=0.6)
        # Equally close spellings: the more frequent word first ("kng": king, not kung).
        scored = [(-difflib.SequenceMatcher(None, key, f).ratio(), f) for f in close]
        for _, folded in sorted(scored, key=lambda s: (s[0], min(self._ranks[groups[s[1]]]))):
            rows = sorted(groups[folded], key=lambda i: self._ranks[i])
            found.extend(self._words[i] for i in rows)
        return found[:k]

"""Data shipped inside the package: the default training corpus and two test sets.

See ``ATTRIBUTION.md`` beside this file for sources and licences.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources
from pathlib import Path

from wordvec._validation import check_choice

_FILES = {
    "default-books-en": "default-books-en.txt.gz",
    "questions-words": "questions-words.txt",
    "wordsim353": "wordsim353.tsv",
}

NAMES = tuple(_FILES)


def path(name: str) -> Path:
    """Return the path of a bundled file.

    Args:
        name (str): ``"default-books-en"`` (the training corpus, gzipped text),
            ``"questions-words"`` (analogies) or ``"wordsim353"`` (word-pair similarity).

    Raises:
        ValueError: If ``name`` is not one of the bundled files.

    >>> path("questions-words").name
    'questions-words.txt'
    """
    check_choice(name, "name", NAMES)
    return Path(str(resources.files(__name__).joinpath(_FILES[name])))


def default_corpus() -> Path:
    """Return the path of the bundled training corpus (2.9M words of public-domain novels).

    >>> default_corpus().name
    'default-books-en.txt.gz'
    """
    return path("default-books-en")


def default_sentences(*, max_sentence_length: int = 10_000) -> Iterator[list[str]]:
    """Stream the bundled corpus as lowercase token lists, one line at a time.

    >>> next(iter(default_sentences()))
    ['illustration']
    """
    from wordvec.text import iter_sentences

    return iter_sentences(default_corpus(), max_sentence_length=max_sentence_length)

"""fastText ``.vec`` format: the word2vec text format (``count dim`` header, one line a word).

fastText's ``.bin`` model files (with subword buckets) are not word vectors and are
not read here.

>>> import numpy as np, tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "v.vec"
>>> write(p, ["a"], np.array([[1.5, 2.0]], dtype=np.float32))
>>> p.read_text()
'1 2\\na 1.5 2\\n'
"""

from __future__ import annotations

from wordvec.vectors.formats._text import TextFormat

NAME = "fasttext"
FORMAT = TextFormat(NAME, header=True)
read = FORMAT.read
write = FORMAT.write

"""word2vec text format: a ``count dim`` header, then one ``word f1 ... f_dim`` line per word.

>>> import numpy as np, tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "v.txt"
>>> write(p, ["a", "b"], np.array([[0.5, -1.0], [2.0, 0.25]], dtype=np.float32))
>>> p.read_text()
'2 2\\na 0.5 -1\\nb 2 0.25\\n'
>>> read(p).vectors.shape
(2, 2)
"""

from __future__ import annotations

from wordvec.vectors.formats._text import TextFormat

NAME = "word2vec"
FORMAT = TextFormat(NAME, header=True)
read = FORMAT.read
write = FORMAT.write

"""GloVe text format: one ``word f1 ... f_dim`` line per word, no header.

>>> import numpy as np, tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "v.txt"
>>> write(p, ["a", "b"], np.array([[0.5, -1.0], [2.0, 1e-05]], dtype=np.float32))
>>> p.read_text()
'a 0.5 -1\\nb 2 1e-05\\n'
>>> read(p).words
['a', 'b']
"""

from __future__ import annotations

from wordvec.vectors.formats._text import TextFormat

NAME = "glove"
FORMAT = TextFormat(NAME, header=False)
read = FORMAT.read
write = FORMAT.write

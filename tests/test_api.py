import subprocess
import sys

import wordvec


def test_every_public_name_resolves_and_is_documented():
    for name in wordvec.__all__:
        obj = getattr(wordvec, name)
        assert obj.__doc__ and obj.__doc__.strip(), name
        assert ">>>" in obj.__doc__, f"{name} has no example"


def test_import_is_light():
    # `import wordvec` must not start numba or the heavy modules (fast CLI start-up).
    code = "import sys, wordvec; print('numba' in sys.modules, 'wordvec.vectors' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wordvec import one_hot, pad_sequences

seqs_strategy = st.lists(st.lists(st.integers(1, 50), max_size=8), min_size=1, max_size=6)


@settings(max_examples=60, deadline=None)
@given(
    seqs=seqs_strategy,
    maxlen=st.one_of(st.none(), st.integers(1, 10)),  # keras itself fails on maxlen=0
    padding=st.sampled_from(["pre", "post"]),
    truncating=st.sampled_from(["pre", "post"]),
    value=st.integers(-1, 3),
)
def test_matches_keras(seqs, maxlen, padding, truncating, value):
    keras = pytest.importorskip("keras")
    expected = keras.utils.pad_sequences(
        seqs, maxlen=maxlen, padding=padding, truncating=truncating, value=value
    )
    got = pad_sequences(seqs, maxlen=maxlen, padding=padding, truncating=truncating, value=value)
    assert got.dtype == expected.dtype
    np.testing.assert_array_equal(got, expected)


def test_float_dtype_and_errors():
    out = pad_sequences([[0.5]], maxlen=2, dtype="float32", value=-1.0)
    np.testing.assert_array_equal(out, [[-1.0, 0.5]])
    with pytest.raises(ValueError, match="padding"):
        pad_sequences([[1]], padding="middle")
    with pytest.raises(ValueError, match="maxlen"):
        pad_sequences([[1]], maxlen=-1)
    with pytest.raises(TypeError, match="sequence 1"):
        pad_sequences([[1], 5])


def test_one_hot_matches_lookup():
    rng = np.random.default_rng(0)
    E = rng.normal(size=(7, 3)).astype(np.float32)
    X = rng.integers(0, 7, size=(4, 5))
    np.testing.assert_allclose(one_hot(X, 7) @ E, E[X], rtol=1e-6)
    assert one_hot(X, 7).shape == (4, 5, 7)
    with pytest.raises(IndexError, match="got 7 at position"):
        one_hot([0, 7], 7)
    with pytest.raises(TypeError, match="integers"):
        one_hot([0.5], 3)


def test_maxlen_zero_gives_empty_rows():
    # keras.utils.pad_sequences raises a broadcast error here; an empty batch is right
    assert pad_sequences([[1, 2], []], maxlen=0).shape == (2, 0)

"""The explorer's JSON API through the ASGI test client, on real GloVe vectors."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor, as_completed

import numpy as np
import pytest

pytest.importorskip("starlette")
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from wordvec import Vectors
from wordvec.serve import create_app
from wordvec.serve.params import MAX_K, MAX_POINTS, MAX_WORD_CHARS

WORDS = 20_000


@pytest.fixture(scope="module")
def glove_path(shared_data):
    return shared_data / "vectors" / "glove.6B.50d.txt.gz"


@pytest.fixture(scope="module")
def glove(glove_path) -> Vectors:
    return Vectors.load(glove_path, limit=WORDS)


@pytest.fixture(scope="module")
def client(glove, glove_path):
    with TestClient(create_app(glove, source=glove_path, map_words=1000)) as c:
        yield c


def get_json(client, path, status=200, **params):
    response = client.get(path, params=params)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


def test_info_shows_the_facts_of_the_file(client, glove_path):
    info = get_json(client, "/api/info")
    assert info["file"] == str(glove_path)
    assert info["format"] == "glove"
    assert info["file_bytes"] == glove_path.stat().st_size
    assert (info["words"], info["dim"], info["dtype"]) == (WORDS, 50, "float32")
    assert info["has_counts"] is False
    assert info["examples"][:3] == ["the", ",", "."]
    assert {"pca", "custom"} <= set(info["methods"])
    assert info["map_words"] == 1000


def test_complete_returns_frequent_words_with_the_prefix(client, glove):
    got = get_json(client, "/api/complete", q="kin", k=5)["completions"]
    assert got[:2] == ["kin", "king"]
    assert len(got) == 5 and all(w.startswith("kin") for w in got)
    rows = [glove.index(w) for w in got[1:]]
    assert rows == sorted(rows)  # most frequent first (GloVe lists words by frequency)
    assert get_json(client, "/api/complete", q="")["completions"][:2] == ["the", ","]
    assert get_json(client, "/api/complete", q="qxzv")["completions"] == []


def test_neighbors_are_those_of_the_store(client, glove):
    body = get_json(client, "/api/neighbors", word="king", k=10)
    expected = glove.most_similar("king", topn=10)
    assert [n["word"] for n in body["neighbors"]] == [w for w, _ in expected]
    np.testing.assert_allclose(
        [n["score"] for n in body["neighbors"]], [s for _, s in expected], atol=1e-4
    )
    assert "queen" in [n["word"] for n in body["neighbors"]]


def test_analogy_and_similarity(client, glove):
    body = get_json(client, "/api/analogy", a="man", b="king", c="woman", k=3)
    assert body["answers"][0]["word"] == "queen"
    assert len(body["answers"]) == 3
    body = get_json(client, "/api/similarity", a="cat", b="dog")
    assert body["similarity"] == pytest.approx(glove.similarity("cat", "dog"), abs=1e-4)


def test_projection_maps_the_most_frequent_words_and_places_the_query(client, glove):
    body = get_json(client, "/api/projection", n=500, word="paris", k=5)
    assert body["method"] == "pca" and body["words"] == glove.words[:500]
    assert len(body["x"]) == len(body["y"]) == 500
    assert np.std(body["x"]) > 0 and np.std(body["y"]) > 0
    query = body["query"]
    assert query["words"][0] == "paris" and len(query["words"]) == 6
    assert query["words"][1:] == [w for w, _ in glove.most_similar("paris", topn=5)]
    assert body["labels"][0].startswith("PC1 (")
    # The map of the same n is cached: asking only for the query gives the same place.
    only = get_json(client, "/api/projection", n=500, word="paris", k=5, points="query")
    assert "words" not in only and only["query"] == query


def test_projection_of_the_first_map_is_the_default(client):
    body = get_json(client, "/api/projection")
    assert len(body["words"]) == 1000 and body["query"] is None


def test_custom_axes_put_queen_right_of_king(client):
    axes = {"method": "custom", "n": 200, "xa": "woman", "xb": "man", "ya": "young", "yb": "old"}
    place = {
        word: get_json(client, "/api/projection", word=word, k=3, points="query", **axes)
        for word in ("queen", "king")
    }
    assert place["queen"]["labels"] == ["woman - man", "young - old"]
    assert place["queen"]["query"]["x"][0] > place["king"]["query"]["x"][0]


def test_tsne_map_places_only_words_on_it(client):
    pytest.importorskip("sklearn")
    body = get_json(client, "/api/projection", method="tsne", n=100, word="the", k=40)
    query = body["query"]
    assert len(body["words"]) == 100
    assert set(query["words"]) <= set(body["words"])
    assert query["unplaced"] and not set(query["unplaced"]) & set(body["words"])


def test_the_page_and_its_files_are_served(client):
    page = client.get("/")
    assert page.status_code == 200 and 'type="search"' in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    for name, kind in (("app.js", "text/javascript"), ("style.css", "text/css")):
        response = client.get(f"/static/{name}")
        assert response.status_code == 200 and response.headers["content-type"].startswith(kind)
    for path in ("/static/index.html", "/static/..%2fapp.py", "/static/missing.js", "/nope"):
        body = get_json(client, path, status=404)
        assert body["error"]


BAD_REQUESTS = [
    ("/api/neighbors", {}, "missing parameter 'word'"),
    ("/api/neighbors", {"word": "king", "k": "0"}, "between 1 and 100"),
    ("/api/neighbors", {"word": "king", "k": str(MAX_K + 1)}, "between 1 and 100"),
    ("/api/neighbors", {"word": "king", "k": "ten"}, "whole number"),
    ("/api/neighbors", {"word": "king", "k": "1e3"}, "whole number"),
    ("/api/neighbors", {"word": "king", "topn": "3"}, "unknown parameter 'topn'"),
    ("/api/neighbors", {"word": "   "}, "is empty"),
    ("/api/neighbors", {"word": "a" * (MAX_WORD_CHARS + 1)}, "at most 100"),
    ("/api/neighbors", [("word", "king"), ("word", "queen")], "given twice"),
    ("/api/complete", {"q": "a" * (MAX_WORD_CHARS + 1)}, "at most 100"),
    ("/api/analogy", {"a": "man", "b": "king"}, "missing parameter 'c'"),
    ("/api/similarity", {"a": "cat"}, "missing parameter 'b'"),
    ("/api/projection", {"n": "0"}, "between 1 and"),
    ("/api/projection", {"n": str(MAX_POINTS + 1)}, "between 1 and"),
    ("/api/projection", {"method": "umap"}, "must be one of pca, custom, tsne"),
    ("/api/projection", {"method": "custom"}, "needs the axis words"),
    ("/api/projection", {"xa": "woman"}, "for method=custom"),
    (
        "/api/projection",
        {"method": "custom", "xa": "man", "xb": "man", "ya": "a", "yb": "b"},
        "no direction",
    ),
    ("/api/projection", {"method": "tsne", "n": "6000"}, "at most 5,000"),
    ("/api/projection", {"points": "some"}, "must be one of all, query"),
    ("/api/info", {"verbose": "1"}, "unknown parameter"),
]


@pytest.mark.parametrize(("path", "params", "fragment"), BAD_REQUESTS)
def test_bad_parameters_get_a_400_that_says_why(client, path, params, fragment):
    response = client.get(path, params=params)
    assert response.status_code == 400, response.text
    body = response.json()
    assert fragment in body["error"]


@pytest.mark.parametrize(
    ("path", "params", "parameter"),
    [
        ("/api/neighbors", {"word": "kng"}, "word"),
        ("/api/analogy", {"a": "man", "b": "kng", "c": "woman"}, "b"),
        ("/api/similarity", {"a": "kng", "b": "queen"}, "a"),
        ("/api/projection", {"word": "kng"}, "word"),
        (
            "/api/projection",
            {"method": "custom", "xa": "kng", "xb": "man", "ya": "young", "yb": "old"},
            "xa",
        ),
    ],
)
def test_unknown_words_get_a_404_with_close_matches(client, path, params, parameter):
    response = client.get(path, params=params)
    assert response.status_code == 404
    body = response.json()
    assert body["word"] == "kng" and body["parameter"] == parameter
    assert body["suggestions"][0] == "king"
    assert "not in these vectors" in body["error"] and "Did you mean 'king'?" in body["error"]


def test_other_methods_and_hosts_are_refused(client, glove):
    response = client.post("/api/neighbors", params={"word": "king"})
    assert response.status_code == 405 and "GET" in response.json()["error"]
    guarded = TestClient(
        create_app(glove, allowed_hosts=["127.0.0.1"]), base_url="http://evil.example"
    )
    assert guarded.get("/api/info").status_code == 400


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(word=st.text(min_size=0, max_size=120), k=st.text(max_size=6))
def test_no_input_makes_a_server_error(client, word, k):
    for path, params in (
        ("/api/neighbors", {"word": word, "k": k}),
        ("/api/complete", {"q": word}),
        ("/api/similarity", {"a": word, "b": "king"}),
    ):
        response = client.get(path, params=params)
        assert response.status_code in (200, 400, 404), (path, params, response.text)
        assert "error" in response.json() or response.status_code == 200


def test_a_burst_of_concurrent_requests_is_answered(client):
    """120 mixed requests from 16 threads, bounded in count and in time (60 s)."""
    words = ["king", "queen", "paris", "france", "water", "music", "river", "kng"]
    requests = []
    for i in range(120):
        w = words[i % len(words)]
        requests.append(
            [
                ("/api/neighbors", {"word": w, "k": 10}),
                ("/api/complete", {"q": w[:2]}),
                ("/api/analogy", {"a": "man", "b": "king", "c": w}),
                ("/api/projection", {"n": 1000, "word": w, "points": "query"}),
            ][i % 4]
        )
    started = time.monotonic()
    statuses = []
    with ThreadPoolExecutor(max_workers=16) as pool:
        futures = [pool.submit(client.get, path, params=params) for path, params in requests]
        for future in as_completed(futures, timeout=60):
            statuses.append(future.result().status_code)
    assert len(statuses) == 120
    assert set(statuses) <= {200, 404}
    assert statuses.count(404) == sum(1 for _, p in requests if "kng" in p.values())
    assert time.monotonic() - started < 60
    assert get_json(client, "/api/neighbors", word="king", k=1)["neighbors"][0]["word"] == "prince"

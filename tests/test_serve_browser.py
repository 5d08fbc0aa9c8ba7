"""End to end: `wordvec serve` in a subprocess, driven by Playwright in Debian's chromium.

The browser test skips when chromium or Playwright is missing, unless
``WORDVEC_REQUIRE_BROWSER=1`` (CI) makes that a failure.
"""

from __future__ import annotations

import gzip
import itertools
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

import pytest

from wordvec.datasets import default_corpus
from wordvec.train import Word2Vec

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REQUIRE_BROWSER = os.environ.get("WORDVEC_REQUIRE_BROWSER") == "1"
EVERY = 20  # train on every 20th paragraph of the bundled corpus (about 0.15M words)
START_TIMEOUT = 90.0  # seconds for the server to load the vectors and listen


def _unavailable(reason: str) -> None:
    if REQUIRE_BROWSER:
        pytest.fail(f"{reason}, and WORDVEC_REQUIRE_BROWSER=1 requires the browser test")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def api(base: str, endpoint: str, **params) -> dict:
    url = f"{base}/api/{endpoint}?{urllib.parse.urlencode(params)}"
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> Path:
    """Vectors trained on a slice of the bundled corpus, saved in the native format."""
    folder = tmp_path_factory.mktemp("serve")
    with gzip.open(default_corpus(), "rt", encoding="utf-8") as f:
        text = "".join(itertools.islice(f, 0, None, EVERY))
    corpus = folder / "slice.txt"
    corpus.write_text(text, encoding="utf-8")
    model = Word2Vec(dim=50, epochs=10, min_count=5, workers=2, seed=1, progress=False)
    path = folder / "vectors.safetensors"
    model.fit(corpus).save(path)
    return path


@pytest.fixture(scope="module")
def server(trained):
    """`wordvec serve` on a free 127.0.0.1 port; yields its base URL."""
    pytest.importorskip("uvicorn")
    port = free_port()
    cmd = [sys.executable, "-m", "wordvec", "serve", str(trained), "--port", str(port)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail(f"wordvec serve exited with {proc.returncode}: {proc.stdout.read()}")
            try:
                api(base, "info")
                break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline:
                    pytest.fail(f"wordvec serve did not answer within {START_TIMEOUT} s")
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed")
    if not CHROMIUM.exists():
        _unavailable(f"chromium is not installed at {CHROMIUM}")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def test_search_neighbours_analogy_and_map_in_a_real_browser(server, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.set_default_timeout(20_000)
    page.goto(server)
    page.wait_for_selector("body[data-ready=true]")

    # Search with completion: typing a prefix offers the word; picking it lists neighbours.
    box = page.locator("input[type=search]")
    box.press_sequentially("whal", delay=30)
    suggestion = page.locator("#suggestions li", has_text="whale").first
    suggestion.wait_for()
    suggestion.click()
    expected = [n["word"] for n in api(server, "neighbors", word="whale", k=15)["neighbors"]]
    page.wait_for_function("() => document.querySelectorAll('#neighbors li').length === 15")
    shown = page.locator("#neighbors button.neighbor").all_inner_texts()
    assert shown == expected
    assert page.locator("#neighbors-of").inner_text() == "of “whale”"
    page.screenshot(path=tmp_path / "search.png")

    # Clicking a neighbour searches it.
    other = expected[1]
    page.locator("#neighbors button.neighbor", has_text=other).first.click()
    page.wait_for_function(
        "w => document.querySelector('#neighbors-of').textContent.includes(w)", arg=other
    )
    assert box.input_value() == other
    again = [n["word"] for n in api(server, "neighbors", word=other, k=15)["neighbors"]]
    page.wait_for_function(
        "w => document.querySelector('#neighbors button.neighbor').textContent === w", arg=again[0]
    )
    assert page.locator("#neighbors button.neighbor").all_inner_texts() == again

    # An analogy.
    page.fill("#analogy-form [name=a]", "man")
    page.fill("#analogy-form [name=b]", "king")
    page.fill("#analogy-form [name=c]", "woman")
    page.click("#analogy-form button[type=submit]")
    page.wait_for_selector("#analogy-results li")
    answer = api(server, "analogy", a="man", b="king", c="woman", k=8)["answers"][0]["word"]
    assert page.locator("#analogy-results button.neighbor").first.inner_text() == answer
    assert answer in page.locator("#analogy-status").inner_text()

    # The map drew its points (counted by the page and seen as dark pixels on the canvas).
    page.click("#reset-view")
    page.wait_for_function("() => Number(document.querySelector('#map').dataset.points) >= 2000")
    inked = page.evaluate(
        """() => {
        const c = document.querySelector('#map');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
        return n;
    }"""
    )
    assert inked > 2000
    page.screenshot(path=tmp_path / "analogy.png")
    assert (tmp_path / "search.png").stat().st_size > 10_000
    assert problems == []
    page.close()


def test_the_server_survives_a_burst_over_http(server):
    """120 requests from 12 threads against the real server, bounded by a 60 s timeout."""
    words = ["whale", "ship", "king", "love", "sea", "elizabeth"]
    jobs = [
        ("neighbors", {"word": words[i % len(words)], "k": 10})
        if i % 2
        else ("complete", {"q": words[i % len(words)][:2]})
        for i in range(120)
    ]
    with ThreadPoolExecutor(max_workers=12) as pool:
        futures = [pool.submit(api, server, endpoint, **params) for endpoint, params in jobs]
        answers = [f.result() for f in as_completed(futures, timeout=60)]
    assert len(answers) == 120
    assert all(a.get("neighbors") or a.get("completions") for a in answers)
    with pytest.raises(urllib.error.HTTPError) as err:
        api(server, "neighbors", word="whalez")
    assert err.value.code == 404
    assert "whale" in json.loads(err.value.read())["suggestions"]

"""Benchmark: `wordvec serve` on GloVe 6B 50d (400k words), measured from outside.

Starts ``wordvec serve`` as a subprocess on a free 127.0.0.1 port and measures, with
real HTTP clients against the running server:

- page usable: Playwright drives Debian's chromium; the time from ``page.goto`` until
  the page has loaded its facts and drawn its first map (2,000 points) and the search
  box is enabled (``body[data-ready]``), then until a search shows its neighbours;
- completion and neighbour latency: ``http.client`` on a keep-alive connection, one
  request at a time, prefixes and words drawn from the 50k most frequent words;
- a PCA map of 10k (and 50k) words: ``/api/projection?n=...`` with ``n`` varied by one
  word per repeat so that each request fits a new map (no cache hit).

Peers, timed in this process (no HTTP) right after each request they are compared with,
so that both see the same load, with one BLAS thread as the server: gensim's
``KeyedVectors.most_similar`` (one query) and scikit-learn's ``PCA.fit_transform`` on the
same unit vectors. ``--index`` serves a native copy with an HNSW approximate-neighbour
index beside it (``Vectors.build_index``), which ``wordvec serve`` loads and queries.
The Embedding Projector, the tool people use today, runs in the browser and cannot be
driven here.

Targets (issue 17): page usable < 2 s, completion and neighbours p95 < 50 ms, PCA map of
10k words < 1 s.

Run by hand:  python benchmarks/serve.py [--requests 300] [--loads 5] [--index]
              [--screenshot docs/serve.png]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Any

import numpy as np

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
GLOVE_GZ = DATA / "vectors" / "glove.6B.50d.txt.gz"
CHROMIUM = "/usr/bin/chromium"
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(path: Path, port: int) -> tuple[subprocess.Popen, float]:
    started = time.perf_counter()
    cmd = [sys.executable, "-m", "wordvec", "serve", str(path), "--port", str(port)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"wordvec serve exited with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/info")
            if conn.getresponse().status == 200:
                return proc, time.perf_counter() - started
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("wordvec serve did not start within 300 s")


def timed_gets(port: int, paths: list[str]) -> list[float]:
    """Milliseconds of each GET, one at a time on one keep-alive connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    times = []
    for path in paths:
        t0 = time.perf_counter()
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read()
        times.append(1000 * (time.perf_counter() - t0))
        if response.status not in (200, 404):
            raise SystemExit(f"{path} answered {response.status}: {body[:200]!r}")
    conn.close()
    return times


def summary(name: str, ms: list[float]) -> dict[str, float]:
    p50, p95 = np.percentile(ms, [50, 95])
    print(f"{name:<22} n={len(ms):<5} p50 {p50:7.2f} ms  p95 {p95:7.2f} ms  max {max(ms):7.2f} ms")
    return {"p50": float(p50), "p95": float(p95)}


def page_load(port: int, loads: int) -> tuple[list[float], list[float]]:
    from playwright.sync_api import sync_playwright

    ready, searched = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for i in range(loads):
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            t0 = time.perf_counter()
            page.goto(f"http://127.0.0.1:{port}/")
            page.wait_for_selector("body[data-ready=true]", timeout=30_000)
            ready.append(time.perf_counter() - t0)
            word = ["king", "ocean", "music", "river", "science"][i % 5]
            t1 = time.perf_counter()
            page.fill("input[type=search]", word)
            page.press("input[type=search]", "Enter")
            page.wait_for_function(
                "w => document.querySelector('#neighbors-of').textContent.includes(w)"
                " && document.querySelectorAll('#neighbors li').length > 0",
                arg=word,
                timeout=30_000,
            )
            searched.append(time.perf_counter() - t1)
            page.close()
        browser.close()
    return ready, searched


def draw_time(port: int) -> tuple[float, float]:
    """(seconds to load a 50k-point map in the page, milliseconds per full redraw of it,
    the median of 10, as when panning or zooming)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(f"http://127.0.0.1:{port}/")
        page.wait_for_selector("body[data-ready=true]", timeout=30_000)
        page.select_option("#map-form [name=n]", "50000")
        t0 = time.perf_counter()
        page.click("#map-form button[type=submit]")
        page.wait_for_function(
            "() => document.querySelector('#map-status').textContent.startsWith('50,000')",
            timeout=60_000,
        )
        load = time.perf_counter() - t0
        ms = page.evaluate(
            """() => {
            const times = [];
            for (let i = 0; i < 10; i++) {
                const t0 = performance.now();
                draw();
                times.push(performance.now() - t0);
            }
            times.sort((a, b) => a - b);
            return times[5];
        }"""
        )
        browser.close()
    return load, float(ms)


def screenshot(port: int, path: Path) -> None:
    """Save the page after a search, an analogy and a similarity (the README's picture),
    quantised to 128 colours so the PNG stays small."""
    from PIL import Image
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 940})
        page.goto(f"http://127.0.0.1:{port}/#king")
        page.wait_for_selector("body[data-ready=true]", timeout=30_000)
        for name, word in (("a", "man"), ("b", "king"), ("c", "woman")):
            page.fill(f"#analogy-form [name={name}]", word)
        page.click("#analogy-form button[type=submit]")
        page.wait_for_selector("#analogy-results li")
        page.fill("#similarity-form [name=a]", "cat")
        page.fill("#similarity-form [name=b]", "dog")
        page.click("#similarity-form button[type=submit]")
        page.wait_for_function(
            "() => document.querySelector('#similarity-result').textContent.includes('cosine')"
        )
        page.evaluate("() => { document.querySelector('aside').scrollTop = 0; }")
        raw = path.with_suffix(".raw.png")
        page.screenshot(path=raw)
        browser.close()
    image = Image.open(raw).convert("RGB")
    image.quantize(colors=128, method=Image.Quantize.FASTOCTREE).save(path, optimize=True)
    raw.unlink()
    print(f"screenshot {path} ({path.stat().st_size / 1024:.0f} KB)")


class Peers:
    """gensim and scikit-learn in this process, with one BLAS thread as the server, timed
    right after each HTTP request they are compared with (so both see the same load)."""

    def __init__(self, vectors: Any) -> None:
        from gensim.models import KeyedVectors
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=1, user_api="blas")
        self.kv = KeyedVectors(vectors.dim)
        self.kv.add_vectors(vectors.words, np.array(vectors.vectors))
        self.kv.fill_norms()
        self.unit = vectors.unit

    def most_similar(self, word: str) -> float:
        t0 = time.perf_counter()
        self.kv.most_similar(word, topn=10)
        return 1000 * (time.perf_counter() - t0)

    def pca(self, n: int) -> float:
        from sklearn.decomposition import PCA

        t0 = time.perf_counter()
        PCA(n_components=2, svd_solver="full").fit_transform(
            np.asarray(self.unit[:n], dtype=np.float64)
        )
        return 1000 * (time.perf_counter() - t0)


def interleaved(port: int, paths: list[str], peer: Any, items: list[Any]) -> tuple[list, list]:
    """Milliseconds of each HTTP request and of the peer's answer right after it."""
    ours, theirs = [], []
    for path, item in zip(paths, items):
        ours += timed_gets(port, [path])
        theirs.append(peer(item))
    return ours, theirs


def with_index(vectors: Any, path: Path, folder: Path) -> Path:
    """A native copy of ``vectors`` with an HNSW approximate-neighbour index saved beside
    it (``Vectors.build_index``; ``wordvec serve`` loads it and its queries use it)."""
    t0 = time.perf_counter()
    vectors.build_index(method="hnsw")
    print(f"built an HNSW index in {time.perf_counter() - t0:.1f} s")
    out = folder / (path.name.split(".txt")[0] + ".safetensors")
    vectors.save(out)
    return out


def measure(port: int, vectors: Any, peers: Peers, args: argparse.Namespace) -> tuple:
    rng = np.random.default_rng(0)
    words = vectors.words[:50_000]
    picks = [words[i] for i in rng.integers(0, len(words), size=args.requests)]
    prefixes = [w[: int(rng.integers(1, 5))] for w in picks]
    complete = ["/api/complete?" + urllib.parse.urlencode({"q": p, "k": 10}) for p in prefixes]
    near = ["/api/neighbors?" + urllib.parse.urlencode({"word": w, "k": 10}) for w in picks]
    timed_gets(port, complete[:20] + near[-20:])  # warm up (other words than measured)
    c = summary("completion", timed_gets(port, complete))
    ours, theirs = interleaved(port, near, peers.most_similar, picks)
    n = summary("neighbours", ours)
    g = summary("  peer gensim (no HTTP)", theirs)
    print(f"  ratio of p95s, wordvec over HTTP / gensim in-process: {n['p95'] / g['p95']:.2f}x")
    maps = {}
    for size in (10_000, 50_000):
        runs = [size - i for i in range(3)]
        paths = [f"/api/projection?method=pca&n={m}" for m in runs]
        ours, theirs = interleaved(port, paths, peers.pca, runs)
        maps[size] = statistics.median(ours) / 1000
        sk = statistics.median(theirs) / 1000
        print(
            f"PCA map of {size:>6,} words: median {maps[size]:.3f} s over HTTP (JSON "
            f"included); scikit-learn PCA in-process {sk:.3f} s (ratio {maps[size] / sk:.2f}x)"
        )
    ready, searched = page_load(port, args.loads)
    print(
        f"page usable            median {statistics.median(ready):.2f} s, max "
        f"{max(ready):.2f} s over {len(ready)} loads"
    )
    print(
        f"search to neighbours   median {statistics.median(searched):.3f} s, max "
        f"{max(searched):.3f} s"
    )
    load_50k, draw_ms = draw_time(port)
    print(
        f"map of 50,000 words in the page: loaded in {load_50k:.2f} s, redrawn in "
        f"{draw_ms:.1f} ms (median of 10)"
    )
    if args.screenshot:
        screenshot(port, args.screenshot)
    return c, n, maps, ready


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--loads", type=int, default=5)
    parser.add_argument("--vectors", type=Path, default=GLOVE_GZ)
    parser.add_argument("--screenshot", type=Path, help="also save the page as this PNG")
    parser.add_argument(
        "--index", action="store_true", help="serve a native copy with an HNSW index beside it"
    )
    args = parser.parse_args()

    from wordvec.vectors import Vectors

    vectors = Vectors.load(args.vectors)
    peers = Peers(vectors)
    served = args.vectors
    with tempfile.TemporaryDirectory() as folder:
        if args.index:
            served = with_index(vectors, args.vectors, Path(folder))
        port = free_port()
        print(f"machine: {os.cpu_count()} cores; vectors {served.name}")
        proc, start_s = start_server(served, port)
        print(f"server ready (load + index) in {start_s:.1f} s")
        try:
            results = measure(port, vectors, peers, args)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    c, n, maps, ready = results
    ok = statistics.median(ready) < 2 and c["p95"] < 50 and n["p95"] < 50 and maps[10_000] < 1
    print(json.dumps({"targets_met": ok}))


if __name__ == "__main__":
    main()

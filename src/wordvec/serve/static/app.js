// wordvec explorer: the page talks to the JSON API under /api/ and draws the map on a canvas.
"use strict";

const $ = (selector) => document.querySelector(selector);
const MAX_LABELS = 160; // labels of frequent words drawn at once, where they fit
const MAX_LABEL_TRIES = 3000; // visible words tried for a label per frame (keeps panning smooth)
const HIT_RADIUS = 8; // pixels around the pointer that count as a hit on a point

// ---- the API --------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, body) {
    super(body && body.error ? body.error : `request failed (${status})`);
    this.status = status;
    this.body = body || {};
  }
}

async function api(endpoint, params = {}) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") query.set(name, value);
  }
  const response = await fetch(`/api/${endpoint}?${query}`);
  let body = null;
  try {
    body = await response.json();
  } catch (err) {
    body = null;
  }
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

function setStatus(element, text, isError = false) {
  element.textContent = text;
  element.classList.toggle("error", isError);
}

function errorStatus(element, err, onSuggestion) {
  setStatus(element, err.message, true);
  const suggestions = (err.body && err.body.suggestions) || [];
  if (!suggestions.length || !onSuggestion) return;
  element.append(" ");
  for (const word of suggestions) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "suggest";
    button.textContent = word;
    button.addEventListener("click", () => onSuggestion(word));
    element.append(button);
  }
}

// A list of (word, score) rows with bars; clicking a word searches it.
function renderScores(list, items) {
  list.replaceChildren();
  for (const { word, score } of items) {
    const li = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "neighbor";
    button.textContent = word;
    button.title = `search ${word}`;
    button.addEventListener("click", () => search(word));
    const bar = document.createElement("span");
    bar.className = "bar";
    bar.style.setProperty("--score", Math.max(0, Math.min(1, score)).toFixed(4));
    const value = document.createElement("span");
    value.className = "score";
    value.textContent = score.toFixed(3);
    li.append(button, bar, value);
    list.append(li);
  }
}

// ---- the map --------------------------------------------------------------------------

const map = {
  canvas: null,
  ctx: null,
  base: null, // {words, x, y, labels, method, n}
  query: null, // {word, words, x, y, scores}
  view: { scale: 1, cx: 0, cy: 0 }, // data point at the canvas centre, pixels per unit
  hover: -1,
  frame: 0,
  drawn: 0,
};

function fitView(xs, ys, padding = 0.08) {
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (let i = 0; i < xs.length; i++) {
    if (xs[i] < x0) x0 = xs[i];
    if (xs[i] > x1) x1 = xs[i];
    if (ys[i] < y0) y0 = ys[i];
    if (ys[i] > y1) y1 = ys[i];
  }
  if (!isFinite(x0)) return;
  const { width, height } = map.canvas;
  const spanX = Math.max(x1 - x0, 1e-6), spanY = Math.max(y1 - y0, 1e-6);
  map.view.scale = Math.min(width / spanX, height / spanY) * (1 - 2 * padding);
  map.view.cx = (x0 + x1) / 2;
  map.view.cy = (y0 + y1) / 2;
}

function toScreen(x, y) {
  const { width, height } = map.canvas;
  return [width / 2 + (x - map.view.cx) * map.view.scale,
          height / 2 - (y - map.view.cy) * map.view.scale];
}

function resizeCanvas() {
  const ratio = window.devicePixelRatio || 1;
  const box = map.canvas.getBoundingClientRect();
  const width = Math.max(1, Math.round(box.width * ratio));
  const height = Math.max(1, Math.round(box.height * ratio));
  if (map.canvas.width === width && map.canvas.height === height) return false;
  const oldScale = Math.min(map.canvas.width, map.canvas.height);
  map.canvas.width = width;
  map.canvas.height = height;
  if (oldScale > 0) map.view.scale *= Math.min(width, height) / oldScale;
  return true;
}

function requestDraw() {
  if (!map.frame) map.frame = requestAnimationFrame(draw);
}

function drawLabel(ctx, text, at, color, bold) {
  ctx.font = `${bold ? "600 " : ""}${12 * (window.devicePixelRatio || 1)}px system-ui, sans-serif`;
  ctx.lineWidth = 3 * (window.devicePixelRatio || 1);
  ctx.strokeStyle = "rgba(255,255,255,0.9)";
  ctx.strokeText(text, at.x, at.y);
  ctx.fillStyle = color;
  ctx.fillText(text, at.x, at.y);
}

// Which parts of the canvas hold a label already (cells of 8 CSS pixels).
class LabelGrid {
  constructor(ratio) {
    this.cell = 8 * ratio;
    this.ratio = ratio;
    this.taken = new Set();
  }

  // Find a free place for the label of the point (sx, sy) and reserve it: right of the
  // point, above it; a highlighted label (bold) also tries below and to the left, and
  // takes the first place if none is free. Returns the text's origin, or null.
  place(ctx, text, sx, sy, bold) {
    const r = this.ratio;
    if (!bold && this.taken.has(this.key(sx + 5 * r, sy - 4 * r))) return null;
    ctx.font = `${bold ? "600 " : ""}${12 * r}px system-ui, sans-serif`;
    const width = ctx.measureText(text).width;
    const spots = [{ x: sx + 5 * r, y: sy - 4 * r }];
    if (bold) {
      spots.push({ x: sx + 5 * r, y: sy + 14 * r }, { x: sx - 5 * r - width, y: sy - 4 * r },
        { x: sx - 5 * r - width, y: sy + 14 * r });
    }
    for (const at of spots) {
      const keys = this.keys(at, width);
      if (keys.every((key) => !this.taken.has(key))) return this.reserve(keys, at);
    }
    return bold ? this.reserve(this.keys(spots[0], width), spots[0]) : null;
  }

  key(x, y) {
    return Math.floor(x / this.cell) * 100003 + Math.floor(y / this.cell);
  }

  keys(at, width) {
    const c = this.cell, r = this.ratio, keys = [];
    const x0 = Math.floor((at.x - 2 * r) / c), x1 = Math.floor((at.x + width) / c);
    const y0 = Math.floor((at.y - 12 * r) / c), y1 = Math.floor((at.y + 3 * r) / c);
    for (let x = x0; x <= x1; x++) {
      for (let y = y0; y <= y1; y++) keys.push(x * 100003 + y);
    }
    return keys;
  }

  reserve(keys, at) {
    for (const key of keys) this.taken.add(key);
    return at;
  }
}

// The map's points as pixels written straight into an ImageData (one 32-bit write per
// pixel): 50k points take a few milliseconds where 50k fillRect calls take hundreds.
const POINT_RGBA = [134, 142, 150, 255];

function drawPoints(ctx, canvas, base, ratio) {
  const { width, height } = canvas;
  if (!map.image || map.image.width !== width || map.image.height !== height) {
    map.image = ctx.createImageData(width, height);
    map.pixels = new Uint32Array(map.image.data.buffer);
    const rgba = new Uint8ClampedArray(POINT_RGBA);
    map.pointColor = new Uint32Array(rgba.buffer)[0]; // in the platform's byte order
  }
  const pixels = map.pixels, color = map.pointColor;
  pixels.fill(0);
  const size = Math.max(2, Math.round(2 * ratio));
  const scale = map.view.scale;
  const ox = width / 2 - map.view.cx * scale, oy = height / 2 + map.view.cy * scale;
  const xs = base.x, ys = base.y;
  let drawn = 0;
  for (let i = 0; i < xs.length; i++) {
    const px = Math.round(ox + xs[i] * scale) - (size >> 1);
    const py = Math.round(oy - ys[i] * scale) - (size >> 1);
    if (px < 0 || py < 0 || px + size > width || py + size > height) continue;
    for (let dy = 0; dy < size; dy++) {
      const row = (py + dy) * width + px;
      for (let dx = 0; dx < size; dx++) pixels[row + dx] = color;
    }
    drawn++;
  }
  ctx.putImageData(map.image, 0, 0);
  return drawn;
}

function draw() {
  map.frame = 0;
  const { ctx, canvas, base, query } = map;
  const ratio = window.devicePixelRatio || 1;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  if (!base) return;
  let drawn = drawPoints(ctx, canvas, base, ratio);
  // Labels: the query and its neighbours first, then the most frequent visible words
  // wherever a label fits without covering another.
  const labels = new LabelGrid(ratio);
  const highlighted = [];
  if (query) {
    for (let j = 0; j < query.words.length; j++) {
      const [sx, sy] = toScreen(query.x[j], query.y[j]);
      const at = labels.place(ctx, query.words[j], sx, sy, true);
      highlighted.push([sx, sy, at, j === 0 && query.words[0] === query.word]);
    }
  }
  let placed = 0, tries = 0;
  const scale = map.view.scale;
  const ox = canvas.width / 2 - map.view.cx * scale, oy = canvas.height / 2 + map.view.cy * scale;
  for (let i = 0; i < base.words.length && placed < MAX_LABELS && tries < MAX_LABEL_TRIES; i++) {
    const sx = ox + base.x[i] * scale, sy = oy - base.y[i] * scale;
    if (sx < 0 || sy < 0 || sx > canvas.width || sy > canvas.height) continue;
    tries++;
    const at = labels.place(ctx, base.words[i], sx, sy, false);
    if (at) {
      drawLabel(ctx, base.words[i], at, "#495057", false);
      placed++;
    }
  }
  for (let j = highlighted.length - 1; j >= 0; j--) {
    const [sx, sy, at, isQuery] = highlighted[j];
    ctx.fillStyle = isQuery ? "#d9480f" : "#1971c2";
    ctx.beginPath();
    ctx.arc(sx, sy, (isQuery ? 6 : 4) * ratio, 0, 2 * Math.PI);
    ctx.fill();
    drawLabel(ctx, query.words[j], at, isQuery ? "#d9480f" : "#1864ab", true);
    drawn++;
  }
  if (map.hover >= 0) {
    const [sx, sy] = toScreen(base.x[map.hover], base.y[map.hover]);
    ctx.strokeStyle = "#d9480f";
    ctx.lineWidth = 2 * ratio;
    ctx.strokeRect(sx - 4 * ratio, sy - 4 * ratio, 8 * ratio, 8 * ratio);
  }
  ctx.fillStyle = "#868e96";
  ctx.font = `${11 * ratio}px system-ui, sans-serif`;
  ctx.fillText(`x: ${base.labels[0]}   y: ${base.labels[1]}`, 8 * ratio, canvas.height - 8 * ratio);
  map.drawn = drawn;
  canvas.dataset.points = String(drawn);
}

function nearestPoint(clientX, clientY) {
  const box = map.canvas.getBoundingClientRect();
  const ratio = map.canvas.width / box.width;
  const px = (clientX - box.left) * ratio, py = (clientY - box.top) * ratio;
  const limit = (HIT_RADIUS * ratio) ** 2;
  let best = -1, bestDistance = limit;
  const { base } = map;
  if (!base) return -1;
  const scale = map.view.scale;
  const ox = map.canvas.width / 2 - map.view.cx * scale;
  const oy = map.canvas.height / 2 + map.view.cy * scale;
  for (let i = 0; i < base.words.length; i++) {
    const dx = ox + base.x[i] * scale - px, dy = oy - base.y[i] * scale - py;
    const d = dx * dx + dy * dy;
    if (d < bestDistance) {
      bestDistance = d;
      best = i;
    }
  }
  return best;
}

function setupMapEvents() {
  const { canvas } = map;
  const tooltip = $("#tooltip");
  let drag = null;
  canvas.addEventListener("pointerdown", (event) => {
    drag = { x: event.clientX, y: event.clientY, cx: map.view.cx, cy: map.view.cy, moved: false };
    canvas.setPointerCapture(event.pointerId);
  });
  canvas.addEventListener("pointermove", (event) => {
    if (drag) {
      const ratio = canvas.width / canvas.getBoundingClientRect().width;
      const dx = event.clientX - drag.x, dy = event.clientY - drag.y;
      if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
      if (drag.moved) {
        canvas.classList.add("dragging");
        map.view.cx = drag.cx - (dx * ratio) / map.view.scale;
        map.view.cy = drag.cy + (dy * ratio) / map.view.scale;
        tooltip.hidden = true;
        requestDraw();
        return;
      }
    }
    const hit = nearestPoint(event.clientX, event.clientY);
    if (hit !== map.hover) {
      map.hover = hit;
      requestDraw();
    }
    if (hit >= 0) {
      const box = canvas.getBoundingClientRect();
      tooltip.textContent = map.base.words[hit];
      tooltip.style.left = `${event.clientX - box.left + 12}px`;
      tooltip.style.top = `${event.clientY - box.top - 8}px`;
      tooltip.hidden = false;
    } else {
      tooltip.hidden = true;
    }
  });
  canvas.addEventListener("pointerup", (event) => {
    const wasClick = drag && !drag.moved;
    drag = null;
    canvas.classList.remove("dragging");
    if (wasClick) {
      const hit = nearestPoint(event.clientX, event.clientY);
      if (hit >= 0) search(map.base.words[hit]);
    }
  });
  canvas.addEventListener("pointerleave", () => {
    tooltip.hidden = true;
    if (map.hover >= 0) {
      map.hover = -1;
      requestDraw();
    }
  });
  canvas.addEventListener("wheel", (event) => {
    event.preventDefault();
    const box = canvas.getBoundingClientRect();
    const ratio = canvas.width / box.width;
    const px = (event.clientX - box.left) * ratio, py = (event.clientY - box.top) * ratio;
    const factor = Math.exp(-event.deltaY * 0.0015);
    // Keep the data point under the pointer where it is.
    const dx = (px - canvas.width / 2) / map.view.scale;
    const dy = (py - canvas.height / 2) / map.view.scale;
    map.view.cx += dx - dx / factor;
    map.view.cy -= dy - dy / factor;
    map.view.scale *= factor;
    requestDraw();
  }, { passive: false });
  window.addEventListener("resize", () => {
    if (resizeCanvas()) requestDraw();
  });
  $("#reset-view").addEventListener("click", () => {
    if (map.base) fitView(map.base.x, map.base.y);
    requestDraw();
  });
}

function mapParams() {
  const form = $("#map-form");
  const params = { method: form.method.value, n: form.n.value };
  if (params.method === "custom") {
    for (const name of ["xa", "xb", "ya", "yb"]) params[name] = form[name].value.trim();
  }
  return params;
}

async function loadMap() {
  const status = $("#map-status");
  const params = mapParams();
  setStatus(status, params.method === "tsne" ? "computing t-SNE on the server…" : "drawing…");
  const started = performance.now();
  try {
    const word = map.query ? map.query.word : undefined;
    const result = await api("projection", { ...params, word, k: 15 });
    map.base = result;
    map.query = result.query;
    resizeCanvas();
    fitView(result.x, result.y);
    draw();
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    setStatus(status, `${result.words.length.toLocaleString()} words by ${result.method} in ` +
      `${seconds} s; drag to pan, wheel to zoom, click a point to search it`);
  } catch (err) {
    errorStatus(status, err, null);
  }
}

async function placeQuery(word) {
  if (!map.base) return;
  try {
    const result = await api("projection", { ...mapParams(), word, k: 15, points: "query" });
    map.query = result.query;
    if (map.query && map.query.words.length) {
      // Show the neighbourhood: fit it, but never zoom in more than 12x the whole map.
      const wholeScale = map.view.scale;
      fitView(map.base.x, map.base.y);
      const limit = map.view.scale * 12;
      fitView(map.query.x, map.query.y, 0.25);
      map.view.scale = Math.min(map.view.scale, limit);
      if (!isFinite(map.view.scale) || map.view.scale <= 0) map.view.scale = wholeScale;
    }
    requestDraw();
  } catch (err) {
    errorStatus($("#map-status"), err, null);
  }
}

// ---- search, completion, analogy, similarity ---------------------------------------------

let searchToken = 0;

async function search(word) {
  word = word.trim();
  if (!word) return;
  const input = $("#search");
  input.value = word;
  hideSuggestions();
  const token = ++searchToken;
  const status = $("#search-status");
  setStatus(status, "searching…");
  try {
    const result = await api("neighbors", { word, k: 15 });
    if (token !== searchToken) return;
    $("#neighbors-of").textContent = `of “${result.word}”`;
    renderScores($("#neighbors"), result.neighbors);
    setStatus(status, "");
    if (location.hash !== `#${encodeURIComponent(word)}`) {
      history.replaceState(null, "", `#${encodeURIComponent(word)}`);
    }
    await placeQuery(word);
  } catch (err) {
    if (token !== searchToken) return;
    $("#neighbors").replaceChildren();
    $("#neighbors-of").textContent = "";
    errorStatus(status, err, search);
  }
}

let activeSuggestion = -1;
let completionToken = 0;
let completionTimer = 0;

function hideSuggestions() {
  completionToken++;
  clearTimeout(completionTimer);
  const list = $("#suggestions");
  list.hidden = true;
  list.replaceChildren();
  $("#search").setAttribute("aria-expanded", "false");
  activeSuggestion = -1;
}

function showSuggestions(words) {
  const list = $("#suggestions");
  list.replaceChildren();
  activeSuggestion = -1;
  words.forEach((word, i) => {
    const li = document.createElement("li");
    li.role = "option";
    li.id = `suggestion-${i}`;
    li.textContent = word;
    li.addEventListener("mousedown", (event) => {
      event.preventDefault(); // keep the focus in the box
      search(word);
    });
    list.append(li);
  });
  list.hidden = words.length === 0;
  $("#search").setAttribute("aria-expanded", String(words.length > 0));
}

function moveSuggestion(step) {
  const items = $("#suggestions").children;
  if (!items.length) return;
  if (activeSuggestion >= 0) items[activeSuggestion].setAttribute("aria-selected", "false");
  activeSuggestion = (activeSuggestion + step + items.length) % items.length;
  items[activeSuggestion].setAttribute("aria-selected", "true");
  $("#search").setAttribute("aria-activedescendant", items[activeSuggestion].id);
}

function setupSearch() {
  const input = $("#search");
  input.addEventListener("input", () => {
    const prefix = input.value.trim();
    clearTimeout(completionTimer);
    if (!prefix) {
      hideSuggestions();
      return;
    }
    const token = ++completionToken;
    completionTimer = setTimeout(async () => {
      try {
        const result = await api("complete", { q: prefix, k: 10 });
        if (token === completionToken) showSuggestions(result.completions);
      } catch (err) {
        if (token === completionToken) hideSuggestions();
      }
    }, 60);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown") moveSuggestion(1);
    else if (event.key === "ArrowUp") moveSuggestion(-1);
    else if (event.key === "Escape") hideSuggestions();
    else return;
    event.preventDefault();
  });
  input.addEventListener("blur", () => setTimeout(hideSuggestions, 100));
  $("#search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const items = $("#suggestions").children;
    const chosen = activeSuggestion >= 0 && items[activeSuggestion];
    search(chosen ? chosen.textContent : input.value);
  });
}

function setupForms() {
  $("#analogy-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    const status = $("#analogy-status");
    const [a, b, c] = ["a", "b", "c"].map((name) => form[name].value.trim());
    setStatus(status, "solving…");
    try {
      const result = await api("analogy", { a, b, c, k: 8 });
      setStatus(status, `${a} : ${b} :: ${c} : ${result.answers.length ? result.answers[0].word : "?"}`);
      renderScores($("#analogy-results"), result.answers);
    } catch (err) {
      $("#analogy-results").replaceChildren();
      errorStatus(status, err, null);
    }
  });
  $("#similarity-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    const out = $("#similarity-result");
    try {
      const result = await api("similarity", { a: form.a.value.trim(), b: form.b.value.trim() });
      setStatus(out, `cosine(${result.a}, ${result.b}) = ${result.similarity.toFixed(4)}`);
    } catch (err) {
      errorStatus(out, err, null);
    }
  });
  const mapForm = $("#map-form");
  mapForm.method.addEventListener("change", () => {
    $("#custom-axes").hidden = mapForm.method.value !== "custom";
  });
  mapForm.addEventListener("submit", (event) => {
    event.preventDefault();
    loadMap();
  });
}

function renderInfo(info) {
  const size = info.file_bytes === null ? null : `${(info.file_bytes / 2 ** 20).toFixed(1)} MB`;
  const rows = [
    ["file", info.file || "(in memory)"],
    ["format", info.format],
    ["size", size],
    ["words", info.words.toLocaleString()],
    ["dim", String(info.dim)],
    ["dtype", info.dtype],
    ["counts", info.has_counts ? "yes" : "no"],
    ["neighbours", info.neighbor_index ? `approximate: ${info.neighbor_index}` : "exact"],
  ];
  const list = $("#info");
  list.replaceChildren();
  for (const [name, value] of rows) {
    if (value === null) continue;
    const dt = document.createElement("dt");
    dt.textContent = name;
    const dd = document.createElement("dd");
    dd.textContent = value;
    list.append(dt, dd);
  }
  $("#facts").textContent = `${info.words.toLocaleString()} words × ${info.dim} dims` +
    (info.file ? ` from ${info.file.split("/").pop()} (${info.format})` : "");
  const form = $("#map-form");
  for (const option of [...form.method.options]) {
    option.disabled = !info.methods.includes(option.value);
  }
  for (const option of [...form.n.options]) {
    option.disabled = Number(option.value) > info.max_points;
  }
  const preferred = String(info.map_words);
  if (![...form.n.options].some((o) => o.value === preferred)) {
    form.n.add(new Option(preferred, preferred), 0);
  }
  form.n.value = preferred;
}

async function main() {
  map.canvas = $("#map");
  map.ctx = map.canvas.getContext("2d");
  setupMapEvents();
  setupSearch();
  setupForms();
  try {
    const info = await api("info");
    renderInfo(info);
    $("#search").disabled = false;
    $("#search").focus();
    await loadMap();
    const start = decodeURIComponent(location.hash.slice(1));
    if (start) await search(start);
    document.body.dataset.ready = "true";
  } catch (err) {
    errorStatus($("#facts"), err, null);
  }
}

document.addEventListener("DOMContentLoaded", main);

// Dateline's search page. No framework, no build step: state lives in the URL (the same
// parameter names as /api/search, plus `article`), every render reads it from there, and all
// article text reaches the page as text nodes — only the server's <mark> survives in snippets.
"use strict";

const LISTS = ["person", "place", "org", "source", "language", "dateline_place", "credit"];
const FACET_TITLES = { person: "People", place: "Places", org: "Organisations", source: "Outlets", language: "Languages",
  dateline_place: "Datelines", credit: "Credits" };
const PAGE_SIZE = 20;
const $ = (id) => document.getElementById(id);

// ---------- state <-> URL ----------
function readState() {
  const p = new URLSearchParams(location.search);
  const state = { q: p.get("q") || "", from: p.get("from") || "", to: p.get("to") || "",
    sort: p.get("sort") || "relevance", page: Math.max(1, parseInt(p.get("page") || "1", 10) || 1),
    article: p.get("article") || "", collapse: p.get("collapse") === "none" ? "none" : "story",
    snapshot: p.get("snapshot") || "", result_hash: p.get("result_hash") || "" };
  for (const name of LISTS) state[name] = p.getAll(name);
  return state;
}

function stateParams(state, { withArticle = true, withPage = true } = {}) {
  const p = new URLSearchParams();
  if (state.q) p.set("q", state.q);
  for (const name of LISTS) for (const v of state[name]) p.append(name, v);
  if (state.from) p.set("from", state.from);
  if (state.to) p.set("to", state.to);
  if (state.sort && state.sort !== "relevance") p.set("sort", state.sort);
  // Copies are grouped into stories unless the URL says otherwise.
  if (state.collapse === "none") p.set("collapse", "none");
  if (withPage && state.page > 1) p.set("page", String(state.page));
  if (state.snapshot && state.result_hash) {
    p.set("snapshot", state.snapshot);
    p.set("result_hash", state.result_hash);
  }
  if (withArticle && state.article) p.set("article", state.article);
  return p;
}

function navigate(change, { keepPage = false } = {}) {
  const state = readState();
  change(state);
  // Another search than the one cited.
  state.snapshot = "";
  state.result_hash = "";
  if (!keepPage) state.page = 1;
  const query = stateParams(state).toString();
  history.pushState(null, "", query ? `/?${query}` : "/");
  render();
}

// ---------- small DOM helpers ----------
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value !== undefined && value !== null && value !== false) node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) if (child !== null && child !== undefined) node.append(child);
  return node;
}

// The server escapes snippets and adds only <mark>. Parsing them in an inert document and
// copying text and marks alone keeps even a misbehaving server from injecting markup.
function snippetNodes(html) {
  const doc = new DOMParser().parseFromString(`<p>${html}</p>`, "text/html");
  const out = [];
  for (const node of doc.body.firstChild ? doc.body.firstChild.childNodes : []) {
    if (node.nodeName === "MARK") out.push(el("mark", {}, node.textContent));
    else out.push(document.createTextNode(node.textContent));
  }
  return out;
}

function formatDate(iso) { return iso ? iso.slice(0, 10) : ""; }

// ---------- API ----------
class ApiError extends Error {}

async function api(path) {
  let response;
  try {
    response = await fetch(path, { headers: { Accept: "application/json" } });
  } catch {
    throw new ApiError("The Dateline server cannot be reached. Is `dateline serve` running?");
  }
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(body && body.error ? body.error.message : `The server answered ${response.status}.`);
  return body;
}

// A change of state (save, mark seen, delete): JSON in, JSON or nothing out.
async function send(method, path, body) {
  let response;
  try {
    response = await fetch(path, { method, headers: { Accept: "application/json", "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError("The Dateline server cannot be reached. Is `dateline serve` running?");
  }
  const answer = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(answer && answer.error ? answer.error.message : `The server answered ${response.status}.`);
  return answer;
}

// The archive's statistics (its date range sizes the timeline), asked again after a minute:
// articles keep arriving while the page is open.
const STATS_SECONDS = 60;
let statsPromise = null;
let statsAt = 0;
function stats() {
  if (!statsPromise || Date.now() - statsAt > STATS_SECONDS * 1000) {
    statsAt = Date.now();
    statsPromise = api("/api/stats").catch(() => null);
  }
  return statsPromise;
}

const DAY = 86400000;
function histogramInterval(state, s) {
  const first = Date.parse(state.from || (s && s.first_published) || "");
  const last = Date.parse(state.to || (s && s.last_published) || "");
  if (Number.isNaN(first) || Number.isNaN(last)) return "month";
  const days = (last - first) / DAY;
  return days <= 92 ? "day" : days <= 731 ? "week" : "month";
}

function bucketEnd(date, interval) {
  const d = new Date(`${date}T00:00:00Z`);
  if (interval === "week") d.setUTCDate(d.getUTCDate() + 6);
  else if (interval === "month") { d.setUTCMonth(d.getUTCMonth() + 1); d.setUTCDate(0); }
  else if (interval === "year") { d.setUTCFullYear(d.getUTCFullYear() + 1); d.setUTCDate(0); }
  return d.toISOString().slice(0, 10);
}

// ---------- rendering ----------
let renderCount = 0;

async function render() {
  const state = readState();
  const mine = ++renderCount;
  $("q").value = state.q;
  $("sort").value = state.sort;
  $("collapse").checked = state.collapse !== "none";
  const exportParams = stateParams(state, { withArticle: false, withPage: false });
  exportParams.delete("sort");
  exportParams.delete("collapse");
  for (const format of ["csv", "ndjson"]) {
    const p = new URLSearchParams(exportParams);
    if (!p.has("q")) p.set("q", "*");
    p.set("format", format);
    $(`export-${format}`).href = `/api/export?${p}`;
  }
  renderChips(state);
  document.querySelector("main").setAttribute("aria-busy", "true");
  const interval = histogramInterval(state, await stats());
  const params = stateParams(state, { withArticle: false });
  if (!params.has("q")) params.set("q", "*");
  params.set("size", String(PAGE_SIZE));
  params.set("histogram", interval);
  params.set("facets", LISTS.join(","));
  params.set("collapse", state.collapse);
  // Grouped, the facets and the timeline count stories too.
  if (state.collapse === "story") params.set("count", "stories");
  try {
    const result = await api(`/api/search?${params}`);
    if (mine !== renderCount) return;
    $("error").hidden = true;
    renderStatus(state, result);
    renderHits(result);
    renderFacets(state, result.facets);
    renderTimeline(state, result.histogram, interval);
    renderPager(state, result);
    renderSaved();
  } catch (error) {
    if (mine !== renderCount) return;
    $("error").hidden = false;
    $("error").textContent = error.message;
    $("status").textContent = "";
    $("searched").hidden = true;
    $("hits").replaceChildren();
    $("pager").replaceChildren();
    $("timeline").replaceChildren();
  } finally {
    if (mine === renderCount) document.querySelector("main").removeAttribute("aria-busy");
  }
  renderArticle(state);
}

const articles = (n) => `${n.toLocaleString("en")} article${n === 1 ? "" : "s"}`;

// ---------- saved searches and history ----------
// A saved or past request (the API's JSON) as the page's state.
function requestState(request) {
  const state = { q: request.q || "", from: request.from || "", to: request.to || "", sort: request.sort || "relevance",
    page: 1, article: "", collapse: request.collapse === "story" ? "story" : "none" };
  for (const name of LISTS) state[name] = request[name] || [];
  return state;
}

function openRequest(request) {
  const query = stateParams(requestState(request)).toString();
  history.pushState(null, "", query ? `/?${query}` : "/");
  render();
}

function requestLabel(request) {
  const filters = LISTS.flatMap((name) => request[name] || []);
  return [request.q || "*", ...filters].join(" · ");
}

async function renderSaved() {
  let saved, past;
  try {
    [saved, past] = await Promise.all([api("/api/saved"), api("/api/history")]);
  } catch (error) {
    $("saved-error").hidden = false;
    $("saved-error").textContent = error.message;
    return;
  }
  $("saved-list").replaceChildren(...saved.saved.map((s) => el("li", { "data-id": String(s.id) },
    el("button", { type: "button", class: "saved-name", title: requestLabel(s.request),
      onclick: async () => { await send("POST", `/api/saved/${s.id}/seen`).catch(() => null); openRequest(s.request); } }, s.name),
    el("span", { class: "count", title: "articles matching now" }, s.total.toLocaleString("en")),
    s.alert && s.alert.new > 0 ? el("span", { class: "new", title: "new stories since you last looked" }, `${s.alert.new} new`) : null,
    el("a", { href: s.feed, class: "feed", title: "Atom feed of its new stories" }, "feed"),
    el("button", { type: "button", class: "remove", "aria-label": `Delete saved search ${s.name}`,
      onclick: async () => { await send("DELETE", `/api/saved/${s.id}`).catch(showSavedError); renderSaved(); } }, "×"))));
  $("history-list").replaceChildren(...past.history.map((h) => el("li", {},
    el("button", { type: "button", title: `${articles(h.total)}, ${formatDate(h.at)}`, onclick: () => openRequest(h.request) },
      requestLabel(h.request)))));
}

function showSavedError(error) {
  $("saved-error").hidden = false;
  $("saved-error").textContent = error.message;
}

$("save-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const name = $("save-name").value.trim();
  if (!name) { showSavedError(new Error("Give the search a name.")); return; }
  const state = readState();
  const body = { name, q: state.q || "*", sort: state.sort, collapse: state.collapse };
  for (const key of LISTS) if (state[key].length) body[key] = state[key];
  if (state.from) body.from = state.from;
  if (state.to) body.to = state.to;
  try {
    await send("POST", "/api/saved", body);
    $("saved-error").hidden = true;
    $("save-name").value = "";
  } catch (error) {
    showSavedError(error);
  }
  renderSaved();
});
window.addEventListener("focus", renderSaved);
const storiesOf = (result) => result.stories !== undefined && result.stories !== result.total
  ? ` in ${result.stories.toLocaleString("en")} stor${result.stories === 1 ? "y" : "ies"}` : "";
function renderStatus(state, result) {
  const what = state.q && state.q !== "*" ? ` for “${state.q}”` : "";
  const r = result.relaxed;
  $("status").textContent = r
    ? `${r.matched_all === 0 ? "No article contains" : `${articles(r.matched_all)} contain${r.matched_all === 1 ? "s" : ""}`} all ${r.words} words${what}; ${r.more.toLocaleString("en")} more contain ${r.min_should_match === r.words - 1 ? "all but one" : `at least ${r.min_should_match}`} of them${r.not_counted.length ? ` (not counting ${r.not_counted.map((w) => `“${w}”`).join(", ")})` : ""} · ${result.took_ms} ms`
    : result.total === 0
      ? `No articles match${what}. Try fewer words, or remove a filter.`
      : `${articles(result.total)}${storiesOf(result)}${what} · ${result.took_ms} ms`;
  const c = result.changed;
  if (c) {
    $("status").textContent += c.added === 0 && c.removed === 0
      ? (c.verified === false ? " · this is not the search that was cited" : " · unchanged since cited")
      : ` · changed since cited: ${c.added.toLocaleString("en")} added, ${c.removed.toLocaleString("en")} removed`;
  }
  lastResult = result;
  renderSearched(result.query);
}

// ---------- citing ----------
let lastResult = null;

$("cite-button").addEventListener("click", async () => {
  const result = lastResult;
  if (!result || !result.snapshot) {
    $("citation").hidden = false;
    $("citation").textContent = "This index cannot be cited: index the archive again to keep when each article was indexed.";
    return;
  }
  const state = { ...readState(), page: 1, article: "", snapshot: result.snapshot, result_hash: result.result_hash };
  const link = `${location.origin}/?${stateParams(state)}`;
  const filters = LISTS.flatMap((name) => state[name].map((v) => `${name}: ${v}`));
  if (state.from) filters.push(`from ${state.from}`);
  if (state.to) filters.push(`to ${state.to}`);
  const line = `“${state.q || "*"}”${filters.length ? ` (${filters.join(", ")})` : ""}: ${articles(result.total)} in the Dateline archive, ${new Date().toISOString().slice(0, 10)}, snapshot ${result.snapshot}, result ${result.result_hash} — ${link}`;
  $("citation").hidden = false;
  $("citation").replaceChildren(el("span", { id: "citation-text" }, line), " ", el("a", { href: link, id: "citation-link" }, "permalink"));
  try { await navigator.clipboard.writeText(line); $("citation").append(" (copied)"); } catch { /* shown, not copied */ }
});

// What was searched: the parsed query when it differs from what was typed, and the words each
// pattern matched (at most a dozen shown, the rest counted).
const SHOWN_TERMS = 12;
function renderSearched(query) {
  const box = $("searched");
  const parts = [];
  if (query && query.parsed && query.parsed !== "*" && query.parsed !== $("q").value.trim()) {
    parts.push(el("span", {}, "Searched ", el("code", {}, query.parsed)));
  }
  for (const p of (query && query.patterns) || []) {
    const shown = p.terms.slice(0, SHOWN_TERMS).join(", ");
    const more = p.terms.length > SHOWN_TERMS ? ` +${p.terms.length - SHOWN_TERMS} more` : "";
    parts.push(el("span", { class: "pattern" }, el("code", {}, p.pattern), " → ",
      p.terms.length ? shown + more : "no word in the archive"));
  }
  box.replaceChildren(...parts);
  box.hidden = parts.length === 0;
}

function entityChip(type, name) {
  return el("button", { type: "button", class: `chip entity-${type}`, title: `Filter by ${type} ${name}`,
    onclick: () => navigate((s) => { if (!s[type].includes(name)) s[type].push(name); s.article = ""; }) }, name);
}

function renderHits(result) {
  $("hits").replaceChildren(...result.hits.map((hit) => {
    const meta = [hit.source, formatDate(hit.published)].filter(Boolean).join(" · ");
    const entities = ["person", "place", "org"].flatMap((type) => hit.entities[type].map((name) => entityChip(type, name)));
    return el("li", { class: hit.missing && hit.missing.length ? "hit relaxed" : "hit" },
      el("h3", {}, el("a", { href: `?${new URLSearchParams({ ...Object.fromEntries(stateParams(readState())), article: hit.id })}`, class: "open-article",
        onclick: (event) => { event.preventDefault(); navigate((s) => { s.article = hit.id; }, { keepPage: true }); } },
        hit.title || "(no title)")),
      el("p", { class: "meta" }, meta, hit.language ? el("span", { class: "badge", title: "language" }, hit.language) : null),
      el("p", { class: "snippet" }, snippetNodes(hit.snippet)),
      storyLine(hit),
      hit.missing && hit.missing.length ? el("p", { class: "missing" }, "Missing: ",
        ...hit.missing.map((word) => el("s", {}, word))) : null,
      entities.length ? el("p", { class: "chips" }, entities) : null);
  }));
}

// "and 3 other versions from A, B, C · first published by X": opens the story in the article view.
function storyLine(hit) {
  const story = hit.story;
  if (!story || story.versions < 2) return null;
  const others = story.sources.filter((s) => s !== hit.source);
  const first = story.first === hit.id ? "first published here"
    : story.first_source ? `first published by ${story.first_source}` : "no version is dated";
  const n = story.versions - 1;
  return el("p", { class: "story-line" },
    el("button", { type: "button", class: "link versions", title: "Show every version and what changed",
      onclick: () => navigate((s) => { s.article = hit.id; }, { keepPage: true }) },
      `and ${n} other version${n === 1 ? "" : "s"}${others.length ? ` from ${others.join(", ")}` : ""}`),
    ` · ${first}`);
}

function renderFacets(state, facets) {
  const sections = [];
  for (const name of LISTS) {
    const values = facets[name] || [];
    if (!values.length) continue;
    const list = el("ul", {}, values.map((v) => {
      const active = state[name].includes(v.value);
      return el("li", { "data-value": v.value.toLowerCase() },
        el("button", { type: "button", class: "facet-value", "aria-pressed": String(active),
          onclick: () => navigate((s) => { s[name] = active ? s[name].filter((x) => x !== v.value) : [...s[name], v.value]; }) },
          el("span", { class: "value" }, v.value), el("span", { class: "count" }, v.count.toLocaleString("en"))));
    }));
    const filter = values.length > 8 ? el("input", { type: "search", class: "facet-filter", placeholder: `Filter ${FACET_TITLES[name].toLowerCase()}…`,
      "aria-label": `Filter ${FACET_TITLES[name].toLowerCase()}`,
      oninput: (event) => { const needle = event.target.value.toLowerCase(); for (const li of list.children) li.hidden = !li.dataset.value.includes(needle); } }) : null;
    sections.push(el("section", { class: "facet", "data-facet": name }, el("h2", {}, FACET_TITLES[name]), filter, list));
  }
  $("facets").replaceChildren(...sections);
}

function renderChips(state) {
  const chips = [];
  for (const name of LISTS) for (const value of state[name]) {
    chips.push(el("button", { type: "button", class: "chip active", "data-filter": name, "aria-label": `Remove filter ${name}: ${value}`,
      onclick: () => navigate((s) => { s[name] = s[name].filter((x) => x !== value); }) }, `${name}: ${value}`, el("span", { "aria-hidden": "true" }, " ×")));
  }
  if (state.from || state.to) {
    chips.push(el("button", { type: "button", class: "chip active", "data-filter": "date", "aria-label": "Remove date filter",
      onclick: () => navigate((s) => { s.from = ""; s.to = ""; }) }, `${state.from || "…"} → ${state.to || "…"}`, el("span", { "aria-hidden": "true" }, " ×")));
  }
  $("chips").replaceChildren(...chips);
}

const SVG = "http://www.w3.org/2000/svg";
function svg(tag, attrs) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
}

function renderTimeline(state, buckets, interval) {
  const figure = $("timeline");
  if (!buckets.length) { figure.replaceChildren(); return; }
  const width = 720, height = 90, pad = 16;
  const max = Math.max(...buckets.map((b) => b.count), 1);
  const step = (width - 2 * pad) / buckets.length;
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height + 18}`, role: "img", "aria-label": `Articles per ${interval}` });
  let dragFrom = null;
  const select = (a, b) => {
    const [i, j] = a <= b ? [a, b] : [b, a];
    navigate((s) => { s.from = buckets[i].date; s.to = bucketEnd(buckets[j].date, interval); });
  };
  buckets.forEach((bucket, i) => {
    const h = Math.max(bucket.count ? 2 : 0, (bucket.count / max) * height);
    const bar = svg("rect", { x: pad + i * step + 1, y: height - h, width: Math.max(step - 2, 1), height: h, class: "tbar",
      "data-date": bucket.date, tabindex: "0", role: "button", "aria-label": `${bucket.date}: ${bucket.count} articles` });
    const hit = svg("rect", { x: pad + i * step, y: 0, width: step, height, class: "tbar-hit", "data-index": i });
    const title = svg("title", {});
    title.textContent = `${bucket.date}: ${bucket.count} article${bucket.count === 1 ? "" : "s"}`;
    bar.append(title);
    for (const target of [hit, bar]) {
      target.addEventListener("mousedown", (event) => { event.preventDefault(); dragFrom = i; });
      target.addEventListener("mouseup", () => { if (dragFrom !== null) { const from = dragFrom; dragFrom = null; select(from, i); } });
    }
    bar.addEventListener("keydown", (event) => { if (event.key === "Enter" || event.key === " ") { event.preventDefault(); select(i, i); } });
    chart.append(hit, bar);
  });
  const label = (text, x, anchor) => { const t = svg("text", { x, y: height + 14, "text-anchor": anchor, class: "axis" }); t.textContent = text; return t; };
  chart.append(label(buckets[0].date, pad, "start"), label(buckets[buckets.length - 1].date, width - pad, "end"));
  figure.replaceChildren(chart, el("figcaption", {}, `Articles per ${interval} — click a bar or drag across bars to filter by date`));
}

function renderPager(state, result) {
  const listed = (result.stories !== undefined ? result.stories : result.total) + (result.relaxed ? result.relaxed.more : 0);
  const pages = Math.max(1, Math.ceil(Math.min(listed, 10000) / PAGE_SIZE));
  if (pages <= 1) { $("pager").replaceChildren(); return; }
  const go = (page) => navigate((s) => { s.page = page; }, { keepPage: true });
  $("pager").replaceChildren(
    el("button", { type: "button", disabled: state.page <= 1, onclick: () => go(state.page - 1) }, "← Previous"),
    el("span", {}, `Page ${state.page} of ${pages.toLocaleString("en")}`),
    el("button", { type: "button", disabled: state.page >= pages, onclick: () => go(state.page + 1) }, "Next →"));
}

// ---------- article view ----------
// Opening article A then B quickly: only B's answer is drawn.
let articleRequest = 0;
async function renderArticle(state) {
  const dialog = $("article");
  const mine = ++articleRequest;
  if (!state.article) { if (dialog.open) dialog.close(); return; }
  try {
    const a = await api(`/api/articles/${encodeURIComponent(state.article)}`);
    if (mine !== articleRequest) return;
    $("article-title").textContent = a.title || "(no title)";
    $("article-meta").textContent = [a.source, a.author, formatDate(a.published), a.dateline_place ? `dateline ${a.dateline_place}` : "",
      a.credit ? `credit: ${a.credit}` : "", a.language, a.section].filter(Boolean).join(" · ");
    const link = $("article-link");
    link.hidden = !a.url;
    if (a.url && /^https?:\/\//i.test(a.url)) link.href = a.url; else link.removeAttribute("href");
    $("article-entities").replaceChildren(...["person", "place", "org"].flatMap((type) => a.entities[type].map((name) => entityChip(type, name))));
    $("article-body").replaceChildren(...markMentions(a.body, a.mentions));
    await renderStory(a);
    if (mine !== articleRequest) return;
    renderSimilar(a);
    if (!dialog.open) dialog.showModal();
  } catch (error) {
    if (mine !== articleRequest) return;
    $("error").hidden = false;
    $("error").textContent = error.message;
  }
}

// The story of the open article: who ran it first, every version in time order (click one to
// open it), and what this version changed against the first.
function after(seconds) {
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 48 * 60) return `${Math.floor(minutes / 60)} h ${minutes % 60 ? `${minutes % 60} min` : ""}`.trim();
  return `${Math.round(minutes / 1440)} days`;
}

async function renderStory(a) {
  const box = $("article-story");
  box.replaceChildren();
  box.hidden = true;
  if (!a.story || a.story.versions < 2) return;
  const lineage = await api(`/api/stories/${encodeURIComponent(a.story.id)}`).catch(() => null);
  if (!lineage || readState().article !== a.id) return;
  const first = lineage.articles[0];
  const dated = lineage.articles.filter((v) => v.after_first_seconds !== null && v.after_first_seconds !== undefined);
  const outlets = new Set(lineage.articles.slice(1).map((v) => v.source).filter((s) => s && s !== first.source));
  const last = dated.length ? Math.max(...dated.map((v) => v.after_first_seconds)) : 0;
  const summary = lineage.first
    ? `First published by ${first.source || "an unknown outlet"}${outlets.size ? `, then ${outlets.size} other outlet${outlets.size === 1 ? "" : "s"}${last > 0 ? ` within ${after(last)}` : ""}` : ""}.`
    : "No version of this story is dated.";
  const items = lineage.articles.map((v) => {
    const when = v.id === first.id && lineage.first ? "first" : v.after_first_seconds === null || v.after_first_seconds === undefined ? "undated" : `+${after(v.after_first_seconds)}`;
    const change = !v.changes ? "" : v.changes.identical ? "same text"
      : `${v.changes.paragraphs_added} paragraph${v.changes.paragraphs_added === 1 ? "" : "s"} added, ${v.changes.paragraphs_removed} removed${v.changes.reordered ? ", reordered" : ""}`;
    return el("li", { class: v.id === a.id ? "version current" : "version" },
      el("span", { class: "when" }, when), " ",
      v.id === a.id ? el("strong", {}, v.source || "(no outlet)")
        : el("button", { type: "button", class: "link", onclick: () => navigate((s) => { s.article = v.id; }, { keepPage: true }) }, v.source || "(no outlet)"),
      ` — ${v.title || "(no title)"}`, change ? el("span", { class: "change" }, ` · ${change}`) : null,
      v.credits_first === true ? el("span", { class: "badge credit" }, `credits ${v.credit}`)
        : v.credits_first === false ? el("span", { class: "badge uncredited", title: "This version does not credit the outlet that published the story first" }, "no credit to the originator") : null);
  });
  const mine = lineage.articles.find((v) => v.id === a.id);
  const diff = mine && mine.changes && !mine.changes.identical
    ? el("div", { class: "diff", "aria-label": "Changes against the first version" },
      el("h4", {}, `What ${mine.source || "this version"} changed against ${first.source || "the first version"}`),
      mine.changes.sentences.length ? el("ul", {}, mine.changes.sentences.map((c) =>
        el("li", { class: c.change === "added" ? "added" : "removed" }, c.change === "added" ? "+ " : "− ",
          c.change === "added" ? el("ins", {}, c.text) : el("del", {}, c.text))))
        : el("p", {}, `${mine.changes.sentences_moved} sentence${mine.changes.sentences_moved === 1 ? "" : "s"} moved, none added or removed.`))
    : null;
  box.replaceChildren(el("h3", {}, `Story: ${lineage.versions} versions`), el("p", { class: "story-summary" }, summary),
    el("ol", { class: "versions" }, items), diff);
  box.hidden = false;
}

// Other stories on the same subject, not copies of this one.
async function renderSimilar(a) {
  const box = $("article-similar");
  box.replaceChildren();
  box.hidden = true;
  const found = await api(`/api/articles/${encodeURIComponent(a.id)}/similar?size=5`).catch(() => null);
  if (!found || !found.hits.length || readState().article !== a.id) return;
  box.replaceChildren(el("h3", {}, "Similar coverage"), el("ul", {}, found.hits.map((hit) => el("li", {},
    el("button", { type: "button", class: "link", onclick: () => navigate((s) => { s.article = hit.id; }, { keepPage: true }) }, hit.title || "(no title)"),
    ` — ${[hit.source, formatDate(hit.published)].filter(Boolean).join(" · ")}`,
    hit.story && hit.story.versions > 1 ? ` · ${hit.story.versions} versions` : ""))));
  box.hidden = false;
}

// Mentions are offsets in code points of the body.
function markMentions(body, mentions) {
  const chars = Array.from(body);
  const out = [];
  let at = 0;
  for (const m of [...mentions].sort((a, b) => a.start - b.start)) {
    if (m.start < at || m.end > chars.length) continue;
    out.push(document.createTextNode(chars.slice(at, m.start).join("")));
    out.push(el("mark", { class: `entity entity-${m.type}`, title: `${m.type}: ${m.entity}`, role: "button", tabindex: "0",
      onclick: () => navigate((s) => { if (!s[m.type].includes(m.entity)) s[m.type].push(m.entity); s.article = ""; }) },
      chars.slice(m.start, m.end).join("")));
    at = m.end;
  }
  out.push(document.createTextNode(chars.slice(at).join("")));
  return out;
}

$("article").addEventListener("close", () => {
  if (readState().article) navigate((s) => { s.article = ""; }, { keepPage: true });
});

// ---------- search box, autocomplete, keys ----------
$("search-form").addEventListener("submit", (event) => {
  event.preventDefault();
  closeSuggestions();
  const q = $("q").value.trim();
  navigate((s) => { s.q = q; s.article = ""; });
});

$("sort").addEventListener("change", (event) => navigate((s) => { s.sort = event.target.value; }));
$("collapse").addEventListener("change", (event) => navigate((s) => { s.collapse = event.target.checked ? "story" : "none"; }));

// ---------- batch search ----------
let batchRows = [];
let batchSort = { key: null, descending: false };

$("batch-button").addEventListener("click", () => {
  const batch = $("batch");
  batch.hidden = !batch.hidden;
  $("batch-button").setAttribute("aria-expanded", String(!batch.hidden));
  if (!batch.hidden) $("batch-terms").focus();
});

function csvField(value) {
  const text = value === null || value === undefined ? "" : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function renderBatch() {
  const rows = [...batchRows];
  const { key, descending } = batchSort;
  if (key) {
    rows.sort((a, b) => {
      const x = a[key] ?? "", y = b[key] ?? "";
      const order = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
      return descending ? -order : order;
    });
  }
  $("batch-table").hidden = rows.length === 0;
  $("batch-table").querySelector("tbody").replaceChildren(...rows.map((r) => el("tr", { class: r.error ? "failed" : "" },
    el("td", {}, r.term),
    r.error ? el("td", { colspan: "5", class: "error" }, r.error) : [
      el("td", { class: "number" }, r.total.toLocaleString("en")),
      el("td", { class: "number" }, r.stories === null ? "" : r.stories.toLocaleString("en")),
      el("td", {}, r.first || ""), el("td", {}, r.last || ""),
      el("td", {}, r.sources.map((s) => `${s.value} (${s.count})`).join(", "))])));
  const header = ["term", "total", "stories", "first", "last", "sources", "error"];
  const lines = [header.join(",")].concat(rows.map((r) => [r.term, r.total, r.stories, r.first, r.last,
    r.sources.map((s) => `${s.value} (${s.count})`).join("; "), r.error].map(csvField).join(",")));
  const link = $("batch-csv");
  if (link.href) URL.revokeObjectURL(link.href);
  link.href = URL.createObjectURL(new Blob([lines.join("\r\n") + "\r\n"], { type: "text/csv" }));
  link.hidden = rows.length === 0;
}

$("batch-table").querySelector("thead").addEventListener("click", (event) => {
  const key = event.target.dataset && event.target.dataset.key;
  if (!key) return;
  batchSort = { key, descending: batchSort.key === key ? !batchSort.descending : key !== "term" };
  renderBatch();
});

$("batch-run").addEventListener("click", async () => {
  const state = readState();
  const params = stateParams({ ...state, q: "", sort: "relevance", collapse: "story", page: 1, article: "" }, { withArticle: false, withPage: false });
  if ($("batch-phrase").checked) params.set("as", "phrase");
  batchRows = [];
  renderBatch();
  $("batch-status").textContent = "Counting…";
  let response;
  try {
    response = await fetch(`/api/batch?${params}`, { method: "POST", headers: { "Content-Type": "text/plain; charset=utf-8" }, body: $("batch-terms").value });
  } catch {
    $("batch-status").textContent = "The Dateline server cannot be reached. Is `dateline serve` running?";
    return;
  }
  if (!response.ok) {
    const body = await response.json().catch(() => null);
    $("batch-status").textContent = body && body.error ? body.error.message : `The server answered ${response.status}.`;
    return;
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let pending = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (value) pending += decoder.decode(value, { stream: true });
    const lines = pending.split("\n");
    pending = lines.pop();
    for (const line of lines) if (line.trim()) batchRows.push(JSON.parse(line));
    renderBatch();
    $("batch-status").textContent = `${batchRows.length.toLocaleString("en")} term${batchRows.length === 1 ? "" : "s"} counted${done ? "" : "…"}`;
    if (done) break;
  }
  const failed = batchRows.filter((r) => r.error).length;
  if (failed) $("batch-status").textContent += ` · ${failed} could not run`;
});

// ---------- compare ----------
const SERIES_COLOURS = ["#1a4fa0", "#c0392b", "#27ae60", "#8e44ad", "#d35400", "#16a085"];

$("compare-button").addEventListener("click", () => {
  const compare = $("compare");
  compare.hidden = !compare.hidden;
  $("compare-button").setAttribute("aria-expanded", String(!compare.hidden));
  if (!compare.hidden) $("compare-queries").focus();
});

function renderComparison(result, asShare) {
  const values = result.series.map((s) => asShare ? s.shares : s.counts);
  const max = Math.max(1e-9, ...values.flat());
  const width = 600, height = 200, left = 40, bottom = 20;
  const x = (i) => left + (result.buckets.length < 2 ? 0 : (i * (width - left - 5)) / (result.buckets.length - 1));
  const y = (v) => height - bottom - (v / max) * (height - bottom - 10);
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img",
    "aria-label": `${result.series.map((s) => s.q).join(" vs ")} by ${result.histogram}` });
  const top = asShare ? `${(max * 100).toFixed(max < 0.1 ? 1 : 0)}%` : max.toLocaleString("en");
  const label = svg("text", { x: 0, y: 12 }); label.textContent = top; chart.append(label);
  const first = svg("text", { x: left, y: height - 4 }); first.textContent = result.buckets[0] || ""; chart.append(first);
  const last = svg("text", { x: width - 70, y: height - 4 }); last.textContent = result.buckets[result.buckets.length - 1] || ""; chart.append(last);
  values.forEach((series, n) => {
    const d = series.map((v, i) => `${i ? "L" : "M"}${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
    chart.append(svg("path", { d, stroke: SERIES_COLOURS[n % SERIES_COLOURS.length], "data-q": result.series[n].q }));
  });
  $("compare-chart").replaceChildren(chart);
  $("compare-legend").replaceChildren(...result.series.map((s, n) => el("li", {},
    el("span", { class: "swatch", style: `background:${SERIES_COLOURS[n % SERIES_COLOURS.length]}` }),
    `${s.q}: ${articles(s.total)} (${(s.share * 100).toFixed(1)}% of all)`)));
  const header = ["period", "all", ...result.series.flatMap((s) => [`${s.q} articles`, `${s.q} share`])];
  const rows = result.buckets.map((date, i) => [date, result.all[i],
    ...result.series.flatMap((s) => [s.counts[i], s.shares ? s.shares[i].toFixed(6) : ""])]);
  const text = [header, ...rows].map((r) => r.map(csvField).join(",")).join("\r\n") + "\r\n";
  const link = $("compare-csv");
  if (link.href) URL.revokeObjectURL(link.href);
  link.href = URL.createObjectURL(new Blob([text], { type: "text/csv" }));
  link.hidden = false;
}

$("compare-run").addEventListener("click", async () => {
  const queries = $("compare-queries").value.split("\n").map((q) => q.trim()).filter(Boolean);
  const state = readState();
  const params = stateParams({ ...state, q: "", sort: "relevance", collapse: "story", page: 1, article: "" }, { withArticle: false, withPage: false });
  for (const q of queries) params.append("q", q);
  params.set("histogram", $("compare-period").value);
  const asShare = $("compare-share").checked;
  params.set("normalize", asShare ? "share" : "count");
  $("compare-status").textContent = "Comparing…";
  try {
    const result = await api(`/api/compare?${params}`);
    $("compare-status").textContent = `${result.series.length} queries over ${articles(result.all_total)}, by ${result.histogram}`;
    renderComparison(result, asShare);
  } catch (error) {
    $("compare-status").textContent = error.message;
    $("compare-chart").replaceChildren();
    $("compare-legend").replaceChildren();
    $("compare-csv").hidden = true;
  }
});

$("help-button").addEventListener("click", () => {
  const help = $("help");
  help.hidden = !help.hidden;
  $("help-button").setAttribute("aria-expanded", String(!help.hidden));
});

let suggestTimer = null;
let activeSuggestion = -1;

function currentWord() {
  const words = $("q").value.split(/\s+/);
  return words[words.length - 1].replace(/^[-+"(]+/, "");
}

function closeSuggestions() {
  $("suggestions").hidden = true;
  $("suggestions").replaceChildren();
  $("q").setAttribute("aria-expanded", "false");
  activeSuggestion = -1;
}

function chooseSuggestion(entity) {
  const words = $("q").value.split(/\s+/);
  words.pop();
  const q = words.join(" ").trim();
  closeSuggestions();
  navigate((s) => { s.q = q; if (!s[entity.type].includes(entity.name)) s[entity.type].push(entity.name); });
}

// The entities the suggestion list shows, in order.
let shownSuggestions = [];

$("q").addEventListener("input", () => {
  clearTimeout(suggestTimer);
  const word = currentWord();
  if (word.length < 2 || word.includes(":")) { closeSuggestions(); return; }
  suggestTimer = setTimeout(async () => {
    const found = await api(`/api/entities?${new URLSearchParams({ prefix: word, size: "8" })}`).catch(() => ({ entities: [] }));
    if (currentWord() !== word || !found.entities.length) { closeSuggestions(); return; }
    shownSuggestions = found.entities;
    $("suggestions").replaceChildren(...found.entities.map((entity, i) => el("li", { role: "option", id: `suggestion-${i}`, "aria-selected": "false",
      onmousedown: (event) => { event.preventDefault(); chooseSuggestion(entity); } },
      el("span", {}, entity.name), el("span", { class: "count" }, `${entity.type} · ${entity.count}`))));
    $("suggestions").hidden = false;
    $("q").setAttribute("aria-expanded", "true");
    activeSuggestion = -1;
  }, 150);
});

$("q").addEventListener("keydown", (event) => {
  const items = [...$("suggestions").children];
  if ($("suggestions").hidden || !items.length) return;
  if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    event.preventDefault();
    activeSuggestion = (activeSuggestion + (event.key === "ArrowDown" ? 1 : -1) + items.length) % items.length;
    items.forEach((li, i) => li.setAttribute("aria-selected", String(i === activeSuggestion)));
    $("q").setAttribute("aria-activedescendant", items[activeSuggestion].id);
  } else if (event.key === "Enter" && activeSuggestion >= 0) {
    event.preventDefault();
    chooseSuggestion(shownSuggestions[activeSuggestion]);
  } else if (event.key === "Escape") {
    closeSuggestions();
  }
});

document.addEventListener("keydown", (event) => {
  const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName);
  if (event.key === "/" && !typing) {
    event.preventDefault();
    $("q").focus();
    $("q").select();
  } else if (event.key === "Escape") {
    closeSuggestions();
    $("help").hidden = true;
    $("help-button").setAttribute("aria-expanded", "false");
    $("batch").hidden = true;
    $("batch-button").setAttribute("aria-expanded", "false");
    $("compare").hidden = true;
    $("compare-button").setAttribute("aria-expanded", "false");
  }
});

window.addEventListener("popstate", render);
render();

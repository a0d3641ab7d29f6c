// A minimal page over /api/search until the full front end lands: the query lives in the URL,
// snippets arrive HTML-escaped from the server with only <mark> added, everything else is text.
"use strict";
const form = document.getElementById("search");
const input = document.getElementById("q");
const status = document.getElementById("status");
const hits = document.getElementById("hits");

function text(tag, value, className) {
  const el = document.createElement(tag);
  el.textContent = value;
  if (className) el.className = className;
  return el;
}

async function run(q) {
  status.textContent = "Searching…";
  hits.replaceChildren();
  const response = await fetch("/api/search?" + new URLSearchParams({ q, facets: "", histogram: "none" }));
  const body = await response.json();
  if (!response.ok) {
    status.textContent = body.error.message;
    return;
  }
  status.textContent = `${body.total} articles (${body.took_ms} ms)`;
  for (const hit of body.hits) {
    const li = document.createElement("li");
    li.append(text("h2", hit.title || "(no title)"));
    li.append(text("p", [hit.source, (hit.published || "").slice(0, 10), hit.language].filter(Boolean).join(" · "), "meta"));
    const snippet = document.createElement("p");
    snippet.innerHTML = hit.snippet; // escaped by the server; only <mark> is markup
    li.append(snippet);
    hits.append(li);
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const url = new URL(location.href);
  url.searchParams.set("q", input.value);
  history.pushState(null, "", url);
  run(input.value);
});

const initial = new URLSearchParams(location.search).get("q");
if (initial !== null) {
  input.value = initial;
  run(initial);
}

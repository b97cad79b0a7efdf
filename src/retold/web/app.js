// The retold page: plain JavaScript, no build step. Every piece of text from the user or the server
// goes into the page with textContent, never as HTML.
"use strict";

const $ = (id) => document.getElementById(id);
let last = null; // {kind: "check"|"rewrite", body, job, report}

function el(tag, props = {}, text) {
  const node = document.createElement(tag);
  Object.assign(node, props);
  if (text !== undefined) node.textContent = text;
  return node;
}

function headers() {
  const h = { "Content-Type": "application/json" };
  if ($("token").value) h.Authorization = "Bearer " + $("token").value;
  return h;
}

async function call(method, url, body) {
  const response = await fetch(url, { method, headers: headers(), body: body && JSON.stringify(body) });
  if (!response.ok) {
    let message = response.statusText;
    try {
      const data = await response.json();
      message = typeof data.detail === "string" ? data.detail : data.detail.map((d) => `${d.loc.slice(1).join(".")}: ${d.msg}`).join("; ");
    } catch (e) { /* not JSON */ }
    throw new Error(`${response.status}: ${message}`);
  }
  return response;
}

function status(text, error = false) {
  $("status").textContent = text;
  $("status").className = error ? "error" : "";
}

// --- tabs -----------------------------------------------------------------------------------------
const tabs = [$("tab-rewrite"), $("tab-check")];
function select(tab) {
  for (const t of tabs) {
    const on = t === tab;
    t.setAttribute("aria-selected", on);
    t.tabIndex = on ? 0 : -1;
    $(t.getAttribute("aria-controls")).hidden = !on;
  }
  tab.focus();
}
tabs.forEach((tab, i) => {
  tab.addEventListener("click", () => select(tab));
  tab.addEventListener("keydown", (e) => {
    if (e.key === "ArrowRight" || e.key === "ArrowLeft") select(tabs[(i + (e.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length]);
  });
});

// --- files ------------------------------------------------------------------------------------------
for (const [input, area] of [["rw-file", "rw-source"], ["ck-source-file", "ck-source"], ["ck-rewrite-file", "ck-rewrite"]]) {
  $(input).addEventListener("change", async () => {
    const file = $(input).files[0];
    if (file) $(area).value = await file.text();
  });
}

// --- check ------------------------------------------------------------------------------------------
$("panel-check").addEventListener("submit", async (e) => {
  e.preventDefault();
  const body = { source: $("ck-source").value, rewrite: $("ck-rewrite").value };
  status("Checking…");
  try {
    const report = await (await call("POST", "/v1/check", body)).json();
    last = { kind: "check", body, report };
    show(report, null);
    status(summary(report));
  } catch (err) {
    status(err.message, true);
  }
});

// --- rewrite ------------------------------------------------------------------------------------------
$("panel-rewrite").addEventListener("submit", async (e) => {
  e.preventDefault();
  const body = { text: $("rw-source").value, engine: $("rw-engine").value };
  if ($("rw-words").value) body.words = Number($("rw-words").value);
  if ($("rw-keyword").value.trim()) body.keyword = $("rw-keyword").value.trim();
  status("Starting the rewrite…");
  try {
    const job = await (await call("POST", "/v1/rewrite", body)).json();
    for (;;) {
      const state = await (await call("GET", job.url)).json();
      if (state.status === "done") {
        last = { kind: "rewrite", job, report: state.result.report };
        show(state.result.report, state.result);
        status(summary(state.result.report));
        return;
      }
      if (state.status === "failed") throw new Error(state.error);
      const p = state.progress;
      status(p ? `Rewriting: ${p.done} of ${p.total} sentences` + (p.seconds_left ? `, about ${Math.round(p.seconds_left)} s left` : "") : "Waiting for the model…");
      await new Promise((r) => setTimeout(r, 1000));
    }
  } catch (err) {
    status(err.message, true);
  }
});

function summary(report) {
  const c = report.document.verdict_counts;
  return `${c.supported} supported, ${c.unsupported} unsupported, ${c.contradicted} contradicted.`;
}

// --- the result, side by side ------------------------------------------------------------------------
function show(report, rewrite) {
  $("result").hidden = false;
  $("headline").textContent = rewrite ? rewrite.headline : "";
  const source = $("source");
  source.replaceChildren();
  for (const unit of report.source_units) {
    const item = el("li", { id: `src-${unit.index}` }, unit.text);
    if (unit.part !== "body") item.prepend(el("em", {}, `${unit.part}: `));
    source.append(item);
  }
  const target = $("rewrite");
  target.replaceChildren();
  const sentences = report.sentences.map((s) => {
    const span = el("span", { className: `sentence ${s.verdict}`, tabIndex: 0, title: s.verdict }, s.text);
    span.setAttribute("role", "button");
    span.setAttribute("aria-label", `${s.verdict}: ${s.text}`);
    span.addEventListener("click", () => detail(s, span));
    span.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); detail(s, span); } });
    return span;
  });
  const paragraphs = rewrite ? rewrite.paragraphs.map((p) => p.map((s) => s.text).join(" ")) : null;
  let paragraph = el("p");
  let current = 0;
  report.sentences.forEach((s, i) => {
    const p = paragraphs ? paragraphs.findIndex((text, k) => k >= current && text.includes(s.text)) : -1;
    if (p > current) {
      target.append(paragraph);
      paragraph = el("p");
      current = p;
    }
    paragraph.append(sentences[i], " ");
  });
  target.append(paragraph);
  if (rewrite && rewrite.attribution) target.append(el("p", {}, rewrite.attribution));
  findings(report.document, rewrite);
  $("detail").textContent = "Select a sentence of the rewrite.";
}

function detail(s, span) {
  document.querySelectorAll(".sentence.selected, #source li.evidence").forEach((n) => n.classList.remove("selected", "evidence"));
  span.classList.add("selected");
  const box = $("detail");
  box.replaceChildren(el("p", {}, ""));
  box.firstChild.append(el("span", { className: `verdict ${s.verdict}` }, s.verdict), ` (score ${s.score.toFixed(2)}) `, s.text);
  if (s.issues.length) {
    const list = el("ul");
    for (const issue of s.issues) {
      const item = el("li");
      item.append(el("strong", {}, issue.type + ": "), issue.message);
      list.append(item);
    }
    box.append(list);
  } else {
    box.append(el("p", {}, "No issues: the source supports this sentence."));
  }
  box.append(el("p", {}, "Evidence: " + (s.evidence.map((e) => `source sentence ${e.source_index + 1}`).join(", ") || "none")));
  s.evidence.forEach((e, i) => {
    const item = $(`src-${e.source_index}`);
    if (item) {
      item.classList.add("evidence");
      if (i === 0) item.scrollIntoView({ block: "nearest", behavior: "smooth" });
    }
  });
}

function findings(doc, rewrite) {
  const list = $("findings");
  list.replaceChildren();
  const add = (text) => list.append(el("li", {}, text));
  add(`Copied 4-word sequences: ${(doc.copied_4gram_ratio * 100).toFixed(1)}% (${(doc.copied_outside_quotes * 100).toFixed(1)}% outside quotes)`);
  if (rewrite) add(`Words: ${rewrite.words}; sentences that fell back to the rules: ${(rewrite.fallback_share * 100).toFixed(0)}%`);
  for (const k of doc.keyword_stuffing) add(`Keyword stuffing: “${k.phrase}” ×${k.count}` + (k.ungrammatical.length ? `; breaks the grammar in: ${k.ungrammatical.join(", ")}` : ""));
  for (const q of doc.altered_quotes) add(`Quote in sentence ${q.sentence + 1}: ${q.message}`);
  if (doc.omissions.length) add("Left out: " + doc.omissions.map((o) => `${o.text} (${o.type})`).join("; "));
  if (!doc.keyword_stuffing.length && !doc.altered_quotes.length) add("No keyword stuffing and no altered quotes.");
}

// --- downloads ------------------------------------------------------------------------------------------
document.querySelectorAll(".downloads button").forEach((button) => {
  button.addEventListener("click", async () => {
    if (!last) return;
    const format = button.dataset.format;
    try {
      let response;
      if (last.kind === "check") {
        response = format === "json" ? null : await call("POST", `/v1/check?format=${format}`, last.body);
      } else {
        response = await call("GET", `${last.job.url}?format=${format}`);
      }
      const blob = response ? await response.blob() : new Blob([JSON.stringify(last.report, null, 2)], { type: "application/json" });
      const link = el("a", { href: URL.createObjectURL(blob), download: `retold-${last.kind}.${format}` });
      document.body.append(link);
      link.click();
      link.remove();
    } catch (err) {
      status(err.message, true);
    }
  });
});

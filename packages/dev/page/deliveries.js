// The deliveries page: plain DOM, no framework, no fetch but this server's own API. Every value shown comes
// from a webhook (hostile input): it is set with textContent or an attribute, never parsed as HTML.

const API = "/_/api/deliveries";
const state = {
  listText: "",
  deliveries: [],
  selected: new Set(),
  openId: undefined,
  refreshSeconds: 2,
  timer: undefined,
  samplesShown: false,
};

const $ = (id) => document.getElementById(id);

/** An element with attributes and children; strings become text nodes, never markup. */
function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === undefined || value === false) continue;
    if (name === "text") node.textContent = String(value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

const pad = (n) => String(n).padStart(2, "0");

/** `2026-12-07 13:05:28` in the reader's time zone; the ISO time stays in the datetime attribute. */
function localTime(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

function say(message) {
  $("status").textContent = message;
}

function filterQuery() {
  const params = new URLSearchParams();
  const form = $("filters");
  if (form.elements.failed.checked) params.set("failed", "1");
  for (const name of ["since", "kind", "plugin", "id"]) {
    const value = form.elements[name].value.trim();
    if (value) params.set(name, value);
  }
  return params;
}

function readFiltersFromUrl() {
  const params = new URLSearchParams(location.search);
  const form = $("filters");
  form.elements.failed.checked = ["1", "true", "on"].includes(params.get("failed") ?? "");
  for (const name of ["since", "kind", "plugin", "id"]) form.elements[name].value = params.get(name) ?? "";
}

async function getJson(url) {
  const response = await fetch(url, { headers: { accept: "application/json" } });
  const value = await response.json().catch(() => ({ error: `${response.status} ${response.statusText}` }));
  if (!response.ok) throw new Error(value.error ?? `${response.status} ${response.statusText}`);
  return value;
}

async function postJson(url, value) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify(value),
  });
  const answer = await response.json().catch(() => ({ error: `${response.status} ${response.statusText}` }));
  if (!response.ok) throw new Error(answer.error ?? `${response.status} ${response.statusText}`);
  return answer;
}

function badge(text, className) {
  return el("span", { class: `badge ${className}`, text });
}

function decisionItem(decision) {
  return el(
    "li",
    {},
    el("strong", { text: decision.name }),
    " ",
    badge(decision.decision, `decision-${decision.decision}`),
    decision.target ? ` → ${decision.target}` : "",
    decision.reason ? el("span", { class: "reason", text: ` ${decision.reason}` }) : "",
  );
}

function answerCell(view) {
  const cell = el("td", {}, badge(`${view.status} ${view.fate}`, `fate-${view.fate}`));
  if (view.reason) cell.append(el("div", { class: "reason", text: view.reason }));
  if (view.redeliveryOf)
    cell.append(el("div", { class: "note", text: `redelivery of ${view.redeliveryOf}` }));
  for (const again of view.redeliveries ?? []) {
    cell.append(el("div", { class: "note", text: `redelivered as ${again.id}: ${again.fate}` }));
  }
  return cell;
}

function row(view) {
  const select = view.redeliverable
    ? el("input", {
        type: "checkbox",
        "data-focus": `select:${view.id}`,
        "aria-label": `Select webhook ${view.id} (${view.kind})`,
      })
    : "";
  if (select) {
    select.checked = state.selected.has(view.id);
    select.addEventListener("change", () => {
      if (select.checked) state.selected.add(view.id);
      else state.selected.delete(view.id);
      updateSelection();
    });
  }
  const open = el("button", {
    type: "button",
    class: "link",
    "data-focus": `open:${view.id}`,
    "aria-label": `Open webhook ${view.id}: ${view.kind}, ${view.status} ${view.fate}`,
    text: view.id,
  });
  open.addEventListener("click", () => openStory(view.id));
  const decisions =
    view.decisions.length > 0 ? el("ul", { class: "decisions" }, ...view.decisions.map(decisionItem)) : "";
  return el(
    "tr",
    { "data-id": view.id, class: state.openId === view.id ? "open" : undefined },
    el("td", { class: "select" }, select),
    el(
      "td",
      { class: "time" },
      el("time", { datetime: view.time, title: view.time, text: localTime(view.time) }),
    ),
    el("td", { class: "kind", text: view.kind }),
    answerCell(view),
    el("td", {}, decisions),
    el("td", { class: "num", text: view.ms === undefined ? "" : `${view.ms} ms` }),
    el("td", { class: "mono id" }, open),
  );
}

function fillDatalist(id, values) {
  const list = $(id);
  list.replaceChildren(...[...new Set(values)].sort().map((value) => el("option", { value })));
}

function updateSelection() {
  const selectable = state.deliveries.filter((view) => view.redeliverable).map((view) => view.id);
  for (const id of [...state.selected]) if (!selectable.includes(id)) state.selected.delete(id);
  const count = state.selected.size;
  const button = $("redeliver-selected");
  button.disabled = count === 0;
  button.textContent = count === 0 ? "Redeliver selected" : `Redeliver selected (${count})`;
  const all = $("select-all");
  all.checked = count > 0 && count === selectable.length;
  all.indeterminate = count > 0 && count < selectable.length;
  all.disabled = selectable.length === 0;
}

function render(data) {
  $("source").textContent =
    data.mode === "local"
      ? `Local server: ${data.source}. New webhooks appear as they arrive.`
      : `Deployed stage: ${data.source}.`;
  state.deliveries = data.deliveries;
  state.refreshSeconds = data.refreshSeconds ?? state.refreshSeconds;
  const focusKey = document.activeElement?.getAttribute?.("data-focus");
  $("list").tBodies[0].replaceChildren(...data.deliveries.map(row));
  if (focusKey) document.querySelector(`[data-focus="${CSS.escape(focusKey)}"]`)?.focus();
  $("count").textContent = `(${data.deliveries.length})`;
  $("empty").hidden = data.deliveries.length > 0;
  fillDatalist(
    "kinds",
    data.deliveries.map((view) => view.kind),
  );
  fillDatalist(
    "plugins",
    data.deliveries.flatMap((view) => view.decisions.map((d) => d.name)),
  );
  if (!state.samplesShown && data.samples.length > 0) {
    $("sample").replaceChildren(...data.samples.map((name) => el("option", { value: name, text: name })));
    $("samples-box").hidden = false;
    state.samplesShown = true;
  }
  updateSelection();
}

async function load(force) {
  let text;
  try {
    const response = await fetch(`${API}?${filterQuery()}`, { headers: { accept: "application/json" } });
    text = await response.text();
    if (!response.ok) {
      let message = text;
      try {
        message = JSON.parse(text).error ?? text;
      } catch {}
      say(`Cannot list the webhooks: ${message}`);
      return;
    }
  } catch (error) {
    say(`Cannot reach the server: ${error.message}. Is make run still running?`);
    return;
  }
  if (!force && text === state.listText) return;
  state.listText = text;
  render(JSON.parse(text));
}

function schedule() {
  clearTimeout(state.timer);
  state.timer = setTimeout(async () => {
    if ($("auto-refresh").checked && !document.hidden && !$("confirm").open) await load(false);
    schedule();
  }, state.refreshSeconds * 1000);
}

function fact(list, term, value, className) {
  if (value === undefined || value === null || value === "") return;
  list.append(
    el("dt", { text: term }),
    typeof value === "string" ? el("dd", { class: className, text: value }) : el("dd", {}, value),
  );
}

function decisionsTable(decisions) {
  if (decisions.length === 0) return el("p", { class: "note", text: "No plugin or route acted on it." });
  const head = el(
    "tr",
    {},
    ...["Plugin or route", "Decision", "Reason", "Target", "Execution or message"].map((text) =>
      el("th", { scope: "col", text }),
    ),
  );
  const rows = decisions.map((d) =>
    el(
      "tr",
      {},
      el("th", { scope: "row", text: d.name }),
      el("td", {}, badge(d.decision, `decision-${d.decision}`)),
      el("td", { text: d.reason ?? "" }),
      el("td", { text: d.target ?? "" }),
      el("td", { class: "mono", text: d.execution ?? "" }),
    ),
  );
  return el(
    "table",
    {},
    el("caption", { class: "visually-hidden", text: "What each plugin and route decided" }),
    el("thead", {}, head),
    el("tbody", {}, ...rows),
  );
}

async function openStory(id) {
  let story;
  try {
    story = await getJson(`${API}/${encodeURIComponent(id)}`);
  } catch (error) {
    say(`Cannot open webhook ${id}: ${error.message}`);
    return;
  }
  state.openId = story.id;
  for (const tr of $("list").tBodies[0].rows) tr.classList.toggle("open", tr.dataset.id === story.id);
  $("story-title").textContent = `Webhook ${story.id}: ${story.kind}`;
  const facts = $("story-facts");
  facts.replaceChildren();
  fact(
    facts,
    "Received",
    el("time", { datetime: story.time, text: `${localTime(story.time)} (${story.time})` }),
  );
  fact(facts, "Answer", badge(`${story.status} ${story.fate}`, `fate-${story.fate}`));
  fact(facts, "Outcome", story.outcome);
  fact(facts, "Reason", story.reason);
  fact(facts, "Duration", story.ms === undefined ? undefined : `${story.ms} ms`);
  fact(facts, "Identity (consumers de-duplicate on it)", story.identity, "mono");
  fact(facts, "Request id", story.requestId, "mono");
  fact(facts, "Request", story.method ? `${story.method} ${story.path ?? ""}`.trim() : undefined);
  fact(
    facts,
    "Signed",
    story.signed === undefined ? undefined : story.signed ? "yes (X-Exl-Signature)" : "no",
  );
  fact(facts, "Content type", story.contentType);
  fact(facts, "Redelivery of", story.redeliveryOf, "mono");
  for (const again of story.redeliveries ?? [])
    fact(facts, "Redelivered as", `${again.id}: ${again.fate}`, "mono");
  $("story-decisions").replaceChildren(decisionsTable(story.decisions));
  $("story-answer").textContent = story.answer ?? "(not kept in the delivery history)";
  const kept = story.bodyFormat !== "none" && story.bodyNote === undefined;
  $("body-title").textContent = kept
    ? `Body received (${story.bodyFormat}, ${story.bodyBytes} bytes)`
    : "Body received";
  $("story-body").textContent =
    story.bodyNote ?? (story.bodyFormat === "binary" ? "(binary: download it)" : story.body || "(empty)");
  $("copy-body").disabled = !kept || story.bodyFormat === "binary";
  const download = $("download-body");
  download.hidden = !kept;
  download.setAttribute("href", `${API}/${encodeURIComponent(story.id)}/body`);
  $("redeliver-one").disabled = !story.redeliverable;
  $("story").hidden = false;
  $("story-title").focus();
}

function closeStory() {
  const id = state.openId;
  state.openId = undefined;
  $("story").hidden = true;
  for (const tr of $("list").tBodies[0].rows) tr.classList.remove("open");
  if (id) document.querySelector(`[data-focus="${CSS.escape(`open:${id}`)}"]`)?.focus();
}

function confirmRedelivery(ids) {
  const dialog = $("confirm");
  $("confirm-title").textContent =
    ids.length === 1 ? "Redeliver this webhook?" : `Redeliver ${ids.length} webhooks?`;
  $("confirm-text").textContent =
    `${ids.join(", ")} will be sent again through the handler, the same bytes, under the same identity: ` +
    "a target that already has one answers duplicate, nothing repeats.";
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
    dialog.returnValue = "cancel";
    dialog.showModal();
    $("confirm-ok").focus();
  });
}

function showResults(title, results) {
  const items = results.map((result) =>
    el(
      "li",
      { "data-result": result.id },
      el("strong", { class: "mono", text: result.id }),
      `: ${result.statusCode} ${result.fate ?? result.outcome}`,
      result.redeliveredAs ? ` (now ${result.redeliveredAs})` : "",
      result.body ? el("span", { class: "reason", text: ` ${result.body.slice(0, 300)}` }) : "",
    ),
  );
  $("results").replaceChildren(el("p", { text: title }), el("ul", {}, ...items));
}

async function redeliver(ids) {
  if (ids.length === 0 || !(await confirmRedelivery(ids))) {
    say("Redelivery cancelled.");
    return;
  }
  say(`Redelivering ${ids.length} webhook(s)…`);
  try {
    const { results } = await postJson("/_/redeliver", { ids });
    const delivered = results.filter((result) => result.statusCode < 400).length;
    const summary = `Redelivered ${results.length}: ${delivered} accepted, ${results.length - delivered} not.`;
    showResults("Last redelivery:", results);
    say(summary);
    state.selected.clear();
    await load(true);
    if (state.openId && ids.includes(state.openId)) await openStory(state.openId);
  } catch (error) {
    say(`Redelivery failed: ${error.message}`);
  }
}

async function copyBody() {
  if (!state.openId) return;
  try {
    const response = await fetch(`${API}/${encodeURIComponent(state.openId)}/body`);
    const text = await response.text();
    await navigator.clipboard.writeText(text);
    say(`Copied the body of ${state.openId} (${text.length} characters).`);
  } catch {
    const range = document.createRange();
    range.selectNodeContents($("story-body"));
    getSelection()?.removeAllRanges();
    getSelection()?.addRange(range);
    say("The browser refused the clipboard: the body is selected, copy it with Ctrl+C.");
  }
}

async function sendSample() {
  const name = $("sample").value;
  say(`Sending the sample ${name}…`);
  try {
    const { results } = await postJson("/_/api/samples", { name });
    showResults("Last sample sent:", results);
    say(`Sample ${name}: ${results[0].statusCode} ${results[0].fate ?? results[0].outcome}`);
    await load(true);
  } catch (error) {
    say(`Sending the sample failed: ${error.message}`);
  }
}

function start() {
  readFiltersFromUrl();
  $("filters").addEventListener("submit", (event) => {
    event.preventDefault();
    const query = filterQuery().toString();
    history.replaceState(null, "", query ? `?${query}` : location.pathname);
    load(true);
  });
  $("filters").addEventListener("reset", () => {
    setTimeout(() => {
      history.replaceState(null, "", location.pathname);
      load(true);
    });
  });
  $("f-failed").addEventListener("change", () => $("filters").requestSubmit());
  $("select-all").addEventListener("change", (event) => {
    state.selected.clear();
    if (event.target.checked) {
      for (const view of state.deliveries) if (view.redeliverable) state.selected.add(view.id);
    }
    for (const box of $("list").querySelectorAll("tbody input[type=checkbox]")) {
      box.checked = state.selected.has(box.closest("tr").dataset.id);
    }
    updateSelection();
  });
  $("redeliver-selected").addEventListener("click", () => redeliver([...state.selected]));
  $("redeliver-one").addEventListener("click", () => state.openId && redeliver([state.openId]));
  $("close-story").addEventListener("click", closeStory);
  $("story").addEventListener("keydown", (event) => {
    if (event.key === "Escape") closeStory();
  });
  $("copy-body").addEventListener("click", copyBody);
  $("send-sample").addEventListener("click", sendSample);
  load(true).then(schedule);
}

start();

// Live runtime (main thread). Loaded once per visit by calc-static.js; with Material's instant
// navigation it stays loaded, rebinding each new page through `document$`, so the Python worker
// (calc-worker.mjs) boots once. The main thread never waits on Python: every request is a
// message to the worker, answered asynchronously.
//
// Page contract (see DESIGN.md): one parameter state per page, shared by every widget and inline
// number; non-default values live in the URL query; [data-output] elements get their
// calculation from the nearest [data-calc] and their overrides from [data-params] (JSON,
// inner wins over outer, overrides win over page state).

const root = document.documentElement;
const Status = window.CalcStatus;
const Chart = window.CalcChart;

window.__calcTimings = { runtime_loaded: performance.now(), worker_started: window.__calcWorkerStart };

// ---------------------------------------------------------------------------- worker
// Normally started by the boot script at the top of <head> (site_src/overrides/partials/
// calc-boot.js) so Python boots while the page loads; its messages that came before this
// module are in window.__calcEarly, with their times.
//
// A boot never waits forever: it fails (visibly, with a Retry control; the built numbers stay
// readable) when no byte of the Pyodide core has arrived for STALL_MS while downloading, or
// when Python has not started within START_MS after the last byte.
const STALL_MS = 20000;
const START_MS = 60000;
const ANSWER_TIMEOUT_MS = 20000; // a calculation takes milliseconds; this only catches a hung worker
const RESERVED = new Set(["scheme"]); // URL keys that are not calc parameters (embeddable views)
const embedded = root.hasAttribute("data-calc-embed");
const builtAs = buildOf(document); // the build this visit's worker belongs to

let page = null; // the Page bound to the document shown
let pageGen = 0;
let worker = null;
let meta = null; // {defaults, calcs: {name: [params]}, wheel, pyodide}
let workerState = "booting";
let nextId = 1;
let pending = new Map();
let ready = null;
let boot = null; // {phase, loaded, total, last, timer}

function buildOf(doc) {
  const m = doc.querySelector('meta[name="calc-build"]');
  return m ? m.getAttribute("content") : "";
}

function wheelOf(doc) {
  const m = doc.querySelector('meta[name="calc-wheel"]');
  return m ? m.getAttribute("content") : "";
}

function startWorker() {
  const w = new Worker(new URL("./calc-worker.mjs", import.meta.url), { type: "module", name: "calc" });
  window.__calcWorker = w;
  window.__calcBoots = (window.__calcBoots || 0) + 1;
  window.__calcTimings.worker_started = performance.now();
  return w;
}

function adopt(w, earlyMessages, startedAt) {
  worker = w;
  workerState = "booting";
  pending = new Map();
  const b = (boot = { phase: "download", loaded: 0, total: 0, last: startedAt });
  ready = new Promise((resolve, reject) => {
    b.fail = reject;
    w.onmessage = (event) => {
      if (w !== worker) return;
      const m = event.data;
      b.last = performance.now();
      if (m.type === "progress") {
        progress(m);
      } else if (m.type === "ready") {
        const wanted = wheelOf(document);
        if (wanted && m.meta.wheel && wanted !== m.meta.wheel) {
          reject(new Error("this page and its Python package are from different builds of the site: reload the page"));
          return;
        }
        meta = m.meta;
        root.dataset.calcWheel = meta.wheel || "";
        workerState = "live";
        window.__calcTimings.worker = m.timings;
        window.__calcTimings.ready = performance.now();
        resolve();
      } else if (m.type === "failed") {
        reject(new Error(m.error));
      } else if (m.type === "snapshot") {
        // What became of the memory snapshot (calc-snapshot.mjs), for tests and the benchmark.
        (window.__calcSnapshots = window.__calcSnapshots || []).push(m);
        root.dataset.calcSnapshot = m.stored ? "stored" : m.restored ? "restored" : "none";
      } else if (pending.has(m.id)) {
        const { res } = pending.get(m.id);
        pending.delete(m.id);
        res(m);
      }
    };
    w.onerror = (event) => {
      event.preventDefault();
      if (w !== worker) return;
      const message = event.message || "the Python worker stopped";
      if (workerState === "live") workerDied(message);
      else reject(new Error(message));
    };
    for (const m of earlyMessages) {
      if (m.error) w.onerror({ preventDefault() {}, message: m.error });
      else w.onmessage({ data: m.data });
      if (m.t) b.last = m.t;
    }
  });
  ready.finally(() => {
    clearInterval(b.timer);
    if (boot === b) boot = null;
  }).catch(() => {});
  ready.catch((err) => {
    if (w !== worker) return;
    workerState = "failed";
    console.warn("[calc] live calculation unavailable:", err.message);
    for (const { res } of pending.values()) res({ error: err.message });
    pending.clear();
    w.terminate();
    if (page) page.fail(err.message);
  });
  // The watchdog: a boot that stops making progress fails instead of waiting forever.
  b.timer = setInterval(() => {
    const quiet = performance.now() - b.last;
    if (b.phase === "download" && quiet > STALL_MS) {
      b.fail(new Error(`Python's files stopped downloading (nothing received for ${STALL_MS / 1000} s)`));
    } else if (b.phase === "start" && quiet > START_MS) {
      b.fail(new Error(`Python did not start within ${START_MS / 1000} s`));
    }
  }, 1000);
}

function progress(m) {
  if (!boot) return;
  boot.phase = m.phase;
  boot.loaded = m.loaded;
  boot.total = m.total;
  if (page && workerState === "booting") page.showProgress();
}

function progressText() {
  if (!boot) return null;
  if (boot.phase === "download" && boot.total) {
    return `Downloading Python\u2026 ${Math.floor((100 * boot.loaded) / boot.total)}%`;
  }
  if (boot.phase === "start") return "Starting Python\u2026";
  return null;
}

// A worker that dies after booting: every open request fails, the page says so.
function workerDied(message) {
  workerState = "failed";
  for (const { res } of pending.values()) res({ error: message });
  pending.clear();
  if (page) page.fail(message);
}

function retry() {
  if (workerState !== "failed") return;
  if (worker) worker.terminate();
  adopt(startWorker(), [], performance.now());
  if (page) page.restart();
}

if (window.__calcWorker) {
  adopt(window.__calcWorker, (window.__calcEarly || []).splice(0), window.__calcWorkerStart || 0);
} else {
  adopt(startWorker(), [], performance.now());
}

// A request goes to the worker at once, booted or not (it answers its queue as soon as Python
// is up: no round trip through this thread between "ready" and the first answer). The time
// allowed for an answer counts from the moment Python is ready.
function ask(request) {
  return new Promise((res) => {
    const id = nextId++;
    let timer = null;
    pending.set(id, { res: (m) => { clearTimeout(timer); res(m); } });
    ready.then(() => {
      if (!pending.has(id)) return;
      timer = setTimeout(() => {
        if (!pending.has(id)) return;
        pending.delete(id);
        res({ error: "no answer from Python within " + ANSWER_TIMEOUT_MS / 1000 + " s" });
      }, ANSWER_TIMEOUT_MS);
    }, () => {});
    worker.postMessage({ id, request: JSON.stringify(request) });
  });
}

// ---------------------------------------------------------------------------- helpers
function setState(state) {
  Status.mirror(state);
}

function parseParams(el) {
  const text = el.getAttribute("data-params");
  if (!text) return {};
  try {
    const v = JSON.parse(text);
    return v && typeof v === "object" ? v : {};
  } catch {
    return {};
  }
}

function sortedJSON(obj) {
  return JSON.stringify(Object.keys(obj).sort().map((k) => [k, obj[k]]));
}

// Which calculation and overrides an output element uses.
function bindingOf(el) {
  const calcEl = el.closest("[data-calc]");
  if (!calcEl) return null;
  const overrides = {};
  const chain = [];
  for (let e = el; e; e = e.parentElement) if (e.hasAttribute && e.hasAttribute("data-params")) chain.push(e);
  for (const e of chain.reverse()) Object.assign(overrides, parseParams(e));
  return { calc: calcEl.dataset.calc, overrides };
}

function sameValue(a, b) {
  if (typeof a === "number" && typeof b === "number") return a === b;
  return String(a) === String(b);
}

function rawText(value) {
  return typeof value === "string" ? value : JSON.stringify(value);
}

// ---------------------------------------------------------------------------- page

// The host page's optional resize script, given with every Embed snippet: each embedded
// frame takes the height its widget reports (calc-embed-size, below), within sane limits.
const RESIZE_SCRIPT = 'addEventListener("message", (e) => { const d = e.data; ' +
  'if (!d || d.type !== "calc-embed-size" || !(d.height > 0 && d.height < 100000)) return; ' +
  'for (const f of document.querySelectorAll("iframe")) if (f.contentWindow === e.source) f.style.height = d.height + "px"; });';

class Page {
  constructor() {
    this.gen = ++pageGen;
    this.raw = {}; // parameter -> raw value as typed or linked (strings)
    this.errors = {};
    this.edited = new Set();
    this.userBad = new Set(); // parameters the reader typed an invalid value into, until fixed
    this.first = true;
    this.inflight = false;
    this.dirty = false;
    this.seen = false; // at least one response applied
    this.reserved = new URLSearchParams(); // URL keys kept as they are (not calc parameters)
    for (const [k, v] of new URLSearchParams(location.search)) {
      if (RESERVED.has(k)) this.reserved.append(k, v);
      else this.raw[k] = v;
    }
    // A link with its own state: until Python has computed it, the built numbers on the page
    // are the defaults', not the link's. They stay readable, marked pending (calc-live.css).
    this.linked = Object.keys(this.raw).length > 0;
    this.setPending(this.linked);

    this.widgets = [...document.querySelectorAll("[data-widget]")];
    this.items = new Map(); // key -> {calc, overrides, els: []}
    for (const el of document.querySelectorAll("[data-output]")) {
      const b = bindingOf(el);
      if (!b) continue;
      const key = b.calc + "|" + sortedJSON(b.overrides);
      if (!this.items.has(key)) this.items.set(key, { key, calc: b.calc, overrides: b.overrides, els: [] });
      this.items.get(key).els.push(el);
    }
    this.controls = [...document.querySelectorAll("[data-widget] [name]")].filter(
      (c) => c.matches("input, select, textarea") && !c.hasAttribute("data-link"),
    );
    // URL values show in the inputs straight away (validated once Python is up).
    for (const c of this.controls) if (c.name in this.raw) c.value = this.raw[c.name];

    this.onInput = (e) => this.edit(e.target);
    for (const w of this.widgets) {
      const form = w.querySelector("form");
      if (form) form.addEventListener("submit", (e) => e.preventDefault());
      w.addEventListener("input", this.onInput);
      w.addEventListener("change", this.onInput);
      w.addEventListener("keydown", (e) => this.stepKey(e));
      for (const b of w.querySelectorAll("[data-copy-link]")) b.addEventListener("click", () => this.copyLink(w, b));
      for (const b of w.querySelectorAll("[data-embed]")) b.addEventListener("click", () => this.embedCode(w, b));
    }
  }

  setPending(on) {
    if (on) root.setAttribute("data-calc-pending", "");
    else root.removeAttribute("data-calc-pending");
  }

  // While Python boots: what is downloading, on the status indicator and every widget.
  showProgress() {
    const text = progressText();
    if (!text || this.seen) return;
    Status.set("booting", text);
    for (const w of this.widgets) {
      const label = w.querySelector("[data-state-label]");
      if (label) label.textContent = text;
    }
  }

  edit(target) {
    if (!target || !target.name || !this.controls.includes(target)) return;
    const name = target.name;
    if (this.raw[name] === target.value && !(name in this.errors)) return;
    this.raw[name] = target.value;
    this.edited.add(name);
    for (const c of this.controls) if (c !== target && c.name === name) c.value = target.value;
    window.__calcTimings.last_edit = performance.now();
    this.schedule();
  }

  // ArrowUp/ArrowDown step a numeric text input like a number input would.
  stepKey(e) {
    const t = e.target;
    if (!(e.key === "ArrowUp" || e.key === "ArrowDown") || !t.dataset || !t.dataset.step) return;
    const v = Number(t.value);
    if (t.value.trim() === "" || !isFinite(v)) return;
    const step = Number(t.dataset.step) * (e.shiftKey ? 10 : 1);
    let next = v + (e.key === "ArrowUp" ? step : -step);
    if (t.dataset.min !== undefined) next = Math.max(Number(t.dataset.min), next);
    if (t.dataset.max !== undefined) next = Math.min(Number(t.dataset.max), next);
    const digits = (t.dataset.step.split(".")[1] || "").length;
    t.value = digits ? next.toFixed(digits) : String(Math.round(next));
    e.preventDefault();
    this.edit(t);
  }

  schedule() {
    if (workerState === "failed") return;
    if (this.inflight) {
      this.dirty = true;
      return;
    }
    this.send();
  }

  async send() {
    this.inflight = true;
    this.dirty = false;
    if (workerState === "failed") {
      this.inflight = false;
      return;
    }
    const edited = this.edited;
    this.edited = new Set();
    const request = {
      params: { ...this.raw },
      items: [...this.items.values()].map((i) => ({ key: i.key, calc: i.calc, overrides: i.overrides })),
    };
    const answer = await ask(request);
    this.inflight = false;
    if (page !== this) return;
    if (workerState === "failed") return; // the page says so already (fail(), with Retry)
    if (answer.error) this.calcError(answer.error);
    else this.apply(answer.response, edited);
    if (this.dirty) this.send();
  }

  calcError(message) {
    for (const item of this.items.values()) for (const el of item.els) el.setAttribute("data-stale", "");
    for (const w of this.widgets) this.itemError(w, "Live calculation failed (" + message + "); showing the last good values.");
    if (!this.seen) setState("failed");
  }

  itemError(widget, message) {
    const box = widget.querySelector("[data-item-error]");
    if (!box) return;
    box.textContent = message || "";
    box.hidden = !message;
  }

  apply(resp, edited) {
    const errors = resp.errors || {};
    this.errors = errors;
    // Messages next to the inputs, and page-level ones for parameters without an input here.
    const named = new Set();
    for (const c of this.controls) {
      named.add(c.name);
      const box = c.closest("[data-field]")?.querySelector("[data-error-for]");
      if (c.name in errors) {
        if (c.tagName === "SELECT" && c.selectedIndex < 0 && resp.state && c.name in resp.state) {
          c.value = rawText(resp.state[c.name]);
        }
        c.setAttribute("aria-invalid", "true");
        if (box) {
          box.textContent = errors[c.name];
          box.hidden = false;
        }
      } else {
        c.removeAttribute("aria-invalid");
        if (box) {
          box.textContent = "";
          box.hidden = true;
        }
        // First answer: show the validated state (URL values normalised, defaults filled in).
        if (this.first && resp.state && c.name in resp.state && document.activeElement !== c) {
          c.value = rawText(resp.state[c.name]);
        }
      }
    }
    this.pageNotice(Object.keys(errors).filter((k) => !named.has(k)).map((k) => errors[k]));
    // The sticky summary (phones) shows "(stale)" numbers far from the field that explains
    // them: it names the inputs to fix.
    for (const w of this.widgets) {
      const why = w.querySelector("[data-summary-why]");
      if (!why) continue;
      const bad = this.controls.filter((c) => w.contains(c) && c.name in errors).map((c) => {
        const label = c.id && w.querySelector(`label[for="${CSS.escape(c.id)}"]`);
        return "\u201c" + ((label && label.firstChild && label.firstChild.textContent.trim()) || c.name) + "\u201d";
      });
      why.querySelector("dd").textContent = bad.length ? bad.join(", ") + (bad.length > 1 ? " are" : " is") +
        " not valid (see the message under the field)." : "";
      why.hidden = !bad.length;
    }

    // Outputs that depend on a parameter the reader has made invalid keep their last good
    // values (marked stale) until it is valid again, whatever else changes meanwhile. A bad
    // value from the URL is different: there is no earlier good value, so the default applies.
    for (const k of edited) this.userBad.add(k);
    for (const k of [...this.userBad]) if (!(k in errors)) this.userBad.delete(k);
    const blocking = this.userBad;
    const widgetErrors = new Map();
    if (resp.fatal) for (const w of this.widgets) widgetErrors.set(w, resp.fatal);
    for (const item of this.items.values()) {
      const deps = (meta.calcs[item.calc] || []).filter((p) => !(p in item.overrides));
      const bad = deps.some((p) => p in errors);
      const blocked = deps.some((p) => blocking.has(p));
      const r = (resp.items || {})[item.key];
      if (!r || r.error) {
        for (const el of item.els) {
          el.setAttribute("data-stale", "");
          const w = el.closest("[data-widget]");
          if (w) widgetErrors.set(w, (r && r.error) || "no result");
        }
        continue;
      }
      for (const el of item.els) {
        const out = r.outputs[el.dataset.output];
        if (!out) {
          el.setAttribute("data-stale", "");
          continue;
        }
        if (!blocked) this.write(el, out);
        if (bad) el.setAttribute("data-stale", "");
        else el.removeAttribute("data-stale");
      }
    }
    for (const w of this.widgets) this.itemError(w, widgetErrors.get(w));

    // The URL keeps only the valid values that differ from the defaults.
    if (resp.state && meta) {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(resp.state)) {
        if (k in errors || !(k in meta.defaults) || sameValue(v, meta.defaults[k])) continue;
        q.set(k, rawText(v));
      }
      for (const [k, v] of this.reserved) q.append(k, v);
      const qs = q.toString();
      // An absolute URL: a path that begins "//" (a link with a doubled slash) would read as
      // another host, and the browser would refuse it.
      const url = new URL(location.href);
      url.search = qs ? "?" + qs : "";
      if (url.href !== location.href) history.replaceState(history.state, "", url.href);
      if (embedded) this.updateBackLink();
    }
    this.first = false;
    if (!this.seen) {
      this.seen = true;
      this.setPending(false);
      root.removeAttribute("data-calc-defaults");
      setState("live");
      root.dataset.calcLivePath = location.pathname;
      window.__calcTimings.live = performance.now();
    }
    window.__calcTimings.applied = performance.now();
    root.dataset.calcUpdates = String(Number(root.dataset.calcUpdates || 0) + 1);
  }

  write(el, out) {
    const raw = rawText(out.value);
    const changed = el.getAttribute("data-value") !== raw;
    if (changed) el.setAttribute("data-value", raw);
    if (el.hasAttribute("data-chart")) {
      if (changed || !el.querySelector("svg")) Chart.draw(el, out.value);
      return;
    }
    if (el.textContent !== out.text) el.textContent = out.text;
  }

  pageNotice(messages) {
    let box = document.querySelector("[data-calc-page-errors]");
    if (!messages.length) {
      if (box) box.remove();
      return;
    }
    if (!box) {
      box = document.createElement("div");
      box.className = "calc-page-errors";
      box.setAttribute("data-calc-page-errors", "");
      box.setAttribute("role", "alert");
      const content = document.querySelector(".md-content__inner") || document.body;
      content.insertBefore(box, content.firstChild);
    }
    box.textContent = "Ignored in the link: " + messages.join("; ");
  }

  // The query for the state as the reader has it now: every parameter that is not known to be
  // invalid and differs from its default (the URL itself is only updated when an answer comes).
  query() {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(this.raw)) {
      if (k in this.errors && !this.edited.has(k)) continue;
      if (meta && k in meta.defaults && sameValue(v, meta.defaults[k])) continue;
      if (meta && !(k in meta.defaults)) continue;
      q.set(k, v);
    }
    const qs = q.toString();
    return qs ? "?" + qs : "";
  }

  async copyLink(widget, button) {
    const url = location.origin + location.pathname + (meta ? this.query() : location.search) + "#" + widget.id;
    const field = widget.querySelector("[data-link]");
    if (field) {
      field.value = url;
      field.hidden = false;
    }
    button.dataset.href = url;
    let copied = false;
    try {
      if (navigator.clipboard && window.isSecureContext) {
        await navigator.clipboard.writeText(url);
        copied = true;
      }
    } catch {
      copied = false;
    }
    if (!copied && field) field.select();
    button.textContent = copied ? "Link copied" : "Copy the link below";
    const said = widget.querySelector("[data-copy-status]");
    if (said) said.textContent = copied ? "Link copied to the clipboard." : "Select and copy the link below.";
    clearTimeout(button._t);
    button._t = setTimeout(() => {
      button.textContent = "Copy link";
      if (said) said.textContent = "";
    }, 2500);
  }

  fail(message) {
    setState("failed");
    for (const c of this.controls) c.disabled = true;
    // The built numbers stay readable; those of a link that was never computed say so.
    const pendingShown = this.linked && !this.seen;
    this.setPending(false);
    if (pendingShown) root.setAttribute("data-calc-defaults", "");
    const what = pendingShown
      ? "the numbers shown are the site's built-in defaults, not those of this link"
      : "the numbers are the ones computed when the site was built";
    const text = "Live calculation unavailable (" + message + "): " + what + ".";
    for (const w of this.widgets) this.failBox(w.querySelector("[data-item-error]"), text);
    let box = document.querySelector("[data-calc-failed]");
    if (!box) {
      box = document.createElement("div");
      box.className = "calc-page-errors calc-failed";
      box.setAttribute("data-calc-failed", "");
      box.setAttribute("role", "alert");
      const content = document.querySelector(".md-content__inner") || document.querySelector(".calc-embed") || document.body;
      content.insertBefore(box, content.firstChild);
    }
    this.failBox(box, text);
  }

  // A failure message with a Retry button (a new worker, the same page).
  failBox(box, text) {
    if (!box) return;
    box.textContent = text + " ";
    const button = document.createElement("button");
    button.type = "button";
    button.className = "md-button calc-retry";
    button.setAttribute("data-retry", "");
    button.textContent = "Retry";
    button.addEventListener("click", () => retry());
    box.appendChild(button);
    box.hidden = false;
  }

  // After a Retry: back to booting, inputs usable again, the same state asked for.
  restart() {
    for (const c of this.controls) c.disabled = false;
    for (const w of this.widgets) this.itemError(w, "");
    const box = document.querySelector("[data-calc-failed]");
    if (box) box.remove();
    root.removeAttribute("data-calc-defaults");
    this.setPending(this.linked && !this.seen);
    this.inflight = false;
    this.dirty = false;
    setState("booting");
    this.schedule();
  }

  // The embeddable view of a widget for the state as it is now, as an <iframe> snippet.
  embedURL(widget) {
    const base = new URL("../", import.meta.url); // the site's root (assets/ is one level down)
    let rel = location.pathname.startsWith(base.pathname) ? location.pathname.slice(base.pathname.length) : "";
    rel = rel.replace(/index\.html$/, "").replace(/\/$/, "");
    return new URL("embed/" + (rel || "index") + "/" + widget.id + "/" + this.query(), base).href;
  }

  embedCode(widget, button) {
    const box = widget.querySelector("[data-embed-box]");
    const field = widget.querySelector("[data-embed-code]");
    if (!box || !field) return;
    if (!box.hidden && button.getAttribute("aria-expanded") === "true") {
      box.hidden = true;
      button.setAttribute("aria-expanded", "false");
      return;
    }
    const esc = (t) => String(t).replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
    const titleEl = widget.querySelector(".calc-widget-title");
    const title = (titleEl ? titleEl.textContent.trim() + " – " : "") + document.title;
    // The frame's height: the widget's as laid out here, plus the view's margins and footer.
    const height = Math.ceil(widget.getBoundingClientRect().height) + 40;
    // With the frame, the optional resize script (README, "Embedding"): the frame then follows
    // the widget's height at any width; a host that strips scripts keeps the height above.
    field.value = `<iframe src="${esc(this.embedURL(widget))}" title="${esc(title)}" width="100%" height="${height}" style="border:0;max-width:100%" loading="lazy"></iframe>\n` +
      `<script>${RESIZE_SCRIPT}</script>`;
    box.hidden = false;
    button.setAttribute("aria-expanded", "true");
    field.focus();
    field.select();
  }

  // In an embeddable view: the link back to the full explanation follows the state.
  updateBackLink() {
    for (const a of document.querySelectorAll("[data-embed-back]")) {
      const url = new URL(a.getAttribute("href"), location.href);
      url.search = this.query();
      a.href = url.href;
    }
  }
}

function bindPage() {
  // A page of another build (the site was deployed again while this visit went on, and
  // instant navigation fetched the new page): load it whole, with its own Python package.
  if (builtAs && buildOf(document) && buildOf(document) !== builtAs) {
    location.reload();
    return;
  }
  page = new Page();
  window.__calcPage = page;
  if (workerState === "failed") {
    page.fail("Python could not start");
    return;
  }
  setState("booting");
  if (workerState !== "live") page.showProgress();
  page.schedule();
}

// The offline copy (service worker), once the first page is live or has failed, so that its
// downloads never compete with Python's; then it shows that the site works offline and tells
// the reader when a newer version is ready.
let offlineStarted = false;
function startOffline() {
  if (offlineStarted) return;
  offlineStarted = true;
  import("./calc-offline.mjs").then((m) => m.setup({ embedded })).catch((e) => console.warn("[calc] offline copy unavailable:", e.message));
}
ready.then(startOffline, startOffline);

// An embeddable view tells its host page how tall it is (for the optional resize script).
if (embedded && window.parent !== window && typeof ResizeObserver === "function") {
  let last = 0;
  new ResizeObserver(() => {
    const height = Math.ceil(document.documentElement.scrollHeight);
    if (height === last) return;
    last = height;
    window.parent.postMessage({ type: "calc-embed-size", height, href: location.href }, "*");
  }).observe(document.body);
}

if (window.document$ && typeof window.document$.subscribe === "function") {
  window.document$.subscribe(() => bindPage());
} else {
  bindPage();
}

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
// Normally started from <head> (site_src/overrides/main.html) so Python boots while the page
// loads; its messages that came before this module are in window.__calcEarly.
let worker = window.__calcWorker;
const early = window.__calcEarly || [];
if (!worker) {
  worker = new Worker(new URL("./calc-worker.mjs", import.meta.url), { type: "module", name: "calc" });
  window.__calcWorker = worker;
  window.__calcBoots = (window.__calcBoots || 0) + 1;
  window.__calcTimings.worker_started = performance.now();
}
let meta = null; // {defaults, calcs: {name: [params]}}
let workerState = "booting";
let nextId = 1;
const pending = new Map();

const ready = new Promise((resolve, reject) => {
  worker.onmessage = (event) => {
    const m = event.data;
    if (m.type === "ready") {
      meta = m.meta;
      workerState = "live";
      window.__calcTimings.worker = m.timings;
      window.__calcTimings.ready = performance.now();
      resolve();
    } else if (m.type === "failed") {
      reject(new Error(m.error));
    } else if (pending.has(m.id)) {
      const { res } = pending.get(m.id);
      pending.delete(m.id);
      res(m);
    }
  };
  worker.onerror = (event) => {
    event.preventDefault();
    const message = event.message || "the Python worker stopped";
    if (workerState === "live") workerDied(message);
    else reject(new Error(message));
  };
  for (const m of early.splice(0)) {
    if (m.error) worker.onerror({ preventDefault() {}, message: m.error });
    else worker.onmessage({ data: m.data });
  }
});
ready.catch((err) => {
  workerState = "failed";
  console.warn("[calc] live calculation unavailable:", err.message);
  for (const { res } of pending.values()) res({ error: err.message });
  pending.clear();
  if (page) page.fail(err.message);
});

// A worker that dies after booting: every open request fails, the page says so.
function workerDied(message) {
  workerState = "failed";
  for (const { res } of pending.values()) res({ error: message });
  pending.clear();
  if (page) page.fail(message);
}

const ANSWER_TIMEOUT_MS = 20000; // a calculation takes milliseconds; this only catches a hung worker

function ask(request) {
  return new Promise((res) => {
    const id = nextId++;
    const timer = setTimeout(() => {
      if (!pending.has(id)) return;
      pending.delete(id);
      res({ error: "no answer from Python within " + ANSWER_TIMEOUT_MS / 1000 + " s" });
    }, ANSWER_TIMEOUT_MS);
    pending.set(id, { res: (m) => { clearTimeout(timer); res(m); } });
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
let page = null;
let pageGen = 0;

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
    for (const [k, v] of new URLSearchParams(location.search)) this.raw[k] = v;

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
    try {
      await ready;
    } catch {
      this.inflight = false;
      return;
    }
    if (page !== this) return;
    const edited = this.edited;
    this.edited = new Set();
    const request = {
      params: { ...this.raw },
      items: [...this.items.values()].map((i) => ({ key: i.key, calc: i.calc, overrides: i.overrides })),
    };
    const answer = await ask(request);
    this.inflight = false;
    if (page !== this) return;
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
      const qs = q.toString();
      const url = location.pathname + (qs ? "?" + qs : "") + location.hash;
      if (url !== location.pathname + location.search + location.hash) history.replaceState(history.state, "", url);
    }
    this.first = false;
    if (!this.seen) {
      this.seen = true;
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
    for (const w of this.widgets) this.itemError(w, "Live calculation unavailable (" + message + "): the numbers are the ones computed when the site was built.");
  }
}

function bindPage() {
  page = new Page();
  window.__calcPage = page;
  if (workerState === "failed") {
    page.fail("Python could not start");
    return;
  }
  setState("booting");
  page.schedule();
}

if (window.document$ && typeof window.document$.subscribe === "function") {
  window.document$.subscribe(() => bindPage());
} else {
  bindPage();
}

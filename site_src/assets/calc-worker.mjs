// Module Web Worker: boots Pyodide once per visit, loads the calc wheel from the site's own
// lock file, and answers requests with calc.web.handle(request_json) -> response_json.
//
// Messages in:  {id, request}            request is the JSON string calc.web.handle() takes
// Messages out: {type: "progress", phase, loaded, total}  while booting: "download" (bytes of
//                   the Pyodide core received so far, of total), then "start" (all downloaded,
//                   Python starting)
//               {type: "ready", meta, timings}  once Python and calc are loaded
//               {type: "failed", error}         if the boot failed
//               {type: "snapshot", ...}         what became of the memory snapshot (for tests)
//               {id, response} | {id, error}    one answer per request (response parsed)
//
// Boot: every download starts at once, before Pyodide's own module has loaded (the wasm, the
// standard library and the lock file are fetched here and handed to Pyodide through the
// `fetch` it calls; pyodide.asm.mjs is imported in parallel and passed as
// `createPyodideModule`). A returning reader's interpreter comes from a memory snapshot (see
// calc-snapshot.mjs): Python's start-up and the import of calc are skipped.

// The Pyodide version and the decoded sizes of its core files (for the download progress);
// build.py fills them in.
const CORE = {};
const CORE_SIZES = CORE.sizes || {};

const indexURL = new URL("../pyodide/", import.meta.url).href;
// Imported, not a static import: a static one would be fetched before this module runs, one
// round trip before the downloads below could start.
const snapshotModule = import("./calc-snapshot.mjs");
const useSnapshot = new URL(import.meta.url).searchParams.get("snapshot") !== "0";
const t0 = performance.now();
let handle = null;
const queue = [];

// ---------------------------------------------------------------------------- downloads
const nativeFetch = self.fetch.bind(self);
const STDLIB = "python_stdlib.zip";
const STDLIB_STORED = "python_stdlib.stored.zip";
const expected = new Map([["pyodide.mjs", 0], ["pyodide.asm.mjs", 0], ["pyodide.asm.wasm", 0], [STDLIB, 0]]);
for (const name of expected.keys()) expected.set(name, CORE_SIZES[name] || 0);
if (CORE_SIZES[STDLIB_STORED]) expected.set(STDLIB, CORE_SIZES[STDLIB_STORED]);
let loaded = 0;
let lastPost = 0;
const pendingFiles = new Set(expected.keys());

function postProgress(force) {
  const now = performance.now();
  if (!force && now - lastPost < 150) return;
  lastPost = now;
  const total = [...expected.values()].reduce((a, b) => a + b, 0);
  const phase = pendingFiles.size ? "download" : "start";
  self.postMessage({ type: "progress", phase, loaded: Math.min(loaded, total), total });
}

function fileDone(name) {
  if (pendingFiles.delete(name) && !pendingFiles.size) postProgress(true);
}

// Count the bytes of a response as they arrive (on a clone: Pyodide gets the response itself).
// A core file the server refuses fails the boot at once.
function counted(name, response) {
  if (!response.ok) {
    self.postMessage({ type: "failed", error: `Python's files could not be loaded (HTTP ${response.status} for ${name})` });
  }
  if (response.ok && response.body) {
    const reader = response.clone().body.getReader();
    (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        loaded += value.byteLength;
        postProgress(false);
      }
      fileDone(name);
    })().catch(() => {});
  } else {
    fileDone(name);
  }
  return response;
}

// The standard library: stored uncompressed, it compresses to 1.6 MB instead of 2.5 MB, but
// only a host that sends it compressed gains; from any other, take the original zip.
async function stdlib() {
  if (CORE_SIZES[STDLIB_STORED]) {
    const abort = new AbortController();
    try {
      const r = await nativeFetch(indexURL + STDLIB_STORED, { signal: abort.signal });
      if (r.ok && r.headers.get("content-encoding")) return r;
      if (r.ok && r.headers.get("x-calc-offline")) {
        expected.set(STDLIB, CORE_SIZES[STDLIB]); // the offline copy keeps the original
        return r;
      }
      abort.abort();
    } catch {
      // not there: the original
    }
  }
  expected.set(STDLIB, CORE_SIZES[STDLIB] || 0);
  return nativeFetch(indexURL + STDLIB);
}

const wasmURL = indexURL + "pyodide.asm.wasm";
const wasmResponse = nativeFetch(wasmURL).then((r) => counted("pyodide.asm.wasm", r));
const early = new Map([
  [wasmURL, wasmResponse],
  [indexURL + STDLIB, stdlib().then((r) => counted(STDLIB, r))],
]);
const lockFile = nativeFetch(indexURL + "pyodide-lock.json").then((r) => {
  if (!r.ok) throw new Error(`the lock file could not be loaded (HTTP ${r.status})`);
  return r.json();
});
// The calc wheel, checked against the lock file's sha256. A pure-Python wheel is a zip
// archive Python imports from directly: it is written to the file system and put on sys.path
// (no unpacking), rather than installed by Pyodide's package loader (`packages: ["calc"]`),
// which records the package in a JavaScript object that makes a memory snapshot fail
// (pyodide/pyodide#5195).
const calcWheel = lockFile.then(async (lock) => {
  const pkg = lock.packages.calc;
  if (!pkg) throw new Error("the lock file has no calc package");
  const r = await nativeFetch(new URL(pkg.file_name, indexURL).href);
  if (!r.ok) throw new Error(`the calc package could not be loaded (HTTP ${r.status})`);
  const bytes = new Uint8Array(await r.arrayBuffer());
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  const hex = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
  if (hex !== pkg.sha256) throw new Error("the calc package does not match the lock file's sha256");
  return bytes;
});
// A returning reader's snapshot, read while the downloads run (null if none or not usable).
const snapshotStore = useSnapshot ? snapshotModule.then((s) => s.open()).catch(() => null) : Promise.resolve(null);
const savedSnapshot = Promise.all([lockFile, snapshotModule, snapshotStore])
  .then(([lock, snapshot, store]) =>
    store && store.read(snapshot.keyOf({ pyodide: CORE.pyodide, wheel: lock.packages.calc.sha256, engine: navigator.userAgent })))
  .catch(() => null);
const WHEEL_PATH = "/lib/calc.whl";
const PY_INSTALL = `
import sys
sys.path.insert(0, "${WHEEL_PATH}")
`;
const asmModule = import("../pyodide/pyodide.asm.mjs").then((m) => {
  loaded += expected.get("pyodide.asm.mjs");
  fileDone("pyodide.asm.mjs");
  postProgress(true);
  return m;
});
const pyodideModule = import("../pyodide/pyodide.mjs").then((m) => {
  loaded += expected.get("pyodide.mjs");
  fileDone("pyodide.mjs");
  return m;
});
// Each is awaited where it is used; a failure of one that is not (the wheel, on a restore)
// must not surface as an unhandled rejection.
for (const p of [wasmResponse, lockFile, calcWheel, asmModule, pyodideModule, ...early.values()]) p.catch(() => {});
// Pyodide fetches the wasm and the standard library itself: give it the downloads started
// above (once; a second boot in this worker fetches again).
self.fetch = (input, init) => {
  const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
  const started = early.get(url);
  if (started) {
    early.delete(url);
    return started;
  }
  return nativeFetch(input, init);
};
postProgress(true);

// ---------------------------------------------------------------------------- answers

const MAX_MESSAGE = 200; // calc.errors.MAX_MESSAGE: no message the page shows is longer

// One line for the reader, never a traceback: the exception line of a Python traceback
// ("ValueError: ..."), else the first non-empty line of the message; at most 200 characters.
function oneLine(err) {
  const lines = String((err && err.message) || err).split("\n").map((l) => l.trim()).filter(Boolean);
  const exc = lines.filter((l) => /^[A-Za-z_.]*(Error|Exception)\b/.test(l)).pop();
  const line = exc || lines[0] || "";
  return line.length > MAX_MESSAGE ? line.slice(0, MAX_MESSAGE - 1) + "\u2026" : line;
}

function answer({ id, request }) {
  try {
    // Parsed here, off the main thread. Python's json may emit NaN/Infinity tokens:
    // JSON.parse refuses them, so they never reach the page.
    const response = JSON.parse(handle(request));
    self.postMessage({ id, response });
  } catch (err) {
    // calc.web gives each item its own error, so this is a failure it did not foresee. Ask
    // again item by item: the item that fails gets the one line, every other widget its
    // numbers (a Python exception never fails the whole page).
    self.postMessage({ id, ...itemByItem(request, err) });
  }
}

function itemByItem(request, err) {
  let req, response;
  try {
    req = JSON.parse(request);
    response = JSON.parse(handle(JSON.stringify({ params: req.params || {}, items: [] })));
  } catch (err2) {
    return { error: oneLine(err) || oneLine(err2) || "calculation failed" };
  }
  response.items = {};
  for (const item of Array.isArray(req.items) ? req.items : []) {
    const key = item && item.key;
    try {
      const one = JSON.parse(handle(JSON.stringify({ params: req.params || {}, items: [item] })));
      response.items[key] = (one.items && one.items[key]) || { error: one.fatal || "no result" };
    } catch (errItem) {
      response.items[key] = { error: oneLine(errItem) || "calculation failed" };
    }
  }
  return { response };
}

// The snapshot is made once the first answer is out (off the path to the first live result).
let answeredOnce;
const firstAnswer = new Promise((resolve) => (answeredOnce = resolve));

self.onmessage = (event) => {
  if (handle) {
    answer(event.data);
    answeredOnce();
  } else {
    queue.push(event.data);
  }
};

// ---------------------------------------------------------------------------- boot
const PY_META = `
import json, calc, calc.web
json.dumps({
    "defaults": calc.web.defaults(),
    "calcs": {name: list(c.params) for name, c in calc.CALCULATIONS.items()},
})
`;
// Every module of calc imported before a snapshot, so a restored interpreter has them all in
// memory whatever it is asked later.
const PY_IMPORT_ALL = `
import importlib, pkgutil, calc
for _m in pkgutil.walk_packages(calc.__path__, "calc."):
    if not _m.name.endswith(".__main__"):
        importlib.import_module(_m.name)
del _m
`;

async function boot() {
  const [{ loadPyodide, version }, { default: createPyodideModule }, lock, snapshot] =
    await Promise.all([pyodideModule, asmModule, lockFile, snapshotModule]);
  const wheel = (lock.packages.calc || {}).sha256 || "";
  const options = {
    indexURL,
    lockFileContents: lock,
    packageBaseUrl: indexURL,
    createPyodideModule,
    stdout: () => {},
    stderr: (msg) => console.warn("[calc] Python:", msg),
  };
  const key = snapshot.keyOf({ pyodide: CORE.pyodide, wheel, engine: navigator.userAgent });
  const store = await snapshotStore;
  let pyodide = null;
  let restored = false;

  const marks = { modules: performance.now() - t0 };
  const saved = await savedSnapshot;
  marks.snapshot_read = performance.now() - t0;
  if (saved) {
    try {
      pyodide = await snapshot.restore(loadPyodide, options, saved);
      // The file system is not part of a snapshot: the wheel goes back where sys.path has it.
      pyodide.FS.writeFile(WHEEL_PATH, await calcWheel);
      marks.restored = performance.now() - t0;
      await snapshot.verify(pyodide, saved);
      marks.verified = performance.now() - t0;
      handle = pyodide.pyimport("calc.web").handle;
      restored = true;
    } catch (err) {
      // Any failure: forget this snapshot and boot as usual (a new one replaces it).
      self.postMessage({ type: "snapshot", restored: false, error: oneLine(err) });
      await store.remove();
      pyodide = null;
      handle = null;
    }
  }
  if (!pyodide) {
    pyodide = await loadPyodide({ ...options, _makeSnapshot: !!store });
    marks.pyodide_loaded = performance.now() - t0;
    pyodide.FS.writeFile(WHEEL_PATH, await calcWheel);
    pyodide.runPython(PY_INSTALL);
    marks.calc_installed = performance.now() - t0;
    handle = pyodide.pyimport("calc.web").handle;
    marks.calc_imported = performance.now() - t0;
  }
  const tBooted = performance.now();
  const meta = JSON.parse(pyodide.runPython(PY_META));
  meta.wheel = wheel;
  meta.pyodide = version;
  meta.restored = restored;
  const tReady = performance.now();
  self.postMessage({
    type: "ready",
    meta,
    timings: { boot_ms: tBooted - t0, ready_ms: tReady - t0, restored, marks },
  });
  if (queue.length) {
    while (queue.length) answer(queue.shift());
    answeredOnce();
  }
  if (restored) {
    self.postMessage({ type: "snapshot", restored: true, bytes: saved.bytes.length });
  } else if (store) {
    // After the first answer (or a few seconds without any), on a later turn: every module of
    // calc imported, the interpreter copied, then stored.
    await Promise.race([firstAnswer, new Promise((r) => setTimeout(r, 3000))]);
    await new Promise((r) => setTimeout(r, 0));
    const t = performance.now();
    let made = null;
    try {
      pyodide.runPython(PY_IMPORT_ALL);
      made = pyodide.makeMemorySnapshot();
    } catch (err) {
      self.postMessage({ type: "snapshot", made: false, error: oneLine(err) });
      return;
    }
    const madeMs = performance.now() - t;
    const result = await store.write(key, made, pyodide).catch((err) => ({ stored: false, error: oneLine(err) }));
    self.postMessage({ type: "snapshot", made: true, made_ms: madeMs, stored_ms: performance.now() - t, ...result });
  }
}

boot().catch((err) => {
  self.postMessage({ type: "failed", error: oneLine(err) || "Python failed to start" });
});

// Module Web Worker: boots Pyodide once per visit, loads the calc wheel from the site's own
// lock file, and answers requests with calc.web.handle(request_json) -> response_json.
//
// Messages in:  {id, request}            request is the JSON string calc.web.handle() takes
// Messages out: {type: "progress", phase, loaded, total}  while booting: "download" (bytes of
//                   the Pyodide core received so far, of total), then "start" (all downloaded,
//                   Python starting)
//               {type: "ready", meta, timings}  once Python and calc are loaded
//               {type: "failed", error}         if the boot failed
//               {id, response} | {id, error}    one answer per request (response parsed)
//
// The boot starts every download at once, before Pyodide's own module has loaded: the wasm,
// the standard library and the lock file are fetched here and handed to Pyodide (through the
// `fetch` it calls), and pyodide.asm.mjs is imported in parallel (`createPyodideModule`).

// Decoded sizes of the Pyodide core files, for the download progress; build.py fills them in.
const CORE_SIZES = {};

const indexURL = new URL("../pyodide/", import.meta.url).href;
const t0 = performance.now();
let handle = null;
const queue = [];

// ---------------------------------------------------------------------------- downloads
const nativeFetch = self.fetch.bind(self);
const total = Object.values(CORE_SIZES).reduce((a, b) => a + b, 0);
let loaded = 0;
let lastPost = 0;
const pendingFiles = new Set(Object.keys(CORE_SIZES));

function postProgress(force) {
  const now = performance.now();
  if (!force && now - lastPost < 150) return;
  lastPost = now;
  const phase = pendingFiles.size ? "download" : "start";
  self.postMessage({ type: "progress", phase, loaded: Math.min(loaded, total), total });
}

function fileDone(name) {
  if (pendingFiles.delete(name) && !pendingFiles.size) postProgress(true);
}

// Count the bytes of a response as they arrive (on a clone: Pyodide gets the response itself).
function tracked(name, responsePromise) {
  return responsePromise.then((response) => {
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
    }
    return response;
  });
}

const early = new Map();
for (const name of ["pyodide.asm.wasm", "python_stdlib.zip"]) {
  early.set(indexURL + name, tracked(name, nativeFetch(indexURL + name)));
}
const lockFile = nativeFetch(indexURL + "pyodide-lock.json").then((r) => {
  if (!r.ok) throw new Error(`the lock file could not be loaded (HTTP ${r.status})`);
  return r.json();
});
const asmModule = import("../pyodide/pyodide.asm.mjs").then((m) => {
  loaded += CORE_SIZES["pyodide.asm.mjs"] || 0;
  fileDone("pyodide.asm.mjs");
  postProgress(true);
  return m;
});
const pyodideModule = import("../pyodide/pyodide.mjs").then((m) => {
  loaded += CORE_SIZES["pyodide.mjs"] || 0;
  fileDone("pyodide.mjs");
  return m;
});
// Pyodide fetches the wasm and the standard library itself: give it the downloads started above.
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
// One line for the reader, never a traceback: the exception line of a Python traceback
// ("ValueError: ..."), else the first non-empty line of the message.
function oneLine(err) {
  const lines = String((err && err.message) || err).split("\n").map((l) => l.trim()).filter(Boolean);
  const exc = lines.filter((l) => /^[A-Za-z_.]*(Error|Exception)\b/.test(l)).pop();
  return exc || lines[0] || "";
}

function answer({ id, request }) {
  try {
    // Parsed here, off the main thread. Python's json may emit NaN/Infinity tokens:
    // JSON.parse refuses them, so they never reach the page.
    const response = JSON.parse(handle(request));
    self.postMessage({ id, response });
  } catch (err) {
    self.postMessage({ id, error: oneLine(err) || "calculation failed" });
  }
}

self.onmessage = (event) => {
  if (handle) answer(event.data);
  else queue.push(event.data);
};

// ---------------------------------------------------------------------------- boot
async function boot() {
  const [{ loadPyodide, version }, { default: createPyodideModule }, lock] =
    await Promise.all([pyodideModule, asmModule, lockFile]);
  const pyodide = await loadPyodide({
    indexURL,
    lockFileContents: lock,
    packageBaseUrl: indexURL,
    createPyodideModule,
    packages: ["calc"],
    stdout: () => {},
    stderr: (msg) => console.warn("[calc worker]", msg),
  });
  const tBooted = performance.now();
  const web = pyodide.pyimport("calc.web");
  handle = web.handle;
  const meta = JSON.parse(
    pyodide.runPython(`
import json, calc, calc.web
json.dumps({
    "defaults": calc.web.defaults(),
    "calcs": {name: list(c.params) for name, c in calc.CALCULATIONS.items()},
})
`),
  );
  meta.wheel = (lock.packages.calc || {}).sha256 || "";
  meta.pyodide = version;
  const tReady = performance.now();
  self.postMessage({
    type: "ready",
    meta,
    timings: { boot_ms: tBooted - t0, ready_ms: tReady - t0 },
  });
  while (queue.length) answer(queue.shift());
}

boot().catch((err) => {
  self.postMessage({ type: "failed", error: oneLine(err) || "Python failed to start" });
});

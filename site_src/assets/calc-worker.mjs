// Module Web Worker: boots Pyodide once per visit, loads the calc wheel from the site's own
// lock file, and answers requests with calc.web.handle(request_json) -> response_json.
//
// Messages in:  {id, request}            request is the JSON string calc.web.handle() takes
// Messages out: {type: "ready", meta, timings}  once Python and calc are loaded
//               {type: "failed", error}         if the boot failed
//               {id, response} | {id, error}    one answer per request (response parsed)
import { loadPyodide } from "../pyodide/pyodide.mjs";

const indexURL = new URL("../pyodide/", import.meta.url).href;
const t0 = performance.now();
let handle = null;
const queue = [];

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

self.onmessage = (event) => {
  if (handle) answer(event.data);
  else queue.push(event.data);
};

async function boot() {
  const pyodide = await loadPyodide({
    indexURL,
    lockFileURL: indexURL + "pyodide-lock.json",
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

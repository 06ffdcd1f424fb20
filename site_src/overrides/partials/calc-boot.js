// Boot script. Runs first thing in <head>: inlined by overrides/main.html in every page, and
// loaded as assets/calc-boot.js by the embeddable views. A classic script (also read from
// file://, where it only marks the page), no module, nothing that waits.
// - A page opened from a link with its own state (?seq_len=...) shows the build's default
//   figures until Python has computed the link's: mark them pending before the first paint.
// - An embeddable view takes the colour scheme the host page asks for (?scheme=dark|light|auto).
// - Start the Python worker now, so Pyodide downloads and boots while the theme loads;
//   calc-runtime.mjs adopts it, with the messages (and their times) that came before.
(function () {
  var root = document.documentElement;
  var query = new URLSearchParams(location.search);
  var live = location.protocol !== "file:" && typeof Worker !== "undefined";
  var linked = false;
  query.forEach(function (v, k) { if (k !== "scheme") linked = true; });
  // Where nothing will compute the link's state (from disk), the numbers are the defaults.
  if (linked) root.setAttribute(live ? "data-calc-pending" : "data-calc-defaults", "");
  if (root.hasAttribute("data-calc-embed")) {
    var scheme = (query.get("scheme") || "").toLowerCase();
    var dark = scheme === "dark" || scheme === "slate" ||
      (scheme === "auto" && !!window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches);
    root.setAttribute("data-md-color-scheme", dark ? "slate" : "default");
  }
  if (!live || window.__calcWorker) return;
  var script = document.currentScript;
  var assets = new URL((script && (script.src || script.getAttribute("data-assets"))) || "assets/", location.href);
  try {
    var early = (window.__calcEarly = []);
    var w = new Worker(new URL("calc-worker.mjs", assets), { type: "module", name: "calc" });
    w.onmessage = function (e) { early.push({ data: e.data, t: performance.now() }); };
    w.onerror = function (e) { e.preventDefault(); early.push({ error: e.message || "worker error", t: performance.now() }); };
    window.__calcWorker = w;
    window.__calcBoots = (window.__calcBoots || 0) + 1;
    window.__calcWorkerStart = performance.now();
  } catch (e) { /* the runtime starts its own worker */ }
})();

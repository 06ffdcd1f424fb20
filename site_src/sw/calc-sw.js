// Offline service worker. build.py writes site/calc-sw.js = a header defining VERSION (a hash
// of the list below) and FILES ([path, sha256, size] of every file of the build: pages, theme,
// embeddable views, the Pyodide core, the lock file, the calc wheel) + this file.
//
// - install: downloads every file into the cache "calc-site-<VERSION>" and checks each one
//   against its sha256, so the cache holds exactly one build (a file from another deployment
//   fails the install, which the browser retries later). Files still fresh in the HTTP cache
//   are revalidated, not downloaded twice.
// - While it waits (an older version still serves open pages), pages are told that a newer
//   version is ready; the reader's "Reload" sends "skip-waiting". With no page open, the
//   browser activates it on the next visit.
// - activate: deletes the caches of other versions and takes control of open pages.
// - fetch: a file of this build is answered from this version's cache (never mixed with
//   another build); anything else goes to the network; an unknown page offline gets 404.html.
//
// Written by hand (about 150 lines) rather than with Workbox: precaching one list of files
// with hash checks and one cache-first route is all it does, and Workbox's precache and
// routing modules alone are larger than this file and add their own revision bookkeeping.

const PREFIX = "calc-site-";
const CACHE = PREFIX + VERSION;
const SCOPE = new URL("./", self.location.href);
const BY_PATH = new Map(FILES.map((f) => [f[0], f]));
const STDLIB = "pyodide/python_stdlib.zip";
const STDLIB_STORED = "pyodide/python_stdlib.stored.zip";

function hex(buffer) {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function fetchChecked(path, sha) {
  const url = new URL(path, SCOPE).href;
  let lastError = null;
  // "no-cache" revalidates what the HTTP cache holds (the page has just downloaded most of
  // these files); "reload" fetches afresh if that copy was stale.
  for (const mode of ["no-cache", "reload"]) {
    try {
      const response = await fetch(url, { cache: mode, credentials: "same-origin" });
      if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
      const body = await response.arrayBuffer();
      if (sha && hex(await crypto.subtle.digest("SHA-256", body)) !== sha) {
        throw new Error(`${path}: not the file of build ${VERSION}`);
      }
      // A plain body with the server's type: the stored copy never carries a Content-Encoding.
      const headers = { "Content-Type": response.headers.get("Content-Type") || "application/octet-stream" };
      return new Response(body, { status: 200, headers });
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError;
}

async function precache() {
  const cache = await caches.open(CACHE);
  const todo = FILES.slice().sort((a, b) => b[2] - a[2]); // largest first: they take longest
  async function worker() {
    while (todo.length) {
      const [path, sha] = todo.shift();
      const url = new URL(path, SCOPE).href;
      if (await cache.match(url)) continue; // kept from an interrupted install of this version
      await cache.put(url, await fetchChecked(path, sha));
    }
  }
  await Promise.all([worker(), worker(), worker(), worker()]);
}

self.addEventListener("install", (event) => {
  event.waitUntil(precache());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("message", (event) => {
  const m = event.data || {};
  if (m.type === "skip-waiting") {
    self.skipWaiting();
  } else if (m.type === "status" && event.ports[0]) {
    event.ports[0].postMessage({
      version: VERSION,
      files: FILES.length,
      bytes: FILES.reduce((n, f) => n + f[2], 0),
    });
  }
});

// The site-relative path of a request in scope ("" for the root), null otherwise.
function pathOf(url) {
  if (url.origin !== SCOPE.origin || !url.pathname.startsWith(SCOPE.pathname)) return null;
  try {
    return decodeURIComponent(url.pathname.slice(SCOPE.pathname.length));
  } catch {
    return null;
  }
}

let opened = null; // this version's cache, opened once per start of the service worker
function cache() {
  if (!opened) opened = caches.open(CACHE);
  return opened;
}

async function fromCache(path, request) {
  const hit = await (await cache()).match(new URL(path, SCOPE).href);
  return hit || fetch(request);
}

async function notFound(request) {
  try {
    return await fetch(request);
  } catch (err) {
    const page = await (await cache()).match(new URL("404.html", SCOPE).href);
    if (!page) throw err;
    return new Response(page.body, { status: 404, headers: page.headers });
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  let path = pathOf(url);
  if (path === null) return;
  if (path === "" || path.endsWith("/")) path += "index.html";
  if (path === STDLIB_STORED && BY_PATH.has(STDLIB)) {
    // Kept here as the original (2.5 MB instead of 9.7 MB); any valid zip of the standard
    // library serves, and the header tells the worker it came from this copy.
    event.respondWith(cache().then((c) => c.match(new URL(STDLIB, SCOPE).href)).then((hit) => {
      if (!hit) return fetch(request);
      const headers = new Headers(hit.headers);
      headers.set("X-Calc-Offline", "1");
      return new Response(hit.body, { status: 200, headers });
    }));
  } else if (BY_PATH.has(path)) {
    event.respondWith(fromCache(path, request));
  } else if (request.mode === "navigate") {
    if (BY_PATH.has(path + "/index.html")) {
      // A folder without its slash: what a static host answers, also offline.
      event.respondWith(Response.redirect(url.pathname + "/" + url.search + url.hash, 301));
    } else {
      event.respondWith(notFound(request));
    }
  }
});

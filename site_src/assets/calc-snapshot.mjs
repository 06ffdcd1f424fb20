// Memory snapshots of the Python interpreter with calc imported, kept on the reader's machine
// so that later visits restore it (a fraction of a boot) instead of starting Python and
// importing calc again. Used by calc-worker.mjs.
//
// Pyodide's snapshot API is private and young (loadPyodide's `_makeSnapshot` and
// `_loadSnapshot` options, `pyodide.makeMemorySnapshot()`, npm pyodide 314.0.7), so every step
// is checked and any failure falls back to a normal boot:
// - one entry, in Cache Storage ("calc-snapshot-v1"), keyed by the Pyodide version, the calc
//   wheel's sha256 and the browser (user agent); another key, or an entry older than
//   MAX_AGE_MS, is deleted and made again;
// - the bytes are checked against their checksum before use (a damaged entry is deleted);
// - Pyodide itself checks its build id in the snapshot;
// - after the restore, one calculation must give the very answer the interpreter that made
//   the snapshot gave, or the snapshot is deleted and Python boots as usual;
// - hash randomisation: an interpreter restored from a snapshot keeps the hash seed of the one
//   that made it (Pyodide's maintainers: "this disables hash randomization ... recreate the
//   snapshot occasionally with a new hash seed"). Here each reader's browser makes its own
//   snapshot from a normally seeded boot, and makes a new one every MAX_AGE_MS;
// - the random module: a restored interpreter would repeat the random sequence of the one
//   that made the snapshot, so it is reseeded from the system's entropy (`random.seed()`,
//   as Pyodide's maintainers advise) before any calculation runs.
// Two tabs storing a snapshot at once both put the same entry: Cache Storage replaces it
// whole, so one valid entry remains.

const CACHE_NAME = "calc-snapshot-v1";
// The entry's key (a URL in the site's scope; never fetched).
const ENTRY = new URL("../calc-snapshot.bin", import.meta.url).href;
export const MAX_AGE_MS = 7 * 24 * 3600 * 1000;

// One calculation whose answer the restored interpreter must repeat exactly.
const PY_CHECK = `
import json, calc, calc.web
calc.web.handle(json.dumps({"params": {}, "items": [
    {"key": "check", "calc": sorted(calc.CALCULATIONS)[0], "overrides": {}}]}))
`;

async function sha256(text) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

// A 64-bit checksum of the snapshot's bytes (two multiplicative hash lanes over 32-bit
// words, then the length). It guards the entry against damage, not against an attacker: the
// entry is the reader's own. SHA-256 of the 31 MB takes 130-370 ms here; this 15-40 ms.
export function checksum(bytes) {
  const n = bytes.length >>> 2;
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset, n);
  let a = 0x811c9dc5 | 0;
  let b = 0x27d4eb2f | 0;
  for (let i = 0; i < n; i++) {
    const x = words[i];
    a = Math.imul(a ^ x, 0x9e3779b1);
    b = Math.imul((b + x) | 0, 0x85ebca77) ^ (b >>> 15);
  }
  for (let i = n << 2; i < bytes.length; i++) a = Math.imul(a ^ bytes[i], 0x9e3779b1);
  const hex = (v) => (v >>> 0).toString(16).padStart(8, "0");
  return hex(a) + hex(b) + "-" + bytes.length.toString(16);
}

export function keyOf({ pyodide, wheel, engine }) {
  return encodeURIComponent([pyodide, wheel, engine].join(" | "));
}

// The store, or null where Cache Storage is refused (some private modes, opaque origins).
export async function open() {
  try {
    if (!self.caches) return null;
    return new Store(await caches.open(CACHE_NAME));
  } catch {
    return null;
  }
}

class Store {
  constructor(cache) {
    this.cache = cache;
  }

  // {bytes, check} of a usable snapshot for `key`, else null (a stale or damaged one deleted).
  async read(key) {
    let hit;
    try {
      hit = await this.cache.match(ENTRY);
    } catch {
      return null;
    }
    if (!hit) return null;
    const h = hit.headers;
    const made = Date.parse(h.get("x-snapshot-made") || "");
    if (h.get("x-snapshot-key") !== key || !(Date.now() - made < MAX_AGE_MS)) {
      await this.remove();
      return null;
    }
    try {
      const bytes = new Uint8Array(await hit.arrayBuffer());
      if (bytes.byteOffset % 4 || checksum(bytes) !== h.get("x-snapshot-checksum")) throw new Error("damaged");
      return { bytes, check: h.get("x-snapshot-check") || "" };
    } catch {
      await this.remove();
      return null;
    }
  }

  async write(key, bytes, pyodide) {
    const headers = {
      "Content-Type": "application/octet-stream",
      "X-Snapshot-Key": key,
      "X-Snapshot-Checksum": checksum(bytes),
      "X-Snapshot-Check": await sha256(pyodide.runPython(PY_CHECK)),
      "X-Snapshot-Made": new Date().toISOString(),
    };
    await this.cache.put(ENTRY, new Response(bytes, { headers }));
    return { stored: true, bytes: bytes.length };
  }

  async remove() {
    try {
      await this.cache.delete(ENTRY);
    } catch {
      // nothing to delete, or storage refused: either way no entry is used
    }
  }
}

// The size of the wasm memory a snapshot holds (after Pyodide's header).
function heapSize(bytes) {
  const header = new Uint32Array(bytes.buffer, bytes.byteOffset, 4);
  return bytes.length - header[1];
}

export async function restore(loadPyodide, options, saved) {
  const create = options.createPyodideModule;
  const need = heapSize(saved.bytes);
  const pyodide = await loadPyodide({
    ...options,
    _loadSnapshot: saved.bytes,
    // Pyodide 314 copies the snapshot into the memory as first allocated, which is too small
    // for a snapshot larger than that (pyodide/pyodide#6254): grow it to the snapshot's size.
    createPyodideModule: async (settings) => {
      const module = await create(settings);
      if (module.HEAP8.length < need && typeof module.growMemory === "function") module.growMemory(need);
      return module;
    },
  });
  pyodide.runPython("import random\nrandom.seed()");
  return pyodide;
}

export async function verify(pyodide, saved) {
  if ((await sha256(pyodide.runPython(PY_CHECK))) !== saved.check) {
    throw new Error("the restored interpreter answers differently");
  }
}

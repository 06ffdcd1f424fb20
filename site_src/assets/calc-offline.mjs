// The offline copy, seen from the page (the service worker itself is site_src/sw/calc-sw.js,
// written to the site's root as calc-sw.js by build.py). Loaded by calc-runtime.mjs once the
// first page is live, so the service worker's downloads never compete with Python's boot.
//
// - registers the service worker (scope: the whole site);
// - once it controls the page, shows it on the status indicator ("works offline"):
//   document.documentElement.dataset.calcOffline = "ready";
// - when a newer build has been saved and waits, says so, with a button that switches to it
//   (every open page of the site then reloads, so none mixes two builds);
// - checks for a newer build at most once an hour while the page stays open.

const root = document.documentElement;
const SW_URL = new URL("../calc-sw.js", import.meta.url);
const CHECK_EVERY_MS = 3600 * 1000;

let registration = null;
let switching = false;
let embeddedView = false;

function refreshStatus() {
  if (window.CalcStatus) window.CalcStatus.set(root.dataset.calcState || "static");
}

async function ask(sw, message) {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    const timer = setTimeout(() => resolve(null), 5000);
    channel.port1.onmessage = (e) => {
      clearTimeout(timer);
      resolve(e.data);
    };
    sw.postMessage(message, [channel.port2]);
  });
}

async function showOffline() {
  const sw = navigator.serviceWorker.controller;
  if (!sw) return;
  const info = await ask(sw, { type: "status" });
  if (!info) return;
  root.dataset.calcOffline = "ready";
  root.dataset.calcOfflineVersion = info.version;
  root.dataset.calcOfflineBytes = String(info.bytes);
  refreshStatus();
}

function showUpdate(waiting) {
  if (embeddedView || document.querySelector("[data-calc-update]")) return;
  root.dataset.calcNewVersion = "ready";
  const box = document.createElement("div");
  box.className = "calc-update md-typeset";
  box.setAttribute("data-calc-update", "");
  box.setAttribute("role", "status");
  const text = document.createElement("span");
  text.textContent = "A newer version of this site is ready.";
  const button = document.createElement("button");
  button.type = "button";
  button.className = "md-button md-button--primary";
  button.textContent = "Reload";
  button.setAttribute("data-calc-update-reload", "");
  button.addEventListener("click", () => {
    switching = true;
    button.disabled = true;
    (registration && registration.waiting ? registration.waiting : waiting).postMessage({ type: "skip-waiting" });
  });
  const later = document.createElement("button");
  later.type = "button";
  later.className = "md-button";
  later.textContent = "Later";
  later.addEventListener("click", () => box.remove());
  box.append(text, " ", button, " ", later);
  document.body.appendChild(box);
}

function watch(reg) {
  if (reg.waiting && navigator.serviceWorker.controller) showUpdate(reg.waiting);
  reg.addEventListener("updatefound", () => {
    const sw = reg.installing;
    if (!sw) return;
    sw.addEventListener("statechange", () => {
      // "installed" with a controller in place: a newer build waits behind the one in use.
      if (sw.state === "installed" && navigator.serviceWorker.controller) showUpdate(sw);
    });
  });
}

export async function setup({ embedded = false } = {}) {
  embeddedView = embedded;
  if (!("serviceWorker" in navigator) || !window.isSecureContext) return;
  const hadController = !!navigator.serviceWorker.controller;
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    // A new build took over: a page that was served by the old one reloads (the reader asked
    // for it here, or in another tab). The first install taking control changes nothing.
    if (hadController || switching) {
      location.reload();
      return;
    }
    showOffline();
  });
  try {
    registration = await navigator.serviceWorker.register(SW_URL.href, { scope: new URL("../", import.meta.url).href });
  } catch (err) {
    console.warn("[calc] no offline copy:", err.message);
    return;
  }
  if (!registration) return; // registration refused (e.g. service workers blocked)
  watch(registration);
  if (navigator.serviceWorker.controller) showOffline();
  setInterval(() => registration.update().catch(() => {}), CHECK_EVERY_MS);
}

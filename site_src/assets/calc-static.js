// Classic script (runs even from file://, where module scripts and workers are refused):
// - draws the charts from the JSON the build embedded in the page (CalcChart),
// - shows the small live/static status indicator (CalcStatus),
// - from file:// shows one line saying how to serve the site live, and points folder links at
//   their index.html (no server there to do it),
// - otherwise loads the live runtime (calc-runtime.mjs, an ES module).
(function () {
  "use strict";
  if (window.CalcChart) return; // already set up (instant navigation keeps this script alive)
  var root = document.documentElement;
  if (!root.dataset.calcState) root.dataset.calcState = "static";
  var SVG = "http://www.w3.org/2000/svg";
  var COLORS = ["#3f51b5", "#e65100", "#2e7d32", "#ad1457", "#00838f", "#6d4c41", "#5e35b1", "#9e9d24"];
  var compact = new Intl.NumberFormat("en", { notation: "compact", maximumSignificantDigits: 3 });

  function el(name, attrs, text) {
    var e = document.createElementNS(SVG, name);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text != null) e.textContent = text;
    return e;
  }

  function niceStep(span, count) {
    if (!(span > 0) || !isFinite(span)) span = 1;
    var raw = span / Math.max(1, count);
    var mag = Math.pow(10, Math.floor(Math.log10(raw)));
    var f = raw / mag;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
  }

  function axisTitle(label, unit) {
    return unit ? label + " (" + unit + ")" : label;
  }

  function finite(v) {
    return typeof v === "number" && isFinite(v);
  }

  // Smallest and largest finite value of an array of any length (Math.min.apply and spread
  // overflow the call stack past ~100,000 values).
  function range(values) {
    var lo = Infinity, hi = -Infinity;
    for (var i = 0; i < values.length; i++) {
      var v = values[i];
      if (finite(v)) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    return [lo, hi];
  }

  var MAX_TICKS = 200; // no axis ever needs more: a bound on every tick loop
  var MAX_MARKERS = 200; // a dot per point up to this many points; past it the line alone

  // data: {x, x_label, x_unit, y_label, y_unit, series: [{label, y, markers}]}
  // (a series with markers: true is drawn as dots only); data.kind "timeline": drawTimeline.
  // Never throws: a chart that cannot be drawn is left out (with a console warning), the page
  // goes on.
  function draw(container, data) {
    try {
      if (data && data.kind === "timeline") drawTimeline(container, data);
      else render(container, data);
    } catch (e) {
      console.warn("chart not drawn", e);
      var old = container.querySelector("svg.calc-svg");
      if (old) old.remove();
    }
  }

  function render(container, data) {
    var xs = (data && data.x) || [];
    var series = (data && data.series) || [];
    // Legend laid out in rows under the x-axis title (about 6.5 px per character at 11 px).
    var W = 640, L = 64, R = 16, T = 16;
    var slots = [], lx = L, row = 0;
    series.forEach(function (s) {
      var w = 16 + String(s.label).length * 6.5 + 16;
      if (lx + w > W - R && lx > L) { row += 1; lx = L; }
      slots.push({ x: lx, row: row });
      lx += w;
    });
    var B = 64 + row * 16, H = 300 + B;
    var ylo = Infinity, yhi = -Infinity;
    series.forEach(function (s) {
      var r = range(s.y || []);
      if (r[0] < ylo) ylo = r[0];
      if (r[1] > yhi) yhi = r[1];
    });
    var xr = range(xs);
    var old = container.querySelector("svg.calc-svg");
    if (!finite(xr[0]) || !finite(ylo)) {
      if (old) old.remove();
      return;
    }
    // Marked bands on the x axis ({axis: "x", from, to, label}) widen the range to show them.
    var marks = ((data && data.marks) || []).filter(function (m) { return m.axis === "x" && finite(m.from) && finite(m.to); });
    var mr = range(marks.map(function (m) { return m.from; }).concat(marks.map(function (m) { return m.to; })));
    var xmin = Math.min(xr[0], mr[0]);
    var xmax = Math.max(xr[1], mr[1]);
    var logx = xmin > 0 && xmax / xmin > 30;
    var fx = logx ? Math.log2 : function (v) { return v; };
    var x0 = fx(xmin), x1 = fx(xmax);
    if (x1 === x0) x1 = x0 + 1;
    // A log y axis when the data asks for one (data.y_scale === "log") and every value is > 0.
    var logy = data.y_scale === "log" && ylo > 0 && yhi / ylo > 10;
    var ymax, ymin, ystep, yticks = [];
    if (logy) {
      ymin = Math.pow(10, Math.floor(Math.log10(ylo)));
      ymax = Math.pow(10, Math.ceil(Math.log10(yhi)));
      [[1, 2, 5], [1]].some(function (ms) {
        yticks = [];
        for (var k = Math.log10(ymin); k <= Math.log10(ymax) && yticks.length < MAX_TICKS; k++) {
          ms.forEach(function (m) { var v = m * Math.pow(10, k); if (v <= ymax * 1.001) yticks.push(v); });
        }
        return yticks.length <= 9;
      });
    } else {
      ymax = yhi; ymin = Math.min(0, ylo);
      ystep = niceStep((ymax - ymin) || 1, 5);
      ymax = Math.ceil(ymax / ystep) * ystep || ystep;
      ymin = Math.floor(ymin / ystep) * ystep;
      for (var yv0 = ymin; yv0 <= ymax + ystep / 2 && yticks.length < MAX_TICKS; yv0 += ystep) yticks.push(yv0);
    }
    var fy = logy ? Math.log10 : function (v) { return v; };
    function px(v) { return L + (fx(v) - x0) / (x1 - x0) * (W - L - R); }
    function py(v) { return T + (1 - (fy(v) - fy(ymin)) / (fy(ymax) - fy(ymin))) * (H - T - B); }

    var title = axisTitle(data.y_label || "y", data.y_unit) + " against " + axisTitle(data.x_label || "x", data.x_unit);
    var id = (container.closest("[id]") || { id: "chart" }).id + "-svg";
    var svg = el("svg", { "class": "calc-svg", viewBox: "0 0 " + W + " " + H, role: "img", "aria-labelledby": id + "-title " + id + "-desc" });
    svg.appendChild(el("title", { id: id + "-title" }, title));
    svg.appendChild(el("desc", { id: id + "-desc" }, series.map(function (s) {
      var v = (s.y || []).filter(finite);
      if (!v.length) return s.label + ": no values";
      return s.label + ": from " + compact.format(v[0]) + " to " + compact.format(v[v.length - 1]) + (data.y_unit ? " " + data.y_unit : "");
    }).join("; ")));

    var grid = el("g", { "class": "calc-grid", "aria-hidden": "true" });
    yticks.forEach(function (yv) {
      grid.appendChild(el("line", { x1: L, x2: W - R, y1: py(yv), y2: py(yv) }));
      grid.appendChild(el("text", { x: L - 6, y: py(yv) + 4, "text-anchor": "end" }, compact.format(yv)));
    });
    var ticks = [];
    if (logx) {
      [[1, 2, 5], [1]].some(function (ms) {
        ticks = [];
        for (var k = Math.floor(Math.log10(xmin)); k <= Math.ceil(Math.log10(xmax)) && ticks.length < MAX_TICKS; k++) {
          ms.forEach(function (m) { var v = m * Math.pow(10, k); if (v >= xmin * 0.999 && v <= xmax * 1.001) ticks.push(v); });
        }
        return ticks.length <= 10;
      });
    } else {
      var xstep = niceStep(xmax - xmin || 1, 8);
      for (var tv0 = Math.ceil(xmin / xstep) * xstep; tv0 <= xmax + xstep / 1e6 && ticks.length < MAX_TICKS; tv0 += xstep) ticks.push(tv0);
    }
    ticks.forEach(function (tv) {
      grid.appendChild(el("line", { x1: px(tv), x2: px(tv), y1: H - B, y2: H - B + 5 }));
      grid.appendChild(el("text", { x: px(tv), y: H - B + 18, "text-anchor": "middle" }, compact.format(tv)));
    });
    grid.appendChild(el("line", { "class": "calc-axis", x1: L, x2: W - R, y1: H - B, y2: H - B }));
    grid.appendChild(el("line", { "class": "calc-axis", x1: L, x2: L, y1: T, y2: H - B }));
    svg.appendChild(grid);
    marks.forEach(function (m) {
      var band = el("g", { "class": "calc-mark" });
      var bx = px(m.from), bw = Math.max(2, px(m.to) - px(m.from));
      band.appendChild(el("rect", { x: bx, y: T, width: bw, height: H - B - T, fill: "#ff9800", "fill-opacity": 0.25 }));
      band.appendChild(el("text", { x: bx + bw + 4, y: T + 12, "text-anchor": "start" }, m.label));
      svg.appendChild(band);
    });
    svg.appendChild(el("text", { "class": "calc-axis-title", x: (L + W - R) / 2, y: H - B + 38, "text-anchor": "middle" },
      axisTitle(data.x_label || "x", data.x_unit) + (logx ? ", log scale" : "")));
    svg.appendChild(el("text", { "class": "calc-axis-title", x: 14, y: (T + H - B) / 2, "text-anchor": "middle",
      transform: "rotate(-90 14 " + (T + H - B) / 2 + ")" }, axisTitle(data.y_label || "y", data.y_unit) + (logy ? ", log scale" : "")));

    var legend = el("g", { "class": "calc-legend" });
    series.forEach(function (s, i) {
      var color = COLORS[i % COLORS.length];
      var pts = [];
      xs.forEach(function (xval, j) {
        var yvv = (s.y || [])[j];
        if (finite(xval) && finite(yvv)) pts.push(px(xval).toFixed(1) + "," + py(yvv).toFixed(1));
      });
      var g = el("g", { "class": "calc-series" });
      if (!s.markers) g.appendChild(el("polyline", { points: pts.join(" "), fill: "none", stroke: color, "stroke-width": 2 }));
      if (s.markers || pts.length <= MAX_MARKERS) {
        pts.forEach(function (p) {
          var c = p.split(",");
          g.appendChild(el("circle", { cx: c[0], cy: c[1], r: s.markers ? 4 : 2.5, fill: color }));
        });
      }
      svg.appendChild(g);
      var sx = slots[i].x, sy = H - B + 56 + slots[i].row * 16;
      legend.appendChild(el("rect", { x: sx, y: sy - 5, width: 12, height: 4, fill: color }));
      legend.appendChild(el("text", { x: sx + 16, y: sy }, s.label));
    });
    svg.appendChild(legend);
    if (old) old.replaceWith(svg);
    else container.appendChild(svg);
  }

  // data: {kind: "timeline", lanes: [name], lane_labels: {name: label}, x_label, x_unit, total,
  //        blocks: [{lane, start, end, label, micro_batch, bound}]}: blocks on horizontal lanes,
  // coloured by micro-batch; compute-bound blocks hatched darker than memory-bound ones.
  function drawTimeline(container, data) {
    var blocks = (data.blocks || []).filter(function (b) { return finite(b.start) && finite(b.end) && b.end > b.start; });
    var lanes = data.lanes || [];
    var old = container.querySelector("svg.calc-svg");
    var total = finite(data.total) ? data.total : range(blocks.map(function (b) { return b.end; }).concat([0]))[1];
    if (!blocks.length || !(total > 0)) {
      if (old) old.remove();
      return;
    }
    var W = 640, L = 104, R = 16, T = 12, laneH = 44, gap = 10;
    var H = T + lanes.length * (laneH + gap) + 86;
    function px(v) { return L + v / total * (W - L - R); }
    var id = (container.closest("[id]") || { id: "chart" }).id + "-svg";
    var svg = el("svg", { "class": "calc-svg", viewBox: "0 0 " + W + " " + H, role: "img", "aria-labelledby": id + "-title " + id + "-desc" });
    svg.appendChild(el("title", { id: id + "-title" }, axisTitle(data.x_label || "time", data.x_unit)));
    svg.appendChild(el("desc", { id: id + "-desc" }, blocks.map(function (b) {
      return (data.lane_labels || {})[b.lane] + ": " + b.label + " (micro-batch " + b.micro_batch + ", " + b.bound +
        ") " + compact.format(b.start) + " to " + compact.format(b.end);
    }).join("; ")));
    var grid = el("g", { "class": "calc-grid", "aria-hidden": "true" });
    var step = niceStep(total, 6), y0 = T + lanes.length * (laneH + gap);
    for (var tv = 0; tv <= total * 1.0001; tv += step) {
      grid.appendChild(el("line", { x1: px(tv), x2: px(tv), y1: T, y2: y0 }));
      grid.appendChild(el("text", { x: px(tv), y: y0 + 14, "text-anchor": "middle" }, compact.format(tv)));
    }
    lanes.forEach(function (lane, i) {
      grid.appendChild(el("text", { x: L - 8, y: T + i * (laneH + gap) + laneH / 2 + 4, "text-anchor": "end" },
        (data.lane_labels || {})[lane] || lane));
    });
    svg.appendChild(grid);
    blocks.forEach(function (b) {
      var i = lanes.indexOf(b.lane);
      if (i < 0) return;
      var x = px(b.start), w = Math.max(1, px(b.end) - px(b.start)), y = T + i * (laneH + gap);
      var color = COLORS[(b.micro_batch || 0) % COLORS.length];
      var g = el("g", { "class": "calc-block" });
      g.appendChild(el("rect", { x: x, y: y, width: w, height: laneH, fill: color,
        "fill-opacity": b.bound === "compute" ? 0.9 : b.bound === "network" ? 0.45 : 0.65, stroke: color }));
      var t = el("title", {}, b.label + ", micro-batch " + b.micro_batch + ", " + b.bound + ": " +
        compact.format(b.end - b.start) + " " + (data.x_unit || ""));
      g.appendChild(t);
      if (w > b.label.length * 5.6 + 6) {
        var label = el("text", { x: x + w / 2, y: y + laneH / 2 + 4, "text-anchor": "middle" }, b.label);
        label.style.fill = "#fff"; // CSSOM, not a style attribute: the page's CSP refuses those
        g.appendChild(label);
      }
      svg.appendChild(g);
    });
    svg.appendChild(el("text", { "class": "calc-axis-title", x: (L + W - R) / 2, y: y0 + 34, "text-anchor": "middle" },
      axisTitle(data.x_label || "time", data.x_unit)));
    var legend = el("g", { "class": "calc-legend" });
    var lx = L;
    for (var mb = 0; mb < (data.micro_batches || 1); mb++) {
      var label = "micro-batch " + mb;
      legend.appendChild(el("rect", { x: lx, y: y0 + 48, width: 12, height: 8, fill: COLORS[mb % COLORS.length] }));
      legend.appendChild(el("text", { x: lx + 16, y: y0 + 56 }, label));
      lx += 16 + label.length * 6.5 + 16;
    }
    legend.appendChild(el("text", { x: L, y: y0 + 74 }, "darkest: compute-bound; lighter: memory-bound; palest: network"));
    svg.appendChild(legend);
    if (old) old.replaceWith(svg);
    else container.appendChild(svg);
  }

  function drawAll(scope) {
    (scope || document).querySelectorAll("[data-chart]").forEach(function (c) {
      var raw = c.getAttribute("data-value");
      if (!raw || c.querySelector("svg.calc-svg")) return;
      try {
        draw(c, JSON.parse(raw));
      } catch (e) {
        console.warn("chart data unreadable", e);
      }
    });
  }

  var LABELS = {
    "static": "Built-in values",
    booting: "Starting Python\u2026",
    live: "Live",
    failed: "Built-in values (live calculation unavailable)",
  };

  function setStatus(state, detail) {
    var box = document.getElementById("calc-status");
    if (!box) {
      box = document.createElement("div");
      box.id = "calc-status";
      box.className = "calc-status";
      box.setAttribute("role", "status");
      document.body.appendChild(box);
    }
    box.dataset.state = state;
    box.textContent = (state === "live" ? "\u25cf " : "\u25cb ") + (detail || LABELS[state] || state);
    box.title = state === "live"
      ? "Numbers are recomputed by Python (Pyodide) in your browser"
      : "Numbers shown were computed when the site was built";
    // Saved for offline use by the service worker (calc-offline.mjs sets the flag).
    if (root.dataset.calcOffline === "ready") {
      var off = document.createElement("span");
      off.className = "calc-offline-mark";
      off.textContent = " \u00b7 works offline";
      box.appendChild(off);
      box.title += "; the site and its Python are saved in this browser and work without a network";
    }
  }

  function mirrorState(state) {
    root.dataset.calcState = state;
    document.querySelectorAll("[data-widget]").forEach(function (w) {
      w.dataset.state = state;
      var label = w.querySelector("[data-state-label]");
      if (label) label.textContent = LABELS[state] || state;
    });
    setStatus(state);
  }

  window.CalcChart = { draw: draw, drawAll: drawAll };
  window.CalcStatus = { set: setStatus, mirror: mirrorState, labels: LABELS };

  var fromDisk = location.protocol === "file:";

  function fileNotice() {
    var content = document.querySelector(".md-content__inner") || document.body;
    if (content.querySelector("[data-calc-notice]")) return;
    var p = document.createElement("p");
    p.className = "calc-notice";
    p.setAttribute("data-calc-notice", "");
    p.innerHTML = "Opened from disk: these numbers were computed when the site was built. " +
      "To change inputs, serve it live with <code>./dev.sh serve</code> and open http://127.0.0.1:8000/.";
    content.insertBefore(p, content.firstChild);
  }

  // From disk there is no server to turn a folder link ("../calculator/") into its page: the
  // browser would show a folder listing. Point every relative link at the folder's index.html.
  function fileLinks() {
    document.querySelectorAll("a[href]").forEach(function (a) {
      var href = a.getAttribute("href");
      if (!href || href.charAt(0) === "#" || href.charAt(0) === "?" || /^([a-z][a-z0-9+.-]*:|\/\/)/i.test(href)) return;
      var m = /^([^?#]*)(.*)$/.exec(href);
      var path = m[1];
      if (path === "." || path === ".." || /\/\.\.?$/.test(path)) path += "/";
      if (path.charAt(path.length - 1) === "/") a.setAttribute("href", path + "index.html" + m[2]);
    });
  }

  function onPage() {
    drawAll(document);
    if (fromDisk) {
      mirrorState("static");
      fileLinks();
      fileNotice();
    } else {
      setStatus(root.dataset.calcState || "static");
    }
  }

  // From disk, Material's document$ may never emit (its instant loading cannot fetch there).
  if (!fromDisk && window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(onPage);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", onPage);
  } else {
    onPage();
  }

  if (!fromDisk && typeof Worker !== "undefined") {
    var src = document.currentScript && document.currentScript.src;
    var url = new URL("calc-runtime.mjs", src || location.href).href;
    import(url).catch(function (e) {
      console.warn("live runtime unavailable", e);
      mirrorState("failed");
    });
  }
})();

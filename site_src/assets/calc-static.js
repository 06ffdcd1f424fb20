// Classic script (runs even from file://, where module scripts and workers are refused):
// - draws the charts from the JSON the build embedded in the page (CalcChart), at the width
//   they are shown at, and again when that width changes,
// - lets wide tables reflow into one card per row when they do not fit their column,
// - binds the named-scenario picker (one choice sets every input of a widget),
// - shows the small live/static status indicator (CalcStatus) on pages with widgets,
// - from file:// shows one line saying how to serve the site live, and points folder links at
//   their index.html (no server there to do it),
// - otherwise loads the live runtime (calc-runtime.mjs, an ES module).
(function () {
  "use strict";
  if (window.CalcChart) return; // already set up (instant navigation keeps this script alive)
  var root = document.documentElement;
  if (!root.dataset.calcState) root.dataset.calcState = "static";
  var SVG = "http://www.w3.org/2000/svg";
  var SERIES = 8; // colours: .calc-s0 ... .calc-s7 in calc.css (light and dark variants)
  var compact = new Intl.NumberFormat("en", { notation: "compact", maximumSignificantDigits: 3 });

  // ------------------------------------------------------------------ charts
  var FONT = 12; // CSS px of every chart text (drawn 1:1, never scaled down on screen)
  var CHAR = 0.6 * FONT; // average advance of one character of the system sans-serif

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

  // Words of `text` in lines of at most `width` px.
  function wrap(text, width) {
    var max = Math.max(8, Math.floor(width / CHAR));
    var lines = [], line = "";
    String(text).split(" ").forEach(function (w) {
      if (line && (line + " " + w).length > max) {
        lines.push(line);
        line = w;
      } else {
        line = line ? line + " " + w : w;
      }
    });
    if (line) lines.push(line);
    return lines;
  }

  function textLines(x, y, lines, attrs) {
    var t = el("text", Object.assign({ x: x, y: y }, attrs || {}));
    lines.forEach(function (line, i) {
      t.appendChild(el("tspan", { x: x, dy: i ? FONT * 1.25 : 0 }, line));
    });
    return t;
  }

  // Ticks of a log axis: 1-2-5 per decade, or fewer, at most `most`.
  function logTicks(lo, hi, most) {
    var ticks = [];
    [[1, 2, 5], [1, 3], [1]].some(function (ms) {
      ticks = [];
      for (var k = Math.floor(Math.log10(lo)); k <= Math.ceil(Math.log10(hi)) && ticks.length < MAX_TICKS * 3; k++) {
        ms.forEach(function (m) {
          var v = m * Math.pow(10, k);
          if (v >= lo * 0.999 && v <= hi * 1.001) ticks.push(v);
        });
      }
      return ticks.length <= most;
    });
    if (ticks.length > most) ticks = ticks.filter(function (v, i) { return i % Math.ceil(ticks.length / most) === 0; });
    return ticks;
  }

  // data: {x, x_label, x_unit, y_label, y_unit, y_scale?, series: [{label, y, points?, markers?}], marks?}
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
    var old = container.querySelector("svg.calc-svg");
    var ys = [];
    series.forEach(function (s) { (s.y || []).forEach(function (v) { if (finite(v)) ys.push(v); }); });
    var xv = xs.filter(finite);
    if (!xv.length || !ys.length) {
      if (old) old.remove();
      return;
    }
    // Drawn at the width it is shown at: text stays FONT px on a phone and on a wide screen.
    var W = Math.round(container.clientWidth || (container.parentNode && container.parentNode.clientWidth) || 640);
    W = Math.max(240, Math.min(W, 760));
    container._calcWidth = W;

    // Marked bands on the x axis ({axis: "x", from, to, label}) widen the range to show them.
    var marks = ((data && data.marks) || []).filter(function (m) { return m.axis === "x" && finite(m.from) && finite(m.to); });
    var xr = range(xv.concat(marks.map(function (m) { return m.from; }), marks.map(function (m) { return m.to; })));
    var xmin = xr[0], xmax = xr[1];
    var logx = xmin > 0 && xmax / xmin > 30;
    var fx = logx ? Math.log10 : function (v) { return v; };
    var x0 = fx(xmin), x1 = fx(xmax);
    if (x1 === x0) x1 = x0 + 1;

    // Height from the width (wider than tall, never tiny), tick counts from the sizes.
    var plotH = Math.round(Math.max(150, Math.min(300, W * 0.5)));
    var yr = range(ys);
    var ylo = yr[0], yhi = yr[1];
    var logy = data.y_scale === "log" && ylo > 0 && yhi / ylo > 10;
    var ymin, ymax, yticks = [];
    var ycount = Math.max(3, Math.floor(plotH / 45));
    if (logy) {
      ymin = Math.pow(10, Math.floor(Math.log10(ylo)));
      ymax = Math.pow(10, Math.ceil(Math.log10(yhi)));
      yticks = logTicks(ymin, ymax, ycount + 2);
    } else {
      ymax = yhi; ymin = Math.min(0, ylo);
      var ystep = niceStep((ymax - ymin) || 1, ycount);
      ymax = Math.ceil(ymax / ystep) * ystep || ystep;
      ymin = Math.floor(ymin / ystep) * ystep;
      for (var yv0 = ymin; yv0 <= ymax + ystep / 2 && yticks.length < MAX_TICKS; yv0 += ystep) yticks.push(yv0);
    }
    var ylabels = yticks.map(function (v) { return compact.format(v); });
    var L = 10 + Math.max.apply(null, ylabels.map(function (t) { return t.length; })) * CHAR, R = 14;
    var plotW = W - L - R;

    var yTitle = wrap(axisTitle(data.y_label || "y", data.y_unit) + (logy ? ", log scale" : ""), W - 8);
    var xTitle = wrap(axisTitle(data.x_label || "x", data.x_unit) + (logx ? ", log scale" : ""), W - 8);
    var T = 8 + yTitle.length * FONT * 1.25 + 8;

    // Legend: one entry per series and per marked band, flowed into rows.
    var entries = series.map(function (s, i) { return { label: String(s.label || ""), cls: "calc-s" + (i % SERIES), kind: s.markers ? "dot" : "line" }; })
      .filter(function (e) { return e.label; })
      .concat(marks.map(function (m) { return { label: String(m.label || ""), cls: "calc-band", kind: "band" }; }));
    var rows = [], row = [], lx = 0;
    entries.forEach(function (e) {
      var lines = wrap(e.label, W - 8 - 22);
      var w = 22 + Math.max.apply(null, lines.map(function (l) { return l.length; })) * CHAR + 14;
      if (row.length && lx + w > W - 8) { rows.push(row); row = []; lx = 0; }
      row.push({ e: e, x: lx, lines: lines });
      lx += w;
    });
    if (row.length) rows.push(row);
    var rowH = rows.map(function (r) { return Math.max.apply(null, r.map(function (it) { return it.lines.length; })) * FONT * 1.25 + 4; });

    var plotBottom = T + plotH;
    var xTitleY = plotBottom + 18 + FONT + 8;
    var legendY = xTitleY + (xTitle.length - 1) * FONT * 1.25 + FONT + 14;
    var H = Math.round(legendY + rowH.reduce(function (a, b) { return a + b; }, 0) + 6);

    function px(v) { return L + (fx(v) - x0) / (x1 - x0) * plotW; }
    var fy = logy ? Math.log10 : function (v) { return v; };
    function py(v) { return T + (1 - (fy(v) - fy(ymin)) / (fy(ymax) - fy(ymin))) * plotH; }

    var title = axisTitle(data.y_label || "y", data.y_unit) + " against " + axisTitle(data.x_label || "x", data.x_unit);
    var id = (container.closest("[id]") || { id: "chart" }).id + "-svg";
    var svg = el("svg", {
      "class": "calc-svg", width: W, height: H, viewBox: "0 0 " + W + " " + H, role: "img",
      "aria-labelledby": id + "-title " + id + "-desc", "font-size": FONT,
    });
    svg.appendChild(el("title", { id: id + "-title" }, title));
    svg.appendChild(el("desc", { id: id + "-desc" }, series.map(function (s) {
      var v = (s.y || []).filter(finite);
      if (!v.length) return (s.label || data.y_label) + ": no values";
      return (s.label || data.y_label) + ": from " + compact.format(v[0]) + " to " + compact.format(v[v.length - 1]) + (data.y_unit ? " " + data.y_unit : "");
    }).join("; ")));

    var grid = el("g", { "class": "calc-grid", "aria-hidden": "true" });
    yticks.forEach(function (yv, i) {
      grid.appendChild(el("line", { x1: L, x2: W - R, y1: py(yv), y2: py(yv) }));
      grid.appendChild(el("text", { x: L - 6, y: py(yv) + FONT * 0.35, "text-anchor": "end" }, ylabels[i]));
    });
    var ticks = [];
    var xcount = Math.max(2, Math.floor(plotW / 64));
    if (logx) {
      ticks = logTicks(xmin, xmax, xcount);
    } else {
      var xstep = niceStep(xmax - xmin || 1, xcount);
      for (var tv0 = Math.ceil(xmin / xstep) * xstep; tv0 <= xmax + xstep / 1e6 && ticks.length < MAX_TICKS; tv0 += xstep) ticks.push(tv0);
    }
    ticks.forEach(function (tv) {
      var x = px(tv);
      grid.appendChild(el("line", { x1: x, x2: x, y1: plotBottom, y2: plotBottom + 5 }));
      var label = compact.format(tv);
      var half = label.length * CHAR / 2;
      var anchor = x + half > W ? "end" : x - half < 0 ? "start" : "middle";
      grid.appendChild(el("text", { x: x, y: plotBottom + 18, "text-anchor": anchor }, label));
    });
    grid.appendChild(el("line", { "class": "calc-axis", x1: L, x2: W - R, y1: plotBottom, y2: plotBottom }));
    grid.appendChild(el("line", { "class": "calc-axis", x1: L, x2: L, y1: T, y2: plotBottom }));
    svg.appendChild(grid);

    marks.forEach(function (m) {
      var bx = px(m.from), bw = Math.max(2, px(m.to) - px(m.from));
      svg.appendChild(el("rect", { "class": "calc-band", x: bx, y: T, width: bw, height: plotH }));
    });
    svg.appendChild(textLines(4, 8 + FONT, yTitle, { "class": "calc-axis-title" }));
    svg.appendChild(textLines(W / 2, xTitleY, xTitle, { "class": "calc-axis-title", "text-anchor": "middle" }));

    series.forEach(function (s, i) {
      var cls = "calc-s" + (i % SERIES);
      var pts = [];
      xs.forEach(function (xval, j) {
        var yvv = (s.y || [])[j];
        if (finite(xval) && finite(yvv)) pts.push([px(xval), py(yvv), j]);
      });
      var g = el("g", { "class": "calc-series " + cls });
      if (!s.markers) g.appendChild(el("polyline", { points: pts.map(function (p) { return p[0].toFixed(1) + "," + p[1].toFixed(1); }).join(" ") }));
      if (pts.length > MAX_MARKERS && !s.markers) pts = []; // a dense line needs no dots
      pts.forEach(function (p) {
        var c = el("circle", { cx: p[0].toFixed(1), cy: p[1].toFixed(1), r: s.markers ? 4 : 2.5 });
        var name = s.points && s.points[p[2]];
        c.appendChild(el("title", {}, (name ? name + ": " : "") + compact.format(xs[p[2]]) + ", " + compact.format(s.y[p[2]])));
        g.appendChild(c);
      });
      svg.appendChild(g);
    });

    var legend = el("g", { "class": "calc-legend" });
    var ly = legendY;
    rows.forEach(function (r, k) {
      r.forEach(function (it) {
        var sx = 4 + it.x;
        if (it.e.kind === "band") legend.appendChild(el("rect", { "class": it.e.cls, x: sx, y: ly - FONT * 0.8, width: 16, height: FONT }));
        else if (it.e.kind === "dot") legend.appendChild(el("circle", { "class": it.e.cls + " calc-swatch", cx: sx + 8, cy: ly - FONT * 0.35, r: 4 }));
        else legend.appendChild(el("line", { "class": it.e.cls + " calc-key", x1: sx, x2: sx + 18, y1: ly - FONT * 0.35, y2: ly - FONT * 0.35 }));
        legend.appendChild(textLines(sx + 22, ly, it.lines));
      });
      ly += rowH[k];
    });
    svg.appendChild(legend);
    if (old) old.replaceWith(svg);
    else container.appendChild(svg);
  }

  // data: {kind: "timeline", lanes: [name], lane_labels: {name: label}, x_label, x_unit, total,
  //        micro_batches, blocks: [{lane, start, end, label, micro_batch, bound}]}: blocks on
  // horizontal lanes, coloured by micro-batch; compute-bound blocks darker than memory-bound
  // ones, network ones palest. Drawn at the shown width like the line charts.
  function drawTimeline(container, data) {
    var blocks = (data.blocks || []).filter(function (b) { return finite(b.start) && finite(b.end) && b.end > b.start; });
    var lanes = data.lanes || [];
    var names = data.lane_labels || {};
    var old = container.querySelector("svg.calc-svg");
    var total = finite(data.total) ? data.total : range(blocks.map(function (b) { return b.end; }).concat([0]))[1];
    if (!blocks.length || !(total > 0)) {
      if (old) old.remove();
      return;
    }
    var W = Math.round(container.clientWidth || (container.parentNode && container.parentNode.clientWidth) || 640);
    W = Math.max(240, Math.min(W, 760));
    container._calcWidth = W;
    // Lane names in a column of at most a third of the width, wrapped.
    var laneLines = lanes.map(function (lane) { return wrap(names[lane] || lane, W / 3 - 8); });
    var L = 8 + Math.max.apply(null, laneLines.map(function (ls) { return Math.max.apply(null, ls.map(function (l) { return l.length; })); })) * CHAR + 8;
    var R = 14, T = 8;
    var laneH = Math.max(36, Math.max.apply(null, laneLines.map(function (ls) { return ls.length; })) * FONT * 1.25 + 10), gap = 8;
    var y0 = T + lanes.length * (laneH + gap);
    var plotW = W - L - R;
    function px(v) { return L + v / total * plotW; }
    var xTitle = wrap(axisTitle(data.x_label || "time", data.x_unit), W - 8);
    var legendItems = [];
    for (var mb = 0; mb < Math.min(SERIES, data.micro_batches || 1); mb++) legendItems.push({ label: "micro-batch " + mb, cls: "calc-s" + mb });
    var kinds = [{ label: "compute-bound", cls: "calc-block calc-bound-compute" },
      { label: "memory-bound", cls: "calc-block calc-bound-memory" }, { label: "network", cls: "calc-block calc-bound-network" }];
    // The legend laid out once, for the height and the drawing: micro-batches on one row (or
    // more), the three kinds from a new row.
    var keys = [], kx = 4, krow = 0;
    [legendItems, kinds].forEach(function (items, group) {
      if (group) { kx = 4; krow++; }
      items.forEach(function (it) {
        var w = 22 + it.label.length * CHAR + 14;
        if (kx > 4 && kx + w > W - 4) { kx = 4; krow++; }
        keys.push({ it: it, x: kx, row: krow, block: group === 1 });
        kx += w;
      });
    });
    var legendRows = krow + 1;
    var xTitleY = y0 + 18 + FONT + 8;
    var legendY = xTitleY + (xTitle.length - 1) * FONT * 1.25 + FONT + 14;
    var H = Math.round(legendY + legendRows * (FONT * 1.25 + 4) + 6);

    var id = (container.closest("[id]") || { id: "chart" }).id + "-svg";
    var svg = el("svg", { "class": "calc-svg", width: W, height: H, viewBox: "0 0 " + W + " " + H, role: "img",
      "aria-labelledby": id + "-title " + id + "-desc", "font-size": FONT });
    svg.appendChild(el("title", { id: id + "-title" }, axisTitle(data.x_label || "time", data.x_unit)));
    svg.appendChild(el("desc", { id: id + "-desc" }, blocks.map(function (b) {
      return (names[b.lane] || b.lane) + ": " + b.label + " (micro-batch " + b.micro_batch + ", " + b.bound +
        ") " + compact.format(b.start) + " to " + compact.format(b.end);
    }).join("; ")));
    var grid = el("g", { "class": "calc-grid", "aria-hidden": "true" });
    var step = niceStep(total, Math.max(2, Math.floor(plotW / 64)));
    for (var k = 0, tv = 0; tv <= total * 1.0001 && k < 50; k++, tv = k * step) {
      grid.appendChild(el("line", { x1: px(tv), x2: px(tv), y1: T, y2: y0 }));
      var label = compact.format(tv);
      var anchor = px(tv) + label.length * CHAR / 2 > W ? "end" : "middle";
      grid.appendChild(el("text", { x: px(tv), y: y0 + 18, "text-anchor": anchor }, label));
    }
    lanes.forEach(function (lane, i) {
      var lines = laneLines[i];
      var top = T + i * (laneH + gap) + laneH / 2 - (lines.length - 1) * FONT * 0.625 + FONT * 0.35;
      grid.appendChild(textLines(L - 8, top, lines, { "text-anchor": "end" }));
    });
    svg.appendChild(grid);
    blocks.forEach(function (b) {
      var i = lanes.indexOf(b.lane);
      if (i < 0) return;
      var x = px(b.start), w = Math.max(1, px(b.end) - px(b.start)), y = T + i * (laneH + gap);
      var g = el("g", { "class": "calc-block calc-s" + ((b.micro_batch || 0) % SERIES) + " calc-bound-" + (b.bound || "memory") });
      g.appendChild(el("rect", { x: x, y: y, width: w, height: laneH }));
      g.appendChild(el("title", {}, b.label + ", micro-batch " + b.micro_batch + ", " + b.bound + ": " +
        compact.format(b.end - b.start) + " " + (data.x_unit || "")));
      // The label if it fits, else its first word, else none (the block's title and the
      // chart's description still name it).
      var text = [String(b.label), String(b.label).split(/[\s-]/)[0]].filter(function (t) {
        return w > t.length * CHAR + 6;
      })[0];
      if (text) g.appendChild(el("text", { x: x + w / 2, y: y + laneH / 2 + FONT * 0.35, "text-anchor": "middle" }, text));
      svg.appendChild(g);
    });
    svg.appendChild(textLines(W / 2, xTitleY, xTitle, { "class": "calc-axis-title", "text-anchor": "middle" }));
    var legend = el("g", { "class": "calc-legend" });
    keys.forEach(function (k) {
      var ky = legendY + k.row * (FONT * 1.25 + 4);
      var rect = el("rect", { x: k.x, y: ky - FONT * 0.8, width: 16, height: FONT });
      if (k.block) { // drawn as a block, so the blocks' own rules give its look
        var g = el("g", { "class": k.it.cls });
        g.appendChild(rect);
        legend.appendChild(g);
      } else {
        rect.setAttribute("class", k.it.cls + " calc-swatch");
        legend.appendChild(rect);
      }
      legend.appendChild(el("text", { x: k.x + 22, y: ky }, k.it.label));
    });
    svg.appendChild(legend);
    if (old) old.replaceWith(svg);
    else container.appendChild(svg);
  }

  // Redraw a chart when the width it is shown at changes (rotation, window resize).
  var resized = typeof ResizeObserver === "function" ? new ResizeObserver(function (list) {
    list.forEach(function (entry) {
      var c = entry.target;
      var w = Math.max(240, Math.min(Math.round(c.clientWidth), 760));
      if (!c._calcWidth || w === c._calcWidth || !c.clientWidth) return;
      try {
        draw(c, JSON.parse(c.getAttribute("data-value")));
      } catch (e) {
        console.warn("chart data unreadable", e);
      }
    });
  }) : null;

  function drawAll(scope) {
    if (resized) resized.disconnect();
    (scope || document).querySelectorAll("[data-chart]").forEach(function (c) {
      var raw = c.getAttribute("data-value");
      if (resized) resized.observe(c);
      if (!raw || c.querySelector("svg.calc-svg")) return;
      try {
        draw(c, JSON.parse(raw));
      } catch (e) {
        console.warn("chart data unreadable", e);
      }
    });
  }

  // ------------------------------------------------------------------ tables
  // A table wider than its column becomes one card per row (each cell labelled with its
  // column heading), so every value is on screen; re-checked when the width changes.
  function labelCells(table) {
    if (table.dataset.calcLabelled) return;
    var heads = [].map.call(table.querySelectorAll("thead th"), function (th) { return th.textContent.trim(); });
    table.querySelectorAll("tbody tr").forEach(function (tr) {
      [].forEach.call(tr.children, function (td, i) {
        if (heads[i]) td.setAttribute("data-label", heads[i]);
        // One box for the cell's content, so a card lays out label | content (the nodes move,
        // so the live runtime's references to outputs inside stay valid).
        var box = document.createElement("span");
        box.className = "calc-cell";
        while (td.firstChild) box.appendChild(td.firstChild);
        td.appendChild(box);
        // Nothing to show (no text, no live output): a card leaves the row out, not a label
        // with nothing after it.
        if (!box.textContent.trim() && !box.querySelector("[data-output], svg, img, input, select"))
          td.classList.add("calc-empty");
      });
    });
    table.dataset.calcLabelled = "1";
  }

  function fitTables(scope) {
    (scope || document).querySelectorAll(".md-typeset table:not([class]), .md-typeset table.calc-stack").forEach(function (t) {
      if (!t.dataset.calcLabelled && tableSizes) tableSizes.observe(t);
      labelCells(t);
      var box = t.closest(".md-typeset__scrollwrap") || t.parentNode;
      t.classList.remove("calc-stack");
      // Cards when the table would scroll, or, in a narrow column (a phone), when its columns
      // would be squeezed to a few words per line (under about 8 em each).
      var cols = (t.rows[0] && t.rows[0].cells.length) || 1;
      var em = parseFloat(getComputedStyle(t).fontSize) || 13;
      var narrow = box.clientWidth < 50 * em;
      if (t.scrollWidth > box.clientWidth + 1 || box.scrollWidth > box.clientWidth + 1 ||
          (narrow && box.clientWidth / cols < 8 * em)) t.classList.add("calc-stack");
    });
  }

  var tableSizes = typeof ResizeObserver === "function" ? new ResizeObserver(function () { queueFit(); }) : null;
  // Debounced with a timer, not an animation frame: frames are not drawn in a hidden tab or
  // while a screenshot is taken, and a check queued then must still run.
  var fitTimer = 0;
  function queueFit() {
    clearTimeout(fitTimer);
    fitTimer = setTimeout(function () { fitTables(document); }, 20);
  }
  window.addEventListener("resize", queueFit);

  // ------------------------------------------------------------------ scenarios
  // <select data-scenario> options carry data-state (the inputs of the widget as JSON): a
  // choice writes them into the widget's inputs and fires the same "change" events a reader
  // would, so the runtime treats it as typed input. The picker shows the scenario the inputs
  // match (or "Custom"), at load from the URL and after every edit.
  function sameSetting(a, b) {
    var na = Number(a), nb = Number(b);
    if (String(a).trim() !== "" && String(b).trim() !== "" && isFinite(na) && isFinite(nb)) return na === nb;
    return String(a) === String(b);
  }

  function matchScenario(picker, valueOf) {
    var found = "";
    [].some.call(picker.options, function (o) {
      if (!o.value) return false;
      var st = JSON.parse(o.getAttribute("data-state") || "{}");
      var ok = Object.keys(st).every(function (k) { return sameSetting(valueOf(k, st[k]), st[k]); });
      if (ok) found = o.value;
      return ok;
    });
    return found;
  }

  function showScenario(picker) {
    var o = picker.options[picker.selectedIndex];
    var about = picker.parentNode.querySelector("[data-scenario-about]");
    if (about && o) about.textContent = o.getAttribute("data-about") || "";
  }

  function bindScenarios(scope) {
    (scope || document).querySelectorAll("select[data-scenario]").forEach(function (picker) {
      var widget = picker.closest("[data-widget]");
      if (!widget || picker.dataset.calcBound) return;
      var applying = false; // our own change events, not the reader's
      picker.dataset.calcBound = "1";
      function controls() {
        return [].filter.call(widget.querySelectorAll("[name]"), function (c) {
          return c.matches("input, select") && !c.hasAttribute("data-link");
        });
      }
      function fromControls(name) {
        var c = controls().filter(function (x) { return x.name === name; })[0];
        return c ? c.value : undefined;
      }
      // At load: the URL holds the state (parameters that differ from their defaults).
      var query = new URLSearchParams(location.search);
      picker.value = matchScenario(picker, function (name) {
        if (query.has(name)) return query.get(name);
        var c = controls().filter(function (x) { return x.name === name; })[0];
        return c ? c.getAttribute("data-default") : undefined;
      });
      showScenario(picker);
      picker.addEventListener("change", function () {
        showScenario(picker);
        var o = picker.options[picker.selectedIndex];
        if (!o || !o.value) return;
        var st = JSON.parse(o.getAttribute("data-state") || "{}");
        applying = true;
        try {
          controls().forEach(function (c) {
            if (!(c.name in st) || sameSetting(c.value, st[c.name])) return;
            c.value = String(st[c.name]);
            c.dispatchEvent(new Event("change", { bubbles: true }));
          });
        } finally {
          applying = false;
        }
      });
      function rematch(e) {
        if (e.target === picker || applying) return;
        picker.value = matchScenario(picker, fromControls);
        showScenario(picker);
      }
      widget.addEventListener("input", rematch);
      widget.addEventListener("change", rematch);
    });
  }

  // ------------------------------------------------------------------ status
  var LABELS = {
    "static": "Built-in values",
    booting: "Starting Python\u2026",
    live: "Live",
    failed: "Built-in values (live calculation unavailable)",
  };

  // The indicator, only on pages with widgets (where the reader can change inputs).
  function setStatus(state, detail) {
    var box = document.getElementById("calc-status");
    if (!document.querySelector("[data-widget]")) {
      if (box) box.remove();
      return;
    }
    if (!box) {
      box = document.createElement("div");
      box.id = "calc-status";
      box.className = "calc-status";
      box.setAttribute("role", "status");
    }
    // In the header bar, beside the search: it never covers the text. Outside Material's
    // layout (no header), at the end of the page.
    var header = document.querySelector(".md-header__inner");
    var before = header && header.querySelector(".md-search, .md-header__option, label[for='__search']");
    if (header && box.parentNode !== header) header.insertBefore(box, before || null);
    else if (!header && !box.parentNode) document.body.appendChild(box);
    box.dataset.state = state;
    // A parenthetical ("(live calculation unavailable)") in a span of its own, which a phone's
    // header leaves out (calc.css): the widgets' own state labels keep the whole text.
    var text = detail || LABELS[state] || state;
    var paren = /^(.*?)( \(.*\))$/.exec(text);
    box.textContent = (state === "live" ? "\u25cf " : "\u25cb ") + (paren ? paren[1] : text);
    if (paren) {
      var more = document.createElement("span");
      more.className = "calc-status-detail";
      more.textContent = paren[2];
      box.appendChild(more);
    }
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
  window.CalcLayout = { fitTables: fitTables, bindScenarios: bindScenarios };

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
    bindScenarios(document);
    if (tableSizes) tableSizes.disconnect();
    fitTables(document);
    queueFit(); // again once the theme has wrapped its tables
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

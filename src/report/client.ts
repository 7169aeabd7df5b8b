/**
 * The report page's own script (plain ES2017, no modules, no network): it inflates the embedded
 * volumes with the browser's DecompressionStream, draws the dose-map views, DVH and cluster
 * histogram with Plotly, and the arterial tree on a 2-D canvas (orthographic projection, drag to
 * rotate, wheel to zoom; no WebGL, so it works in any browser and in headless test runs).
 * Kept as a string so the build ships it without a bundler.
 */
export const CLIENT_SCRIPT = String.raw`
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("sirtsim-data").textContent);
  var PLOT_CONFIG = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["select2d", "lasso2d"] };
  // A perceptually ordered dose colour scale (dark blue → cyan → yellow → red), like a TPS colourwash.
  var DOSE_SCALE = [[0, "#1a0a6b"], [0.15, "#2040d0"], [0.35, "#10b0e0"], [0.5, "#30d070"], [0.65, "#f0e020"], [0.82, "#f07010"], [1, "#c00010"]];
  var ISO_COLOURS = ["#00e5ff", "#00ff6a", "#ffee00", "#ff9d00", "#ff2d2d", "#ff00d4", "#ffffff", "#a0a0ff"];
  var LABEL_COLOURS = ["#ffffff", "#7fd1ff", "#ff9ecb", "#b6ff8a", "#ffd37f", "#c9a0ff", "#7fffe0", "#ff7f7f"];

  function fail(err) {
    console.error(err);
    var box = document.getElementById("report-error");
    box.textContent = "The report could not be drawn: " + (err && err.message ? err.message : String(err));
    box.hidden = false;
  }

  function bytesOf(b64) {
    var bin = atob(b64);
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  function inflate(b64) {
    if (typeof DecompressionStream === "undefined") {
      return Promise.reject(new Error("this browser has no DecompressionStream; open the report in a current Chrome, Edge, Firefox or Safari"));
    }
    var stream = new Blob([bytesOf(b64)]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).arrayBuffer().then(function (buf) { return new Uint8Array(buf); });
  }

  function decodeVolume(enc) {
    return inflate(enc.b64).then(function (bytes) {
      var stored = enc.type === "u16" ? new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2) : bytes;
      var out = new Float32Array(stored.length);
      for (var v = 0; v < stored.length; v++) out[v] = stored[v] * enc.scale + enc.offset;
      return out;
    });
  }

  // The number format of src/report/format.ts: 3 significant digits, integers ≥ 1000 in full.
  function fmt(x, digits) {
    if (x === null || x === undefined || x === "") return "";
    if (typeof x !== "number") return String(x);
    if (x === 0) return "0";
    var a = Math.abs(x);
    if (x === Math.round(x) && a >= 1000 && a < 1e15) return x.toLocaleString("en");
    if (a >= 1e-3 && a < 1e6) return String(Number(x.toPrecision(digits || 3)));
    return x.toExponential((digits || 3) - 1);
  }

  // ---------- dose-map views ----------
  function sliceOf(vol, dims, view, index, map) {
    var h = view.hAxis, vAx = view.vAxis, s = view.sliceAxis;
    var nh = dims[h], nv = dims[vAx];
    var stride = [1, dims[0], dims[0] * dims[1]];
    var rows = new Array(nv);
    for (var v = 0; v < nv; v++) {
      var row = new Array(nh);
      var base = index * stride[s] + v * stride[vAx];
      for (var u = 0; u < nh; u++) {
        var value = vol[base + u * stride[h]];
        row[u] = map ? map(value) : value;
      }
      rows[v] = row;
    }
    return rows;
  }

  function axisCoords(n, spacing) {
    var out = new Array(n);
    for (var i = 0; i < n; i++) out[i] = i * spacing;
    return out;
  }

  function slicePositionText(view, index) {
    var g = DATA.geometry;
    var worldAxis = view.name === "axial" ? 2 : view.name === "coronal" ? 1 : 0;
    var letter = ["x (R+)", "y (A+)", "z (S+)"][worldAxis];
    var c = g.originRasMm[worldAxis] + g.directionRas[3 * worldAxis + view.sliceAxis] * g.spacingMm[view.sliceAxis] * index;
    return "slice " + (index + 1) + " / " + g.dims[view.sliceAxis] + " — " + letter + " = " + c.toFixed(1) + " mm";
  }

  function viewTraces(state, view, index) {
    var g = DATA.geometry;
    var x = axisCoords(g.dims[view.hAxis], g.spacingMm[view.hAxis]);
    var y = axisCoords(g.dims[view.vAxis], g.spacingMm[view.vAxis]);
    var traces = [];
    var anatomy = DATA.anatomy;
    if (anatomy && anatomy.kind === "ct") {
      traces.push({
        type: "heatmap", name: "CT", x: x, y: y, z: sliceOf(state.anatomy, g.dims, view, index),
        colorscale: [[0, "#000000"], [1, "#ffffff"]], zmin: anatomy.windowHu[0], zmax: anatomy.windowHu[1],
        showscale: false, hovertemplate: "%{z:.0f} HU<extra>CT</extra>",
      });
    } else if (anatomy && anatomy.kind === "labels") {
      traces.push({
        type: "heatmap", name: "VOIs", x: x, y: y, z: sliceOf(state.anatomy, g.dims, view, index, function (l) { return l > 0 ? 1 : 0; }),
        colorscale: [[0, "#000000"], [1, "#3a3a3a"]], zmin: 0, zmax: 1, showscale: false, hoverinfo: "skip",
      });
    }
    var threshold = DATA.dose.displayThresholdGy;
    traces.push({
      type: "heatmap", name: "dose", x: x, y: y,
      z: sliceOf(state.dose, g.dims, view, index, function (d) { return d > 0 && d >= threshold ? d : null; }),
      colorscale: DOSE_SCALE, zmin: 0, zmax: DATA.dose.maxGy || 1, opacity: anatomy ? 0.55 : 1,
      colorbar: { title: { text: "Gy", side: "top" }, thickness: 14, len: 0.9 },
      hovertemplate: "%{z:.3g} Gy<extra></extra>",
    });
    var doseSlice = sliceOf(state.dose, g.dims, view, index);
    DATA.isodoses.forEach(function (iso, n) {
      var level = iso.doseGy;
      traces.push({
        type: "contour", name: fmt(level) + " Gy", x: x, y: y, z: doseSlice, autocontour: false,
        contours: { start: level, end: level, size: level, coloring: "none", showlabels: false },
        line: { color: ISO_COLOURS[n % ISO_COLOURS.length], width: 1.6 }, showscale: false, hoverinfo: "skip",
      });
    });
    if (anatomy && anatomy.kind === "labels") {
      anatomy.labels.forEach(function (label, n) {
        var code = n + 1;
        traces.push({
          type: "contour", name: anatomy.names[String(label)] || ("label " + label), x: x, y: y,
          z: sliceOf(state.anatomy, g.dims, view, index, function (l) { return l === code ? 1 : 0; }),
          autocontour: false, contours: { start: 0.5, end: 0.5, size: 1, coloring: "none" },
          line: { color: LABEL_COLOURS[n % LABEL_COLOURS.length], width: 1.2, dash: "dot" }, showscale: false, hoverinfo: "skip",
        });
      });
    }
    return traces;
  }

  // A round length (mm) near a quarter of the view's width, for the scale bar.
  function scaleBarMm(widthMm) {
    var steps = [1, 2, 5, 10, 20, 50, 100, 200, 500];
    var best = steps[0];
    for (var i = 0; i < steps.length; i++) if (steps[i] <= widthMm / 4) best = steps[i];
    return best;
  }

  // A white bar of a round length in the view's lower-left corner (screen), in data mm.
  function scaleBar(view) {
    var g = DATA.geometry;
    var w = (g.dims[view.hAxis] - 1) * g.spacingMm[view.hAxis];
    var h = (g.dims[view.vAxis] - 1) * g.spacingMm[view.vAxis];
    var length = scaleBarMm(w);
    var pad = 0.05 * w;
    var x0 = view.hReversed ? w - pad : pad;
    var x1 = view.hReversed ? x0 - length : x0 + length;
    var y0 = view.vReversed ? h - 0.06 * h : 0.06 * h;
    return {
      shapes: [{ type: "line", xref: "x", yref: "y", x0: x0, x1: x1, y0: y0, y1: y0, line: { color: "#ffffff", width: 3 } }],
      annotations: [{ xref: "x", yref: "y", x: (x0 + x1) / 2, y: y0, yshift: 10, text: length + " mm", showarrow: false, font: { color: "#ffffff", size: 11 } }],
      lengthMm: length,
    };
  }

  function viewLayout(view) {
    var g = DATA.geometry;
    var bar = scaleBar(view);
    return {
      shapes: bar.shapes,
      annotations: bar.annotations,
      title: { text: view.name, font: { size: 14 } },
      margin: { l: 30, r: 10, t: 36, b: 30 },
      paper_bgcolor: "#ffffff", plot_bgcolor: "#000000",
      xaxis: { autorange: view.hReversed ? "reversed" : true, showgrid: false, zeroline: false, ticks: "", showticklabels: false,
        title: { text: view.edges[0] + " ◀ ▶ " + view.edges[1], font: { size: 11 } } },
      yaxis: { autorange: view.vReversed ? "reversed" : true, scaleanchor: "x", scaleratio: 1, showgrid: false, zeroline: false,
        ticks: "", showticklabels: false, title: { text: view.edges[3] + " ◀ ▶ " + view.edges[2], font: { size: 11 } } },
      showlegend: false,
      height: 430,
    };
  }

  // One legend for the three views (isodose lines, VOI outlines), in HTML under them.
  function drawViewLegend() {
    var box = document.getElementById("view-legend");
    function item(colour, dash, text) {
      var span = document.createElement("span");
      var line = document.createElement("i");
      line.style.borderTop = "2px " + (dash ? "dotted " : "solid ") + colour;
      span.appendChild(line);
      span.appendChild(document.createTextNode(text));
      box.appendChild(span);
    }
    if (DATA.isodoses.length) box.appendChild(document.createTextNode("isodose: "));
    DATA.isodoses.forEach(function (iso, n) {
      item(ISO_COLOURS[n % ISO_COLOURS.length], false, fmt(iso.doseGy) + " Gy" + (iso.label ? " " + iso.label : "") + (iso.reached ? "" : " (not reached)"));
    });
    var anatomy = DATA.anatomy;
    if (anatomy && anatomy.kind === "labels") {
      box.appendChild(document.createTextNode(" volumes: "));
      anatomy.labels.forEach(function (label, n) { item(LABEL_COLOURS[n % LABEL_COLOURS.length], true, anatomy.names[String(label)] || ("label " + label)); });
    }
  }

  function drawViews(state) {
    drawViewLegend();
    DATA.views.forEach(function (view) {
      var div = document.getElementById("view-" + view.name);
      var slider = document.getElementById("slider-" + view.name);
      var caption = document.getElementById("caption-" + view.name);
      var n = DATA.geometry.dims[view.sliceAxis];
      slider.max = String(n - 1);
      slider.value = String(DATA.dose.maxVoxel[view.sliceAxis]);
      var draw = function () {
        var index = Number(slider.value);
        caption.textContent = slicePositionText(view, index);
        return Plotly.react(div, viewTraces(state, view, index), viewLayout(view), PLOT_CONFIG);
      };
      slider.addEventListener("input", function () { draw().catch(fail); });
      state.pending.push(draw());
    });
  }

  // ---------- DVH and clusters ----------
  function drawDvh(state) {
    var traces = DATA.dvh.map(function (c) {
      return {
        type: "scatter", mode: "lines", name: c.name, x: c.doseGy,
        y: c.volumeFraction.map(function (f) { return 100 * f; }), line: { width: 2, shape: "hv" },
        hovertemplate: "%{x:.3g} Gy: %{y:.1f} %<extra>" + c.name.replace(/</g, "&lt;") + "</extra>",
      };
    });
    var layout = {
      margin: { l: 60, r: 20, t: 20, b: 50 }, height: 420,
      xaxis: { title: { text: "dose (Gy)" }, rangemode: "tozero" },
      yaxis: { title: { text: "volume receiving ≥ dose (%)" }, range: [0, 101] },
      legend: { x: 1, xanchor: "right", y: 1 },
    };
    state.pending.push(Plotly.newPlot("dvh-plot", traces, layout, PLOT_CONFIG));
  }

  function drawClusters(state) {
    var h = DATA.clusters;
    if (!h) return;
    var counts = h.counts;
    var positive = counts.filter(function (c) { return c > 0; });
    var spread = positive.length ? Math.max.apply(null, positive) / Math.min.apply(null, positive) : 1;
    var logY = spread > 100;
    // Cluster sizes span 1 to hundreds of spheres: a numeric log axis puts 17 and 161 where they
    // belong (a categorical axis draws every size at equal spacing). Each size is a stem to its count.
    var numeric = h.spheresPerCluster.every(function (v) { return typeof v === "number" && v > 0; });
    var trace;
    if (numeric) {
      var xs = [], ys = [];
      var floor = logY ? Math.max(0.5, Math.min.apply(null, positive) / 2) : 0;
      h.spheresPerCluster.forEach(function (size, b) {
        if (!(counts[b] > 0)) return;
        xs.push(size, size, null);
        ys.push(floor, counts[b], null);
      });
      trace = {
        type: "scatter", mode: "lines+markers", name: "clusters", x: xs, y: ys, line: { color: "#3b6fb6", width: 3 },
        marker: { color: "#3b6fb6", size: 6 }, hovertemplate: "%{x} spheres: %{y} clusters<extra></extra>",
      };
    } else {
      trace = {
        type: "bar", name: "clusters", x: h.spheresPerCluster.map(String), y: counts, marker: { color: "#3b6fb6" },
        hovertemplate: "%{x} spheres: %{y} clusters<extra></extra>",
      };
    }
    var layout = {
      margin: { l: 60, r: 20, t: 20, b: 50 }, height: 360,
      xaxis: numeric ? { title: { text: "spheres per cluster (log scale)" }, type: "log" } : { title: { text: "spheres per cluster" }, type: "category" },
      yaxis: { title: { text: "clusters" }, type: logY ? "log" : "linear", dtick: logY ? 1 : undefined },
    };
    state.pending.push(Plotly.newPlot("cluster-plot", [trace], layout, PLOT_CONFIG));
  }

  // ---------- tree (canvas) ----------
  var VIRIDIS = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
  function viridis(t) {
    t = Math.max(0, Math.min(1, t)) * (VIRIDIS.length - 1);
    var i = Math.min(VIRIDIS.length - 2, Math.floor(t));
    var f = t - i;
    var c = [0, 1, 2].map(function (a) { return Math.round(VIRIDIS[i][a] * (1 - f) + VIRIDIS[i + 1][a] * f); });
    return "rgb(" + c[0] + "," + c[1] + "," + c[2] + ")";
  }

  function drawTree() {
    var t = DATA.tree;
    if (!t) return;
    var canvas = document.getElementById("tree-canvas");
    var ctx = canvas.getContext("2d");
    var pos = new Uint16Array(bytesOf(t.positions).buffer);
    var radius = new Float32Array(bytesOf(t.radius).buffer);
    var lodged = new Float32Array(bytesOf(t.lodged).buffer);
    var n = t.count;
    var xyz = new Float32Array(6 * n);
    var centre = [0, 1, 2].map(function (a) { return (t.lo[a] + t.hi[a]) / 2; });
    var extent = Math.max(t.hi[0] - t.lo[0], t.hi[1] - t.lo[1], t.hi[2] - t.lo[2]) || 1;
    for (var s = 0; s < n; s++) {
      for (var e = 0; e < 6; e++) {
        var a = e % 3;
        xyz[6 * s + e] = t.lo[a] + (pos[6 * s + e] / 65535) * (t.hi[a] - t.lo[a]) - centre[a];
      }
    }
    // Log colour scale from the smallest positive value to the largest (log of 0 has no place on it).
    var logMin = t.minPositiveLodged > 0 ? Math.log10(t.minPositiveLodged) : 0;
    var logSpan = t.maxLodged > 0 ? Math.log10(t.maxLodged) - logMin : 0;
    var colours = new Array(n);
    for (var c = 0; c < n; c++) colours[c] = lodged[c] > 0 ? viridis(logSpan > 0 ? (Math.log10(lodged[c]) - logMin) / logSpan : 1) : "rgba(150,150,150,0.55)";
    var outlines = t.outlines.map(function (o, k) {
      var pts = new Float32Array(bytesOf(o.points).buffer);
      for (var p = 0; p < pts.length; p++) pts[p] -= centre[p % 3];
      return { pts: pts, colour: o.kind === "liver" ? "rgba(154,163,176,0.35)" : DATA.outlineColours[k % DATA.outlineColours.length], liver: o.kind === "liver" };
    });
    var order = new Uint32Array(n);
    var depth = new Float32Array(n);
    var yaw = 0, pitch = 0, zoom = 1;
    var pending = false;

    function render() {
      pending = false;
      var dpr = window.devicePixelRatio || 1;
      var w = canvas.clientWidth, h = canvas.clientHeight;
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(h * dpr);
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.fillStyle = "#ffffff";
      ctx.fillRect(0, 0, w, h);
      var scale = (0.9 * Math.min(w, h) / extent) * zoom;
      var cy = Math.cos(yaw), sy = Math.sin(yaw), cp = Math.cos(pitch), sp = Math.sin(pitch);
      // Anterior view at yaw = pitch = 0: screen x = −x (patient right on the left), screen up = +z.
      function project(o, out) {
        var x = xyz[o], y = xyz[o + 1], z = xyz[o + 2];
        var xr = cy * x - sy * y, yr = sy * x + cy * y;
        var yr2 = cp * yr - sp * z, zr = sp * yr + cp * z;
        out[0] = w / 2 - xr * scale;
        out[1] = h / 2 - zr * scale;
        out[2] = yr2;
      }
      var p = [0, 0, 0], q = [0, 0, 0];
      // Surfaces behind the branches: the liver faint, tumours in their colour, half transparent.
      function dots(o) {
        ctx.fillStyle = o.colour;
        ctx.globalAlpha = o.liver ? 1 : 0.45;
        for (var d = 0; d < o.pts.length; d += 3) {
          var x = o.pts[d], y = o.pts[d + 1], z = o.pts[d + 2];
          var xr = cy * x - sy * y, yr = sy * x + cy * y;
          var zr = sp * yr + cp * z;
          ctx.fillRect(w / 2 - xr * scale - 1, h / 2 - zr * scale - 1, 2, 2);
        }
        ctx.globalAlpha = 1;
      }
      outlines.forEach(function (o) { if (o.liver) dots(o); });
      outlines.forEach(function (o) { if (!o.liver) dots(o); });
      for (var s = 0; s < n; s++) {
        project(6 * s, p);
        project(6 * s + 3, q);
        depth[s] = p[2] + q[2];
        order[s] = s;
      }
      var idx = Array.prototype.slice.call(order).sort(function (a, b) { return depth[a] - depth[b]; });
      ctx.lineCap = "round";
      for (var m = 0; m < n; m++) {
        var k = idx[m];
        project(6 * k, p);
        project(6 * k + 3, q);
        ctx.strokeStyle = colours[k];
        ctx.lineWidth = Math.max(0.6, 2 * radius[k] * scale);
        ctx.beginPath();
        ctx.moveTo(p[0], p[1]);
        ctx.lineTo(q[0], q[1]);
        ctx.stroke();
      }
      canvas.setAttribute("data-drawn", String(n));
    }
    function request() { if (!pending) { pending = true; requestAnimationFrame(render); } }
    var drag = null;
    canvas.addEventListener("pointerdown", function (ev) { drag = [ev.clientX, ev.clientY]; canvas.setPointerCapture(ev.pointerId); });
    canvas.addEventListener("pointerup", function () { drag = null; });
    canvas.addEventListener("pointermove", function (ev) {
      if (!drag) return;
      yaw += (ev.clientX - drag[0]) * 0.01;
      pitch = Math.max(-1.5, Math.min(1.5, pitch + (ev.clientY - drag[1]) * 0.01));
      drag = [ev.clientX, ev.clientY];
      request();
    });
    canvas.addEventListener("wheel", function (ev) { ev.preventDefault(); zoom *= ev.deltaY < 0 ? 1.1 : 1 / 1.1; request(); }, { passive: false });
    document.getElementById("tree-reset").addEventListener("click", function () { yaw = 0; pitch = 0; zoom = 1; request(); });
    window.addEventListener("resize", request);
    render();
  }

  function main() {
    var state = { pending: [] };
    var jobs = [decodeVolume(DATA.dose.volume).then(function (v) { state.dose = v; })];
    if (DATA.anatomy) {
      jobs.push(inflate(DATA.anatomy.b64).then(function (bytes) {
        if (DATA.anatomy.kind === "labels") { state.anatomy = bytes; return; }
        var out = new Float32Array(bytes.length);
        for (var v = 0; v < bytes.length; v++) out[v] = bytes[v] * DATA.anatomy.scale + DATA.anatomy.offset;
        state.anatomy = out;
      }));
    }
    drawDvh(state);
    drawClusters(state);
    try { drawTree(); } catch (err) { fail(err); }
    return Promise.all(jobs).then(function () {
      drawViews(state);
      return Promise.all(state.pending);
    }).then(function () {
      document.body.setAttribute("data-report-ready", "true");
    });
  }

  main().catch(fail);
})();
`;

/* Draw every <div class="kejifu-plot"> holding a <script type="application/json"> figure.
   Widgets (ipywidgets.HTML) put these divs on the page and replace them on a filter change;
   a MutationObserver notices and draws them with the local plotly.js: the cartesian partial
   bundle (bar, scatter, heatmap, pie, box, …) the page loads, or the full plotly.min.js,
   fetched only when a figure has a trace type the partial bundle lacks (e.g. scattergl).

   The first view of a board also arrives as plain HTML in the page (kejifuPrerender, called
   by the template): it is shown at once and its charts drawn as soon as plotly.js is parsed;
   when the live board (widgets) has drawn the same view, the static copy is removed.

   window.kejifuPlots: drawn, errors, firstDrawAt, lastDrawAt, shownAt (every chart of the
   first view on screen), liveAt (the live widgets took over), bundle ("cartesian"/"full"). */
(function () {
  "use strict";
  var FONT = "'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', 'Microsoft YaHei', sans-serif";
  var CONFIG = { displayModeBar: false, responsive: true };
  var PARTIAL_TYPES = { bar: 1, box: 1, contour: 1, heatmap: 1, histogram: 1, histogram2d: 1,
    histogram2dcontour: 1, image: 1, pie: 1, scatter: 1, scatterternary: 1, violin: 1 };
  var K = window.kejifuPlots = { drawn: 0, errors: 0, firstDrawAt: null, lastDrawAt: null,
    shownAt: null, liveAt: null, bundle: "cartesian", full: null };
  var fullWaiters = null;

  function needsFull(spec) {
    var data = spec.data || [];
    for (var i = 0; i < data.length; i++) {
      if (!PARTIAL_TYPES[data[i].type || "scatter"]) { return true; }
    }
    return false;
  }

  function loadFull(done) {
    if (K.full) { done(); return; }
    if (fullWaiters) { fullWaiters.push(done); return; }
    fullWaiters = [done];
    var tag = document.getElementById("kejifu-plotly");
    var s = document.createElement("script");
    s.src = tag ? tag.getAttribute("data-full") : "plotly.min.js";
    s.onload = function () {
      K.full = window.Plotly;
      K.bundle = "full";
      var w = fullWaiters; fullWaiters = null;
      for (var i = 0; i < w.length; i++) { w[i](); }
    };
    document.head.appendChild(s);
  }

  function parse(el) {
    var src = el.querySelector('script[type="application/json"]');
    if (!src) { return null; }
    el.__kejifuSrc = src.textContent;
    try { return JSON.parse(src.textContent); } catch (e) { K.errors++; el.setAttribute("data-drawn", "error"); throw e; }
  }

  /* A live plot identical to one already drawn in the static first view, at the same width:
     move the drawn one into the live board instead of drawing it again. */
  function adopt(el) {
    var pre = document.getElementById("kejifu-prerender");
    if (!pre || pre.contains(el)) { return false; }
    var src = el.querySelector('script[type="application/json"]');
    if (!src) { return false; }
    var done = pre.querySelectorAll('.kejifu-plot[data-drawn="yes"]');
    for (var i = 0; i < done.length; i++) {
      if (done[i].__kejifuSrc === src.textContent && done[i].clientWidth === el.clientWidth) {
        el.parentNode.replaceChild(done[i], el);
        K.adopted = (K.adopted || 0) + 1;
        return true;
      }
    }
    return false;
  }

  function draw(el, spec, P) {
    el.setAttribute("data-drawn", "pending");
    var src = el.querySelector('script[type="application/json"]');
    if (src) { src.parentNode.removeChild(src); }
    var layout = spec.layout || {};
    layout.font = layout.font || {};
    if (!layout.font.family) { layout.font.family = FONT; }
    layout.autosize = true;
    delete layout.width;
    if (!layout.height) { layout.height = el.clientHeight || 420; }
    P.newPlot(el, spec.data || [], layout, CONFIG).then(function () {
      el.setAttribute("data-drawn", "yes");
      K.drawn++;
      K.lastDrawAt = performance.now();
      if (K.firstDrawAt === null) { K.firstDrawAt = K.lastDrawAt; }
      check();
    });
  }

  var queued = false;
  function drawAll() {
    queued = false;
    var els = document.querySelectorAll(".kejifu-plot:not([data-drawn])");
    for (var i = 0; i < els.length; i++) {
      var el = els[i];
      if (adopt(el)) { continue; }
      var spec = parse(el);
      if (!spec) { continue; }
      if (needsFull(spec)) {
        el.setAttribute("data-drawn", "loading");
        loadFull((function (e, s) { return function () { draw(e, s, K.full); }; })(el, spec));
      } else if (window.Plotly) {
        draw(el, spec, window.Plotly);
      }
    }
    check();
  }
  function schedule() {
    if (!queued) { queued = true; window.requestAnimationFrame(drawAll); }
  }

  /* The plots in `root` are all drawn and there are at least `n` of them. */
  function complete(root, n) {
    var all = root.querySelectorAll(".kejifu-plot");
    return all.length >= n && root.querySelectorAll('.kejifu-plot:not([data-drawn="yes"])').length === 0;
  }

  /* Bookkeeping after every change: first view shown? live board ready to replace the static copy? */
  function check() {
    var pre = document.getElementById("kejifu-prerender");
    var boards = document.querySelectorAll("#rendered_cells .kejifu-board");
    if (K.shownAt === null) {
      if (pre && complete(pre, 0)) { K.shownAt = performance.now(); }
      else if (!pre && boards.length && complete(boards[0], 1)) { K.shownAt = performance.now(); }
    }
    if (!pre || !boards.length) { return; }
    var nPlots = +pre.getAttribute("data-plots") || 0;
    var nSections = +pre.getAttribute("data-sections") || 0;
    var board = boards[0];
    if (board.querySelectorAll(".kejifu-section").length >= nSections && complete(board, nPlots)) {
      pre.parentNode.removeChild(pre);
      document.body.classList.remove("kejifu-prerendered");
      K.liveAt = performance.now();
    }
  }

  /* Show a board's first view (a <template> from the page) until the live widgets have drawn it. */
  window.kejifuPrerender = function (tpl) {
    if (!tpl || document.getElementById("kejifu-prerender")) { return; }
    var box = document.createElement("div");
    box.id = "kejifu-prerender";
    box.appendChild(tpl.content.cloneNode(true));
    var inner = box.querySelector(".kejifu-pre");
    if (inner) {
      box.setAttribute("data-plots", box.querySelectorAll(".kejifu-plot").length);
      box.setAttribute("data-sections", inner.getAttribute("data-sections") || "0");
    }
    document.body.insertBefore(box, document.body.firstChild);
    document.body.classList.add("kejifu-prerendered");
    schedule();
  };

  var tag = document.getElementById("kejifu-plotly");  // above this script in <head>
  if (tag) { tag.addEventListener("load", schedule); }
  function start() {
    new MutationObserver(schedule).observe(document.body, { childList: true, subtree: true });
    schedule();
  }
  if (document.body) { start(); } else { document.addEventListener("DOMContentLoaded", start); }
})();

/* Draw every <div class="kejifu-plot"> holding a <script type="application/json"> figure.
   Widgets (ipywidgets.HTML) put these divs on the page and replace them on a filter change;
   a MutationObserver notices and draws them with the one local plotly.min.js. */
(function () {
  "use strict";
  var FONT = "'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', 'Microsoft YaHei', sans-serif";
  var CONFIG = { displayModeBar: false, responsive: true };
  window.kejifuPlots = { drawn: 0, errors: 0, firstDrawAt: null, lastDrawAt: null };

  function draw(el) {
    var src = el.querySelector('script[type="application/json"]');
    if (!src) { return; }
    el.setAttribute("data-drawn", "pending");
    var spec;
    try { spec = JSON.parse(src.textContent); } catch (e) { window.kejifuPlots.errors++; throw e; }
    src.parentNode.removeChild(src);
    var layout = spec.layout || {};
    layout.font = layout.font || {};
    if (!layout.font.family) { layout.font.family = FONT; }
    layout.autosize = true;
    delete layout.width;
    if (!layout.height) { layout.height = el.clientHeight || 420; }
    window.Plotly.newPlot(el, spec.data || [], layout, CONFIG).then(function () {
      el.setAttribute("data-drawn", "yes");
      var k = window.kejifuPlots;
      k.drawn++;
      k.lastDrawAt = performance.now();
      if (k.firstDrawAt === null) { k.firstDrawAt = k.lastDrawAt; }
    });
  }

  var queued = false;
  function drawAll() {
    queued = false;
    if (!window.Plotly) { return; }
    var els = document.querySelectorAll(".kejifu-plot:not([data-drawn])");
    for (var i = 0; i < els.length; i++) { draw(els[i]); }
  }
  function schedule() {
    if (!queued) { queued = true; window.requestAnimationFrame(drawAll); }
  }
  function start() {
    new MutationObserver(schedule).observe(document.body, { childList: true, subtree: true });
    var tag = document.getElementById("kejifu-plotly");
    if (tag) { tag.addEventListener("load", schedule); }
    schedule();
  }
  if (document.body) { start(); } else { document.addEventListener("DOMContentLoaded", start); }
})();

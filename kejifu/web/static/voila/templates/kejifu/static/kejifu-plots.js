/* Draw every <div class="kejifu-plot"> holding a <script type="application/json"> figure.
   Widgets (ipywidgets.HTML) put these divs on the page and replace them on a filter change;
   a MutationObserver notices and draws them with the local plotly.js: the cartesian partial
   bundle (bar, scatter, heatmap, pie, box, …) the page loads, or the full plotly.min.js,
   fetched only when a figure has a trace type the partial bundle lacks (e.g. scattergl).

   The first view of a board also arrives as plain HTML in the page (kejifuPrerender, called
   by the template): it is shown at once and its charts drawn as soon as plotly.js is parsed;
   when the live board (widgets) has drawn the same view, the static copy is removed.

   Before drawing, a figure is fitted to the width of its box (fit): a title too long for the
   box is wrapped; on a narrow box (a phone, < NARROW px) the legend goes below the chart, the
   fonts and margins shrink and long category labels are wrapped or shortened to two lines
   (the full name stays in the hover label and the tick's tooltip). When the width changes
   enough (a phone turned sideways), drawn figures are fitted and drawn again.

   window.kejifuPlots: drawn, errors, firstDrawAt, lastDrawAt, shownAt (every chart of the
   first view on screen), liveAt (the live widgets took over), bundle ("cartesian"/"full"),
   fit (the fitting function, for tests). */
(function () {
  "use strict";
  var FONT = "'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', 'Microsoft YaHei', sans-serif";
  var CONFIG = { displayModeBar: false, responsive: true };
  var PARTIAL_TYPES = { bar: 1, box: 1, contour: 1, heatmap: 1, histogram: 1, histogram2d: 1,
    histogram2dcontour: 1, image: 1, pie: 1, scatter: 1, scatterternary: 1, violin: 1 };
  var K = window.kejifuPlots = { drawn: 0, errors: 0, firstDrawAt: null, lastDrawAt: null,
    shownAt: null, liveAt: null, bundle: "cartesian", full: null };
  var fullWaiters = null;
  /* A plot narrower than this [px] gets the phone layout. */
  var NARROW = 600;
  /* Font sizes [px] on a narrow plot: text, title, axis ticks. */
  var SMALL = { font: 12, title: 14, tick: 11 };

  /* ----- fitting a figure to its box --------------------------------------------------------- */

  var measureCtx = null;
  /* Width [px] of `text` in the dashboards' font at `size` [px]. */
  function textWidth(text, size) {
    if (!measureCtx) { measureCtx = document.createElement("canvas").getContext("2d"); }
    measureCtx.font = size + "px " + FONT;
    return measureCtx.measureText(text).width;
  }

  var decoder = null;
  function decode(entity) {
    decoder = decoder || document.createElement("textarea");
    decoder.innerHTML = entity;
    return decoder.value;
  }

  /* The pieces a label may be broken between: a CJK character, a run of other letters and
     HTML entities (a word; an entity is never cut), a space. Tags are dropped and a <br> is
     undone (between two CJK characters it vanishes, elsewhere it becomes a space): the label is
     laid out again. */
  function tokens(label) {
    var text = String(label)
      .replace(/([\u2e80-\u9fff\uff00-\uffef\u3000-\u303f])<br\s*\/?>(?=[\u2e80-\u9fff\uff00-\uffef\u3000-\u303f])/gi, "$1")
      .replace(/<br\s*\/?>/gi, " ").replace(/<[^>]*>/g, "");
    // a number with its 年/月/日 (「2005年」「6月」 stay whole) | a CJK character | spaces | a word:
    // letters and entities (「R&amp;D」 stays whole), up to and with a hyphen (「County-」「level-」:
    // a line may break after it) | a lone & or -
    var re = /\d[\d.,]*[年月日]|[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]|\s+|(?:&#?\w+;|[^\s&\-\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f])+-?|[&\-]/g;
    var out = [], m;
    while ((m = re.exec(text)) !== null) {
      var tk = m[0];
      var shown = tk.length > 1 && tk.indexOf("&") >= 0 ? decode(tk) : tk;
      out.push({ html: tk, text: shown, space: /^\s+$/.test(tk) });
    }
    return out;
  }

  /* `label` laid out in lines at most `maxPx` wide at `size` [px], at most `maxLines` of them;
     what does not fit ends in "…". Returns { html, lines, cut }. */
  function wrapLabel(label, maxPx, size, maxLines) {
    var w = layLabel(label, maxPx, size, maxLines);
    if (w.cut || w.lines < 2) { return w; }
    // lines of even length (「省级高新技术企业产<br>值」 → 「省级高新技术<br>企业产值」)
    var total = tokens(label).reduce(function (a, t) { return a + textWidth(t.text, size); }, 0);
    for (var px = Math.ceil(total / w.lines); px < maxPx; px += Math.max(2, size / 2)) {
      var even = layLabel(label, px, size, maxLines);
      if (!even.cut && even.lines === w.lines) { return even; }
    }
    return w;
  }

  function layLabel(label, maxPx, size, maxLines) {
    var toks = tokens(label);
    var lines = [], line = [], width = 0, cut = false;
    function push() {
      while (line.length && line[line.length - 1].space) { line.pop(); }
      lines.push(line); line = []; width = 0;
    }
    for (var i = 0; i < toks.length; i++) {
      var tk = toks[i];
      if (tk.space && !line.length) { continue; }
      var w = textWidth(tk.text, size);
      if (w > maxPx && !tk.space && tk.text.length > 1) {  // a word longer than a line: by letters
        var letters = tk.text.split("");
        toks.splice.apply(toks, [i, 1].concat(letters.map(function (c) {
          return { html: c.replace(/&/g, "&amp;").replace(/</g, "&lt;"), text: c, space: false };
        })));
        i--; continue;
      }
      if (width + w > maxPx && line.length) { push(); if (tk.space) { continue; } }
      line.push(tk); width += w;
    }
    if (line.length) { push(); }
    if (lines.length > maxLines) {
      cut = true;
      lines = lines.slice(0, maxLines);
      var last = lines[maxLines - 1], ell = textWidth("…", size);
      var lw = last.reduce(function (a, t) { return a + textWidth(t.text, size); }, 0);
      while (last.length && lw + ell > maxPx) { lw -= textWidth(last.pop().text, size); }
      while (last.length && last[last.length - 1].space) { last.pop(); }
      last.push({ html: "…", text: "…" });
    }
    return {
      html: lines.map(function (l) { return l.map(function (t) { return t.html; }).join(""); }).join("<br>"),
      lines: Math.max(1, lines.length),
      cut: cut
    };
  }

  /* The axes of a layout ("xaxis", "yaxis", "xaxis2", …), including those only traces name. */
  function axisNames(spec) {
    var names = {}, layout = spec.layout;
    Object.keys(layout).forEach(function (k) { if (/^[xy]axis\d*$/.test(k)) { names[k] = 1; } });
    (spec.data || []).forEach(function (tr) {
      if (tr.type === "pie") { return; }  // no axes
      names["xaxis" + (tr.xaxis || "x").slice(1)] = 1;
      names["yaxis" + (tr.yaxis || "y").slice(1)] = 1;
    });
    return Object.keys(names);
  }

  var DATE_LIKE = /^\d{4}-\d{2}/;
  /* The category values an axis shows: its own tick texts, or the string values of its traces
     (not numbers, not dates). Returns { vals, texts } or null. */
  function categories(spec, name, ax) {
    if (Array.isArray(ax.ticktext) && Array.isArray(ax.tickvals) && ax.ticktext.length === ax.tickvals.length) {
      return { vals: ax.tickvals, texts: ax.ticktext };
    }
    if (ax.type && ax.type !== "category") { return null; }
    var letter = name.charAt(0), id = letter + name.slice(5), seen = {}, vals = [];
    (spec.data || []).forEach(function (tr) {
      if ((tr[letter + "axis"] || letter) !== id) { return; }
      var values = tr[letter];
      if (!Array.isArray(values)) { return; }
      values.forEach(function (v) {
        if (typeof v === "string" && !DATE_LIKE.test(v) && isNaN(+v) && !seen[v]) { seen[v] = 1; vals.push(v); }
      });
    });
    return vals.length ? { vals: vals, texts: vals.slice() } : null;
  }

  /* A label's text as the SVG shows it (its lines run together, entities decoded). */
  function shownText(html) {
    return tokens(String(html).replace(/<br\s*\/?>/gi, "\u0000")).map(function (t) {
      return t.text;
    }).join("").replace(/\u0000/g, "");
  }

  /* Every shortened tick label of a drawn plot gets the full name as its tooltip (<title>);
     plotly redraws ticks on every relayout, so this runs after each. */
  function tooltips(el) {
    var full = el.__kejifuFull;
    if (!full) { return; }
    var ticks = el.querySelectorAll("g.xtick > text, g.ytick > text, g[class$='tick'] > text");
    for (var i = 0; i < ticks.length; i++) {
      var name = full[ticks[i].textContent];
      if (name && !ticks[i].querySelector("title")) {
        var tip = document.createElementNS("http://www.w3.org/2000/svg", "title");
        tip.textContent = name;
        ticks[i].appendChild(tip);
        ticks[i].style.pointerEvents = "all";
      }
    }
  }

  function hasLegend(spec) {
    if (spec.layout.showlegend === false) { return false; }
    var data = spec.data || [];
    if (data.some(function (tr) { return tr.showlegend === true; })) { return true; }
    var shown = data.filter(function (tr) { return tr.showlegend !== false && tr.name; });
    return spec.layout.showlegend === true ? shown.length > 0 : shown.length > 1;
  }

  /* After drawing: text written outside the plot (a bar's or a line end's label) that the box
     cuts off at the left or right gets the margin it needs (at most three tries: the plot area
     shrinks, and the text moves with it). */
  function unclip(el, P) {
    var svg = el.querySelector(".main-svg");
    if (!svg || (el.__kejifuUnclipped || 0) >= 3) { return null; }
    var box = svg.getBoundingClientRect(), over = { l: 0, r: 0 };
    var texts = el.querySelectorAll(".textpoint text, text.bartext, .annotation-text, .annotation text");
    for (var i = 0; i < texts.length; i++) {
      var r = texts[i].getBoundingClientRect();
      if (!r.width) { continue; }
      over.r = Math.max(over.r, r.right - box.right);
      over.l = Math.max(over.l, box.left - r.left);
    }
    if (over.r < 1 && over.l < 1) { return null; }
    el.__kejifuUnclipped = (el.__kejifuUnclipped || 0) + 1;
    var m = el._fullLayout.margin, upd = {};
    if (over.r >= 1) { upd["margin.r"] = m.r + Math.ceil(over.r) + 6; }
    if (over.l >= 1) { upd["margin.l"] = m.l + Math.ceil(over.l) + 6; }
    return P.relayout(el, upd).then(function () { return unclip(el, P); });
  }

  /* `spec` fitted to a box `width` [px] wide (changes spec.layout in place; returns it). */
  function fit(spec, width) {
    var layout = spec.layout = spec.layout || {};
    var narrow = width < NARROW;
    var font = layout.font = layout.font || {};
    if (!font.family) { font.family = FONT; }
    var base = (layout.template && layout.template.layout) || {};  // the chart template's defaults
    var margin = layout.margin = layout.margin || {};
    function side(k, dflt) {
      if (margin[k] !== undefined) { return margin[k]; }
      return base.margin && base.margin[k] !== undefined ? base.margin[k] : dflt;
    }
    var mt = side("t", 100);
    var fontSize = font.size || (base.font && base.font.size) || 12;
    if (narrow) {
      fontSize = font.size = Math.min(fontSize, SMALL.font);
      margin.l = Math.min(side("l", 80), 6);
      margin.r = Math.min(side("r", 80), 6);
    }
    var topLines = 0;  // lines of tick labels above the plot
    var full = spec.kejifuFull = {};  // a shortened tick label as shown -> the full name
    axisNames(spec).forEach(function (name) {
      var ax = layout[name] = layout[name] || {};
      if (narrow) {
        ax.tickfont = ax.tickfont || {};
        ax.tickfont.size = Math.min(ax.tickfont.size || fontSize, SMALL.tick);
      }
      var cats = categories(spec, name, ax);
      if (!cats) { return; }
      var size = (ax.tickfont && ax.tickfont.size) || fontSize;
      var isX = name.charAt(0) === "x";
      // an x label has its column's width; too narrow a column: plotly turns the labels upright
      var across = isX ? (width - 20) / Math.max(1, cats.vals.length) - 6 : 0;
      if (isX && across < 3 * size) { return; }
      var maxPx = isX ? Math.min(across, Math.max(width * 0.3, 6 * size)) : Math.max(60, width * (narrow ? 0.3 : 0.34));
      var maxLines = isX ? 3 : 2;
      var changed = false;
      var texts = cats.texts.map(function (txt) {
        var w = wrapLabel(txt, maxPx, size, maxLines);
        var plain = tokens(txt).map(function (t) { return t.text; }).join("");
        if (textWidth(plain, size) <= maxPx && String(txt).indexOf("<br") < 0) { return txt; }
        if (!narrow && !w.cut && String(txt).indexOf("<br") >= 0) { return txt; }  // wrapped already
        changed = true;
        if (w.cut) { full[shownText(w.html)] = plain; }
        return w.html;
      });
      if (changed) {
        ax.tickmode = "array";
        ax.tickvals = cats.vals;
        ax.ticktext = texts;
        ax.automargin = true;
        if (isX && ax.tickangle === undefined) { ax.tickangle = 0; }
      }
      if (isX && ax.side === "top") {
        topLines = Math.max(topLines, (changed ? texts : cats.texts).reduce(function (a, t) {
          return Math.max(a, String(t).split(/<br\s*\/?>/i).length);
        }, 1));
      }
    });
    var title = layout.title;
    if (typeof title === "string") { title = layout.title = { text: title }; }
    if (title && title.text) {
      var baseTitle = base.title || {};
      title.font = title.font || {};
      var tsize = title.font.size || (baseTitle.font && baseTitle.font.size) || 17;
      if (narrow) { tsize = title.font.size = Math.min(tsize, SMALL.title); }
      var tw = wrapLabel(title.text, width - 24, tsize, 3);
      if (tw.lines > 1 || tw.cut) { title.text = tw.html; }
      var pad = ((title.pad || baseTitle.pad || {}).t) || 0;
      if (narrow) {  // the legend is below: the title and any labels above the plot
        margin.t = pad + tw.lines * tsize * 1.3 + 8 + topLines * SMALL.tick * 1.35;
      } else if (tw.lines > 1) {
        margin.t = mt + (tw.lines - 1) * tsize * 1.3;
      }
    } else if (narrow) {
      margin.t = Math.min(mt, 10 + topLines * SMALL.tick * 1.35);
    }
    if (narrow && hasLegend(spec)) {
      var legend = layout.legend = layout.legend || {};
      legend.orientation = "h";
      legend.x = 0; legend.xanchor = "left"; legend.xref = "paper";
      legend.y = 0; legend.yanchor = "bottom"; legend.yref = "container";
      legend.font = legend.font || {};
      legend.font.size = SMALL.tick;
      margin.b = Math.min(side("b", 80), 10);
    }
    return spec;
  }
  K.fit = fit;

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
    var width = el.clientWidth || 600;
    el.__kejifuWidth = width;
    var layout = fit(spec, width).layout;
    layout.autosize = true;
    delete layout.width;
    if (!layout.height) { layout.height = el.clientHeight || 420; }
    el.__kejifuFull = spec.kejifuFull;
    P.newPlot(el, spec.data || [], layout, CONFIG).then(function () {
      if (el.on) { el.on("plotly_afterplot", function () { tooltips(el); }); }
      tooltips(el);
      return unclip(el, P);
    }).then(function () {
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

  /* A phone turned sideways, a window made narrower: a drawn figure whose box changed width by
     more than REFIT px, or crossed NARROW, is fitted again from its JSON and redrawn. */
  var REFIT = 40;
  var refitTimer = null;
  function refit() {
    refitTimer = null;
    var els = document.querySelectorAll('.kejifu-plot[data-drawn="yes"]');
    for (var i = 0; i < els.length; i++) {
      var el = els[i], w = el.clientWidth, was = el.__kejifuWidth;
      if (!el.__kejifuSrc || !w || !was) { continue; }
      if (Math.abs(w - was) <= REFIT && (w < NARROW) === (was < NARROW)) { continue; }
      var spec = JSON.parse(el.__kejifuSrc);
      var P = needsFull(spec) ? K.full : window.Plotly;
      if (!P) { continue; }
      el.__kejifuWidth = w;
      el.__kejifuUnclipped = 0;
      var layout = fit(spec, w).layout;
      el.__kejifuFull = spec.kejifuFull;
      layout.autosize = true;
      delete layout.width;
      if (!layout.height) { layout.height = el.clientHeight || 420; }
      P.react(el, spec.data || [], layout, CONFIG).then((function (e, p) {
        return function () { return unclip(e, p); };
      })(el, P));
    }
  }
  window.addEventListener("resize", function () {
    if (refitTimer) { clearTimeout(refitTimer); }
    refitTimer = setTimeout(refit, 250);
  });

  var tag = document.getElementById("kejifu-plotly");  // above this script in <head>
  if (tag) { tag.addEventListener("load", schedule); }
  function start() {
    new MutationObserver(schedule).observe(document.body, { childList: true, subtree: true });
    schedule();
  }
  if (document.body) { start(); } else { document.addEventListener("DOMContentLoaded", start); }
})();

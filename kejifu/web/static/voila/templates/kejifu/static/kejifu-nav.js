/* kejifu: the navigation bar's language switch, on the front page and on every board.
   The choice is kept in localStorage ("kejifu.lang") so it carries from page to page:
   - <html data-kejifu-lang="zh|en"> shows the matching half of bilingual text (kejifu-nav.css);
   - on a board, the board's own 中文/English toggle (.kejifu-lang, a widget) is clicked to
     match once it is live, and clicking that toggle updates the choice;
   - the link to the current page is marked aria-current="page".
   Loaded in <head> (no defer) so the page is painted in the chosen language. */
(function () {
  "use strict";
  var KEY = "kejifu.lang";
  var WORD = { zh: "中文", en: "English" };
  function stored() {
    try { return localStorage.getItem(KEY) === "en" ? "en" : "zh"; } catch (e) { return "zh"; }
  }
  var lang = stored();
  var root = document.documentElement;
  root.setAttribute("data-kejifu-lang", lang);

  function boardToggle() {
    var box = document.querySelector("#rendered_cells .kejifu-lang") || document.querySelector(".kejifu-lang");
    return box ? box.querySelectorAll("button") : [];
  }
  /* Click the board's language button for `lang` unless it is already the active one. */
  function syncBoard() {
    var buttons = boardToggle();
    for (var i = 0; i < buttons.length; i++) {
      var b = buttons[i];
      if (b.textContent.trim() === WORD[lang] && !b.classList.contains("mod-active")) { b.click(); }
    }
    return buttons.length > 0;
  }
  function mark() {
    var set = document.querySelectorAll("[data-kejifu-set-lang]");
    for (var i = 0; i < set.length; i++) {
      set[i].setAttribute("aria-pressed", set[i].getAttribute("data-kejifu-set-lang") === lang ? "true" : "false");
    }
  }
  function choose(l, fromBoard) {
    lang = l === "en" ? "en" : "zh";
    try { localStorage.setItem(KEY, lang); } catch (e) { /* private mode: this page only */ }
    root.setAttribute("data-kejifu-lang", lang);
    root.setAttribute("lang", lang);
    mark();
    if (!fromBoard) { syncBoard(); }
  }
  window.kejifuNav = { lang: function () { return lang; }, choose: choose };

  document.addEventListener("click", function (e) {
    var t = e.target && e.target.closest ? e.target : null;
    if (!t) { return; }
    var set = t.closest("[data-kejifu-set-lang]");
    if (set) { choose(set.getAttribute("data-kejifu-set-lang"), false); return; }
    var btn = t.closest(".kejifu-lang button");
    if (btn && e.isTrusted) {
      var word = btn.textContent.trim();
      choose(word === WORD.en ? "en" : "zh", true);
    }
  }, true);

  function start() {
    var nav = document.querySelector(".kejifu-nav");
    if (nav) {
      root.style.setProperty("--kejifu-nav-h", nav.offsetHeight + "px");
      var page = "home", path = decodeURIComponent(location.pathname);
      var links = nav.querySelectorAll("a[data-kejifu-page]");
      for (var i = 0; i < links.length; i++) {
        var href = decodeURIComponent(links[i].pathname || "");
        if (href === path) { links[i].setAttribute("aria-current", "page"); page = links[i].getAttribute("data-kejifu-page"); }
      }
      root.setAttribute("data-kejifu-page", page);
    }
    root.setAttribute("lang", lang);
    mark();
    if (lang !== "zh" && !syncBoard()) {
      /* a board's widgets arrive later: click its toggle once it is live */
      var obs = new MutationObserver(function () {
        if (document.querySelector("#rendered_cells .kejifu-lang button")) { obs.disconnect(); syncBoard(); }
      });
      obs.observe(document.body, { childList: true, subtree: true });
    }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();

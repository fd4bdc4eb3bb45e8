/* The site's small script (deferred, no dependencies): theme toggle and keyboard; init.js does times. */
(function () {
  var root = document.documentElement;

  /* Theme toggle: remembers the choice in localStorage; without a choice the page follows the system. */
  var key = "feedstation-theme";
  function stored() {
    try { return localStorage.getItem(key); } catch (e) { return null; }
  }
  var button = document.getElementById("theme-toggle");
  if (button) {
    button.setAttribute("aria-pressed", String(root.getAttribute("data-theme") === "dark"));
    button.addEventListener("click", function () {
      var next = root.getAttribute("data-theme") === "dark" ? "light" : "dark";
      root.setAttribute("data-theme", next);
      button.setAttribute("aria-pressed", String(next === "dark"));
      try { localStorage.setItem(key, next); } catch (e) { /* private mode: the toggle still works for this page */ }
    });
  }
  if (window.matchMedia) {
    var query = window.matchMedia("(prefers-color-scheme: dark)");
    var follow = function (event) {
      if (!stored()) { root.setAttribute("data-theme", event.matches ? "dark" : "light"); }
    };
    if (query.addEventListener) { query.addEventListener("change", follow); }
  }

  /* Keyboard: j / k move between items, o or Enter opens the focused one, / focuses search. */
  var items = Array.prototype.slice.call(document.querySelectorAll("[data-nav-item]"));
  function linkOf(item) { return item.querySelector("h2 a, a"); }
  function currentIndex() {
    var active = document.activeElement;
    for (var i = 0; i < items.length; i++) { if (items[i].contains(active)) { return i; } }
    return -1;
  }
  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) { return; }
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) { return; }
    if (event.key === "/") {
      var box = document.querySelector("#search input") || document.querySelector(".search-form input");
      if (box) { event.preventDefault(); box.focus(); }
      return;
    }
    if ((event.key === "j" || event.key === "k") && items.length) {
      var index = currentIndex();
      index = event.key === "j" ? Math.min(items.length - 1, index + 1) : Math.max(0, index - 1);
      var link = linkOf(items[index]);
      if (link) {
        event.preventDefault();
        link.focus();
        link.scrollIntoView({ block: "nearest" });
      }
      return;
    }
    if (event.key === "o") {
      var i = currentIndex();
      var open = i >= 0 ? linkOf(items[i]) : null;
      if (open) { event.preventDefault(); open.click(); }
    }
  });
})();

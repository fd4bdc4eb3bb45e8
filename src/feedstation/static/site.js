/* Theme toggle: remembers the choice in localStorage; without a choice the page follows the system setting. */
(function () {
  var root = document.documentElement;
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
})();

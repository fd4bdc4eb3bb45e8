/* Runs before first paint (blocking, in <head>): apply the remembered theme so dark mode never flashes. */
(function () {
  var stored = null;
  try { stored = localStorage.getItem("feedstation-theme"); } catch (e) { /* storage blocked: follow the system */ }
  var dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  document.documentElement.setAttribute("data-theme", stored === "dark" || stored === "light" ? stored : (dark ? "dark" : "light"));
})();

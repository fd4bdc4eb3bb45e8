/* Mounts Pagefind's bundled UI (served from /pagefind/, never a CDN) and runs the ?q= query from the header box. */
(function () {
  var element = document.getElementById("search");
  if (!element || typeof PagefindUI === "undefined") { return; }
  var ui = new PagefindUI({
    element: "#search",
    bundlePath: element.getAttribute("data-bundle"),
    showImages: false,
    showSubResults: false,
    resetStyles: false,
    translations: { placeholder: element.getAttribute("data-placeholder") || "" }
  });
  var query = new URLSearchParams(window.location.search).get("q");
  if (query) { ui.triggerSearch(query); }
})();

/* Mounts Pagefind's bundled UI (served from /pagefind/, never a CDN) over every monthly index shard
   listed in /pagefind/shards.js (Pagefind multisite: the newest is the primary, the rest are merged),
   and runs the ?q= query from the header box. */
(function () {
  var element = document.getElementById("search");
  var shards = window.feedstationSearchShards || [];
  if (!element || typeof PagefindUI === "undefined" || !shards.length) { return; }
  var ui = new PagefindUI({
    element: "#search",
    bundlePath: shards[0],
    mergeIndex: shards.slice(1).map(function (path) { return { bundlePath: path }; }),
    // Result URLs are root-relative to the site; on a sub-path (GitHub project pages) prefix it.
    baseUrl: element.getAttribute("data-base-url") || "/",
    // Thumbnails from each item's og:image; filters (category, site, channel) come from the index.
    showImages: true,
    showSubResults: false,
    resetStyles: false,
    translations: { placeholder: element.getAttribute("data-placeholder") || "" }
  });
  var query = new URLSearchParams(window.location.search).get("q");
  if (query) { ui.triggerSearch(query); }
})();

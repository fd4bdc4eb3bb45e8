/* Runs before first paint (blocking, in <head>): the remembered theme, so dark mode never flashes, and
   times as people read them, filled in as the parser inserts each <time>. */
(function () {
  var root = document.documentElement;

  var stored = null;
  try { stored = localStorage.getItem("feedstation-theme"); } catch (e) { /* storage blocked: follow the system */ }
  var dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  document.documentElement.setAttribute("data-theme", stored === "dark" || stored === "light" ? stored : (dark ? "dark" : "light"));

  /* Relative times ("3 小时前", "昨天 14:00") in the site's time zone. Pages are built once and
     served for hours, so the build writes absolute times (kept as the hover title) and the
     reader's clock turns them into relative ones here. */
  var zone = root.getAttribute("data-tz") || undefined;
  var zh = /^zh/i.test(root.getAttribute("lang") || "");
  var words = zh
    ? { now: "刚刚", min: "{n} 分钟前", hour: "{n} 小时前", inMin: "{n} 分钟后", inHour: "{n} 小时后",
        today: "今天", yesterday: "昨天", tomorrow: "明天" }
    : { now: "just now", min: "{n} min ago", hour: "{n} h ago", inMin: "in {n} min", inHour: "in {n} h",
        today: "Today", yesterday: "Yesterday", tomorrow: "Tomorrow" };
  var parts;
  try {
    parts = new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit",
                                               hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  } catch (e) {
    parts = new Intl.DateTimeFormat("en-CA", { year: "numeric", month: "2-digit", day: "2-digit",
                                               hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  }
  function local(date) {  /* {day: "2022-01-20", time: "14:00", year, month, dom} in the site's zone */
    var p = {};
    parts.formatToParts(date).forEach(function (x) { p[x.type] = x.value; });
    return { day: p.year + "-" + p.month + "-" + p.day, time: p.hour + ":" + p.minute, year: p.year,
             month: +p.month, dom: +p.day };
  }
  function dayOffset(day, today) {  /* whole days from `today` to `day`, both "YYYY-MM-DD" */
    return Math.round((Date.parse(day + "T00:00:00Z") - Date.parse(today + "T00:00:00Z")) / 86400000);
  }
  function fill(text, n) { return text.replace("{n}", n); }
  function relative(date, now) {
    var seconds = (now - date) / 1000;
    var then = local(date), today = local(now);
    var offset = dayOffset(then.day, today.day);
    if (seconds >= 0 && seconds < 60) { return words.now; }
    if (seconds >= 0 && seconds < 3600) { return fill(words.min, Math.floor(seconds / 60)); }
    if (seconds < 0 && seconds > -3600) { return fill(words.inMin, Math.max(1, Math.ceil(-seconds / 60))); }
    if (offset === 0) { return fill(seconds >= 0 ? words.hour : words.inHour, Math.floor(Math.abs(seconds) / 3600)); }
    if (offset === -1) { return words.yesterday + " " + then.time; }
    if (offset === 1) { return words.tomorrow + " " + then.time; }
    if (then.year === today.year) {
      return (zh ? then.month + "月" + then.dom + "日 " : then.day.slice(5) + " ") + then.time;
    }
    return then.day;
  }
  var now = new Date();
  function convert(el) {
    if (el.hasAttribute("data-rel")) { return; }
    el.setAttribute("data-rel", "");
    var value = el.getAttribute("datetime");
    if (el.hasAttribute("data-day")) {  /* a day heading: 今天 / 昨天, else the date it shows */
      var offset = dayOffset(value, local(now).day);
      if (offset === 0) { el.textContent = words.today; } else if (offset === -1) { el.textContent = words.yesterday; }
      return;
    }
    var date = new Date(value);
    if (isNaN(date.getTime())) { return; }
    if (!el.title) { el.title = el.textContent; }
    el.textContent = relative(date, now);
  }
  /* Convert each <time> as soon as the parser has finished it, before the first paint: changing
     the text after it was painted would shift the layout (Lighthouse's CLS) when a line gets
     shorter. A <time> is finished once any node follows it in document order. */
  function finished(node) {
    for (; node && node !== root; node = node.parentNode) { if (node.nextSibling) { return true; } }
    return false;
  }
  /* Counts come from counts.js (items per section, by its link), so a new item changes no page: nav and
     chip links get a span made here (pages do not carry an empty one per link), and a heading's
     <span data-count-of=LINK data-unit=…> is filled in. */
  var counts = window.feedstationCounts || {};
  function count(el) {
    el.setAttribute("data-count", "");
    var of = el.getAttribute("data-count-of");
    var n = counts[of === null ? el.getAttribute("href") : of];
    if (n === undefined) { return; }
    if (of !== null) { el.textContent = n + " " + (el.getAttribute("data-unit") || ""); return; }
    var span = document.createElement("span");
    span.className = "count";
    span.textContent = String(n);
    el.appendChild(document.createTextNode(" "));
    el.appendChild(span);
  }
  function scan(all) {
    var found = document.querySelectorAll("time[datetime]:not([data-rel])");
    for (var i = 0; i < found.length; i++) { if (all || finished(found[i])) { convert(found[i]); } }
    var links = document.querySelectorAll(".nav-row a:not([data-count]), .chips a:not([data-count]), [data-count-of]:not([data-count])");
    for (var j = 0; j < links.length; j++) { if (all || finished(links[j])) { count(links[j]); } }
  }
  if (window.MutationObserver) {
    var observer = new MutationObserver(function () { scan(false); });
    observer.observe(root, { childList: true, subtree: true });
    document.addEventListener("DOMContentLoaded", function () { observer.disconnect(); scan(true); });
  } else {
    document.addEventListener("DOMContentLoaded", function () { scan(true); });
  }
})();

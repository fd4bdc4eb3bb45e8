/* The site's small script (deferred, no dependencies): theme toggle, times as people read them, keyboard. */
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
  Array.prototype.forEach.call(document.querySelectorAll("time[datetime]"), function (el) {
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
  });

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

/* Fill the visitor statistics widget and the "most read" list from /thong-ke.json.
   Without this script the widget shows only its link to the statistics page. */
(function () {
  "use strict";
  if (window.tdVisitorStatsLoaded || !window.fetch || !document.querySelector) return;
  window.tdVisitorStatsLoaded = true;

  var widgets = document.querySelectorAll("[data-td-visitor-stats]");
  var lists = document.querySelectorAll("[data-td-most-read]");
  if (!widgets.length && !lists.length) return;
  var src = (widgets[0] || lists[0]).getAttribute("data-src") || "/thong-ke.json";

  function number(value) {
    var n = Math.max(0, Math.floor(Number(value) || 0));
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ".");
  }

  function when(iso) {
    // "2026-11-23T20:15:03+07:00" -> "20:15 23/11/2026" (already Việt Nam time)
    var m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(String(iso));
    return m ? m[4] + ":" + m[5] + " " + m[3] + "/" + m[2] + "/" + m[1] : "";
  }

  function set(root, name, text) {
    var el = root.querySelector('[data-td-stat="' + name + '"]');
    if (el) el.textContent = text;
    return el;
  }

  function fillWidget(root, data) {
    set(root, "total", number(data.totals && data.totals.pageviews));
    set(root, "today", number(data.today && data.today.pageviews));
    set(root, "online", number(data.last_15_minutes && data.last_15_minutes.visitors));
    var list = root.querySelector(".td-visitor-stats__list");
    if (list) list.hidden = false;
    // The page ships an empty slot (an empty <time> would be invalid HTML); the script
    // puts a real <time datetime> in it once the snapshot says when it was taken.
    var slot = root.querySelector('[data-td-stat="updated"]');
    if (slot && data.updated_at) {
      var time = document.createElement("time");
      time.setAttribute("datetime", String(data.updated_at));
      time.textContent = when(data.updated_at);
      slot.textContent = "";
      slot.appendChild(time);
      slot.parentNode.hidden = false;
    }
  }

  function fillList(root, data) {
    var items = Array.isArray(data.most_read) ? data.most_read : [];
    var ol = root.querySelector(".td-visitor-stats__articles");
    if (!ol || !items.length) return;
    var base = root.getAttribute("data-base") || "";
    var suffix = root.getAttribute("data-views-suffix") || "";
    ol.textContent = "";
    items.forEach(function (item) {
      var url = String(item.url || "");
      if (!/^\/tin-tuc\/[a-z0-9]+(?:-[a-z0-9]+)*\/$/.test(url)) return;
      var li = document.createElement("li");
      li.className = "td-visitor-stats__article";
      var a = document.createElement("a");
      a.className = "td-visitor-stats__article-link";
      a.href = base + url;
      a.textContent = item.title ? String(item.title) : url;
      li.appendChild(a);
      var views = document.createElement("span");
      views.className = "td-visitor-stats__article-views";
      views.textContent = " (" + number(item.pageviews) + (suffix ? " " + suffix : "") + ")";
      li.appendChild(views);
      ol.appendChild(li);
    });
    if (ol.children.length) root.hidden = false;
  }

  fetch(src, { credentials: "omit" })
    .then(function (response) {
      return response.ok ? response.json() : null;
    })
    .then(function (data) {
      if (!data || !data.updated_at) return;
      Array.prototype.forEach.call(widgets, function (w) { fillWidget(w, data); });
      Array.prototype.forEach.call(lists, function (l) { fillList(l, data); });
    })
    .catch(function () { /* offline or no statistics yet: keep the link only */ });
})();

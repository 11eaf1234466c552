/* Site search with Pagefind. Loaded on every page (deferred, ~3 KB); Pagefind itself is only
   fetched on the search page, or once the header search box gets focus (to warm the cache). */
(function () {
  "use strict";
  var script = document.currentScript;
  var bundle = script && script.getAttribute("data-pagefind");
  var root = document.getElementById("td-search");
  var pagefind = null;

  function loadPagefind() {
    if (!pagefind) {
      pagefind = import(bundle).then(function (module) {
        return module.options({ excerptLength: 24 }).then(function () { return module; });
      });
    }
    return pagefind;
  }

  if (!root) {
    var box = document.getElementById("td-search-input");
    if (box && bundle) {
      box.addEventListener("focus", function () { loadPagefind().catch(function () {}); }, { once: true });
    }
    return;
  }

  var strings = JSON.parse(root.getAttribute("data-strings") || "{}");
  var form = root.querySelector(".td-search__form");
  var input = document.getElementById("td-search-query");
  var status = document.getElementById("td-search-status");
  var list = document.getElementById("td-search-results");
  var more = document.getElementById("td-search-more");
  var selects = Array.prototype.slice.call(root.querySelectorAll("select[data-filter]"));
  var PAGE = 10;
  var current = [];
  var shown = 0;
  var run = 0;

  function say(template, values) {
    return String(template || "").replace(/\{(\w+)\}/g, function (_, key) { return values[key]; });
  }

  function params() {
    return new URLSearchParams(window.location.search);
  }

  function normalise(query) {
    // NFC so that decomposed input (NFD) gets the same exact-diacritic bonus as composed input.
    return query.normalize("NFC").replace(/\s+/g, " ").trim();
  }

  function chosenFilters() {
    var filters = {};
    selects.forEach(function (select) {
      if (select.value) filters[select.getAttribute("data-filter")] = select.value;
    });
    return filters;
  }

  function fillFilters(available, wanted) {
    selects.forEach(function (select) {
      var key = select.getAttribute("data-filter");
      var values = Object.keys(available[key] || {}).sort(function (a, b) {
        return key === "year" ? b.localeCompare(a) : a.localeCompare(b, "vi");
      });
      values.forEach(function (value) {
        var option = document.createElement("option");
        option.value = value;
        option.textContent = value;
        select.appendChild(option);
      });
      if (wanted.get(key) && values.indexOf(wanted.get(key)) >= 0) select.value = wanted.get(key);
    });
  }

  // Only text and <mark> survive from Pagefind's excerpt.
  function excerptNodes(html, into) {
    var doc = new DOMParser().parseFromString("<p>" + html + "</p>", "text/html");
    doc.body.firstChild.childNodes.forEach(function (node) {
      if (node.nodeType === 3) {
        into.appendChild(document.createTextNode(node.textContent));
      } else if (node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.className = "td-search__mark";
        mark.textContent = node.textContent;
        into.appendChild(mark);
      } else {
        into.appendChild(document.createTextNode(node.textContent));
      }
    });
  }

  function render(data) {
    var item = document.createElement("li");
    item.className = "td-search__result";
    var heading = document.createElement("h2");
    heading.className = "td-search__result-title";
    var link = document.createElement("a");
    link.href = data.url;
    link.textContent = data.meta.title || data.url;
    heading.appendChild(link);
    item.appendChild(heading);
    var facts = document.createElement("p");
    facts.className = "td-search__result-meta";
    facts.textContent = [data.meta.date, data.meta.locality].filter(Boolean).join(" · ");
    item.appendChild(facts);
    var excerpt = document.createElement("p");
    excerpt.className = "td-search__excerpt";
    excerptNodes(data.excerpt || "", excerpt);
    item.appendChild(excerpt);
    return item;
  }

  function showMore() {
    var batch = current.slice(shown, shown + PAGE);
    var ticket = run;
    return Promise.all(batch.map(function (result) { return result.data(); })).then(function (items) {
      if (ticket !== run) return;
      items.forEach(function (data) { list.appendChild(render(data)); });
      shown += batch.length;
      more.hidden = shown >= current.length;
    });
  }

  function search(module, query) {
    var ticket = ++run;
    list.innerHTML = "";
    list.hidden = true;
    more.hidden = true;
    if (!query) {
      status.textContent = strings.empty_query;
      return Promise.resolve();
    }
    status.textContent = strings.searching;
    return module.search(query, { filters: chosenFilters() }).then(function (response) {
      if (ticket !== run) return;
      current = (response && response.results) || [];
      shown = 0;
      var n = current.length;
      status.textContent = n === 0 ? say(strings.no_results, { q: query })
        : say(n === 1 ? strings.results_one : strings.results_many, { n: n.toLocaleString("vi-VN"), q: query });
      list.hidden = n === 0;
      return showMore();
    });
  }

  function update(module) {
    var query = normalise(input.value);
    var url = new URL(window.location.href);
    url.search = "";
    if (query) url.searchParams.set("q", query);
    selects.forEach(function (select) {
      if (select.value) url.searchParams.set(select.getAttribute("data-filter"), select.value);
    });
    window.history.replaceState(null, "", url);
    return search(module, query);
  }

  function fail() {
    status.textContent = strings.error;
  }

  var wanted = params();
  input.value = wanted.get("q") || "";
  form.hidden = false;
  status.textContent = strings.searching;
  var options = document.getElementById("td-search-options");
  var filtersLoaded = null;

  // The filter values (about 60 KB on a 10,000-article site) load only when the panel opens.
  function loadFilters(module) {
    if (!filtersLoaded) {
      filtersLoaded = module.filters().then(function (available) { fillFilters(available || {}, wanted); });
    }
    return filtersLoaded;
  }

  loadPagefind().then(function (module) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      update(module).catch(fail);
    });
    selects.forEach(function (select) {
      select.addEventListener("change", function () { update(module).catch(fail); });
    });
    more.addEventListener("click", function () {
      var first = shown;
      showMore().then(function () {
        var next = list.children[first];
        if (next) next.querySelector("a").focus();
      });
    });
    options.addEventListener("toggle", function () {
      if (options.open) loadFilters(module).catch(fail);
    });
    var filtered = selects.some(function (select) { return wanted.get(select.getAttribute("data-filter")); });
    if (filtered) {
      options.open = true;
      return loadFilters(module).then(function () { return search(module, normalise(input.value)); });
    }
    return search(module, normalise(input.value));
  }).catch(fail);
})();

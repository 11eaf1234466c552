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
  var offers = document.getElementById("td-search-places");
  var namesLoaded = null;

  // The places and campaigns a query can name (plugins/search/names.py); none if it cannot load.
  function loadNames() {
    if (!namesLoaded) {
      namesLoaded = fetch(bundle.replace(/pagefind\.js$/, "names.json"))
        .then(function (r) { return r.ok ? r.json() : null; })
        .catch(function () { return null; });
    }
    return namesLoaded;
  }
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
    excerptNodes(phraseExcerpt(data.content, phraseShown) || data.excerpt || "", excerpt);
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

  // --- Words, not syllables (see plugins/search/records.py joined_pairs and names.py) ---

  // One character in, one out, so a position in the folded text is a position in the text.
  function foldChar(c) {
    var f = c.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[đĐ]/g, "d").toLowerCase();
    return f.length === 1 ? f : c;
  }

  function fold(text) {
    return Array.from(text, foldChar).join("");
  }

  function words(text) {
    return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) || [];
  }

  // Adjacent syllables as the index holds them: "Đông Hà" → "dônghà".
  function pairs(text) {
    var w = words(text.replace(/[đĐ]/g, "d"));
    var out = [];
    for (var i = 0; i + 1 < w.length; i++) out.push(w[i] + w[i + 1]);
    return out;
  }

  // The places and campaigns the query names, exact diacritics first when the reader typed them.
  function named(names, phrase) {
    if (!names) return [];
    var rest = fold(phrase).replace(/[^\p{L}\p{N}\s]/gu, " ").replace(/\s+/g, " ").trim();
    names.units.some(function (unit) {
      if (rest.indexOf(unit + " ") === 0) { rest = rest.slice(unit.length + 1); return true; }
      return false;
    });
    var found = names.names[rest.replace(/\s/g, "")] || [];
    var typed = words(phrase).join(" ");
    var exact = found.filter(function (e) { return typed.slice(-e[2].length) === e[2].toLowerCase(); });
    return exact.length ? exact : found;
  }

  function ids(response) {
    return ((response && response.results) || []);
  }

  // Results of several searches, best tier first, each page once.
  function tiers(lists) {
    var seen = {};
    var out = [];
    lists.forEach(function (list) {
      list.forEach(function (r) { if (!seen[r.id]) { seen[r.id] = true; out.push(r); } });
    });
    return out;
  }

  function intersect(lists) {
    return lists.slice(1).reduce(function (kept, list) {
      var has = {};
      list.forEach(function (r) { has[r.id] = true; });
      return kept.filter(function (r) { return has[r.id]; });
    }, lists[0] || []);
  }

  // Each pair is a word of its own to fetch (a chunk of the index): a long name looks up only a few,
  // spread over it (first, middle, last). Pages holding those, in order, are a close enough test.
  var MAX_PAIRS = 3;
  function some(list) {
    if (list.length <= MAX_PAIRS) return list;
    var out = [];
    for (var i = 0; i < MAX_PAIRS; i++) out.push(list[Math.round((i * (list.length - 1)) / (MAX_PAIRS - 1))]);
    return out;
  }

  // Search as a reader means it: pages of a named place or campaign, then pages with the syllables
  // together and in order (every one of them for a quoted phrase), then pages with each syllable.
  function findAll(module, names, query, filters) {
    var quoted = /^["“”].*["“”]$/.test(query);
    var phrase = quoted ? query.slice(1, -1).trim() : query;
    var joined = pairs(phrase);
    var places = named(names, phrase);
    var asks = [];
    // The place's own name without the unit word the reader typed ("TP Đông Hà" → "Đông Hà").
    var own = places.length ? pairs(places[0][2]) : [];
    if (places.length) {
      var byPlace = {};
      places.forEach(function (e) { (byPlace[e[0]] = byPlace[e[0]] || []).push(e[1]); });
      var within = Object.assign({}, filters);
      Object.keys(byPlace).forEach(function (k) { within[k] = { any: byPlace[k] }; });
      // Every article of the place has its name among its words, so one of its pairs (the longest,
      // likely the rarest) is enough (a search with no words at all would download the whole index).
      var longest = own.slice().sort(function (a, b) { return b.length - a.length; })[0];
      asks.push(module.search(longest || places[0][2], { filters: within }).then(ids));
    }
    // Ranked by Pagefind; a pair found only as the start of a longer word ("dongha" in "donghanh") dropped.
    function together(joined) {
      return Promise.all([module.search(joined.join(" "), { filters: filters }).then(ids)].concat(
        joined.map(function (pair) { return module.search('"' + pair + '"', { filters: filters }).then(ids); })
      )).then(function (lists) {
        var exact = {};
        intersect(lists.slice(1)).forEach(function (r) { exact[r.id] = true; });
        return lists[0].filter(function (r) { return exact[r.id]; });
      });
    }
    // A query that is a name (with or without its unit word) asks for the name in the text, not for
    // the unit word too.
    var inOrder = places.length && !quoted ? own : joined;
    if (inOrder.length) asks.push(together(some(inOrder)));
    return Promise.all(asks).then(function (lists) {
      var results = tiers(lists);
      var done = function (found) { return { results: found, places: places, phrase: phrase }; };
      if (quoted && joined.length) {
        return done(places.length ? intersect([results, lists[lists.length - 1]]) : results);
      }
      // Pages with each syllable somewhere: only when the syllables together (or a named place)
      // fill no first page, since each syllable is another word to fetch (a common one is a large
      // part of the index: "dung" alone is 55 KiB, and a first query must stay under 300 KB).
      if (results.length >= PAGE) return done(results);
      return module.search(phrase, { filters: filters }).then(ids).then(function (words) {
        return done(tiers([results, words]));
      });
    });
  }

  // The excerpt around the phrase where the page has it (exact spelling first), else Pagefind's.
  function phraseExcerpt(content, phrase) {
    if (words(phrase).length < 2 || !content) return null;
    var target = words(phrase).join(" ");
    var at = content.toLowerCase().indexOf(target);
    if (at < 0) at = fold(content).indexOf(fold(target));
    if (at < 0) return null;
    var start = content.lastIndexOf(" ", Math.max(0, at - 90)) + 1;
    var end = content.indexOf(" ", Math.min(content.length, at + target.length + 90));
    if (end < 0) end = content.length;
    var esc = function (t) { return t.replace(/&/g, "&amp;").replace(/</g, "&lt;"); };
    return (start > 0 ? "… " : "") + esc(content.slice(start, at)) + "<mark>" +
      esc(content.slice(at, at + target.length)) + "</mark>" + esc(content.slice(at + target.length, end)) +
      (end < content.length ? " …" : "");
  }

  function offerPlaces(places) {
    places.forEach(function (e) {
      var item = document.createElement("p");
      item.className = "td-search__place";
      var link = document.createElement("a");
      link.href = e[3];
      link.textContent = say(e[0] === "campaign" ? strings.campaign_link : strings.place_link, { name: e[1] });
      item.appendChild(link);
      offers.appendChild(item);
    });
  }

  var phraseShown = "";

  function search(module, query) {
    var ticket = ++run;
    list.innerHTML = "";
    list.hidden = true;
    more.hidden = true;
    offers.innerHTML = "";
    if (!query) {
      status.textContent = strings.empty_query;
      return Promise.resolve();
    }
    status.textContent = strings.searching;
    return loadNames().then(function (names) {
      return findAll(module, names, query, chosenFilters());
    }).then(function (found) {
      if (ticket !== run) return;
      current = found.results;
      root.tdResults = current; // every result in order, read by bench/bench_search.py
      phraseShown = found.phrase;
      offerPlaces(found.places);
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
  input.value = wanted.get("q") || wanted.get("tim") || ""; // tim: the no-JS form's name (search.html)
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

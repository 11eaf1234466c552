/* The article form's enhancements: suggestions (WAI-ARIA 1.2 combobox), rows added and removed,
   the body's toolbar, image upload, checks beside each field and the live preview, autosave.
   The form works without this file: it posts to the desk's save route like any form. */
(function () {
  "use strict";
  var form = document.getElementById("td-desk-edit-article-form");
  if (!form || !window.fetch) return;
  var api = form.getAttribute("data-api");
  var csrf = form.getAttribute("data-csrf");
  var t = JSON.parse(form.getAttribute("data-strings") || "{}");
  var announcer = document.getElementById("td-desk-edit-announcer");

  function debounce(fn, ms) {
    var timer;
    return function () { clearTimeout(timer); timer = setTimeout(fn, ms); };
  }
  function say(text) { if (announcer) { announcer.textContent = ""; announcer.textContent = text; } }
  function fill(text, values) { return text.replace(/\{(\w+)\}/g, function (_, k) { return values[k]; }); }
  function formBody() { return new URLSearchParams(new FormData(form)); }
  function post(url, body, accept) {
    return fetch(url, {method: "POST", body: body, credentials: "same-origin",
      headers: {"X-CSRF-Token": csrf, "Accept": accept || "application/json"}});
  }
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /* ---- Combobox: an input with a listbox of suggestions (editable, list autocomplete) ---- */
  var comboCount = 0;
  function enhanceCombobox(box) {
    var input = box.querySelector("input");
    if (!input || input.getAttribute("role") === "combobox") return;
    var kind = box.getAttribute("data-suggest");
    var separator = box.getAttribute("data-separator");
    var list = el("ul", "td-desk-edit-listbox");
    list.id = "td-desk-edit-listbox-" + (++comboCount);
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", t.suggestions);
    list.hidden = true;
    box.appendChild(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    var active = -1, items = [], request = null, picking = false;

    function typed() {
      if (!separator) return input.value;
      var parts = input.value.split(separator);
      return parts[parts.length - 1];
    }
    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function highlight(index) {
      var options = list.querySelectorAll("[role=option]");
      active = index;
      options.forEach(function (option, i) { option.setAttribute("aria-selected", i === index ? "true" : "false"); });
      if (index >= 0 && options[index]) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({block: "nearest"});
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }
    function pick(index) {
      var item = items[index];
      if (!item) return;
      var value = typeof item === "string" ? item : item.value;
      if (separator) {
        var parts = input.value.split(separator);
        parts[parts.length - 1] = (parts.length > 1 ? " " : "") + value;
        input.value = parts.join(separator);
      } else {
        input.value = value;
      }
      close();
      picking = true;
      input.dispatchEvent(new Event("input", {bubbles: true}));
      picking = false;
    }
    function show(found) {
      items = found;
      list.textContent = "";
      found.forEach(function (item, i) {
        var option = el("li", "td-desk-edit-option");
        option.id = list.id + "-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        if (typeof item === "string") {
          option.textContent = item;
        } else {
          option.appendChild(el("span", "td-desk-edit-option__name", item.name));
          var details = [item.province, item.code ? t.code + " " + item.code : "", item.period].filter(Boolean).join(" · ");
          if (details) option.appendChild(el("span", "td-desk-edit-option__meta", " — " + details));
        }
        option.addEventListener("mousedown", function (event) { event.preventDefault(); });
        option.addEventListener("click", function () { pick(i); input.focus(); });
        list.appendChild(option);
      });
      if (!found.length) { close(); say(t.no_suggestions); return; }
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      highlight(-1);
      say(fill(t.suggestions_count, {count: found.length}));
    }
    var lookup = debounce(function () {
      var q = typed().trim();
      if (!q && kind === "dia-phuong") { close(); return; }
      if (request) request.abort();
      request = new AbortController();
      var date = form.elements.date ? form.elements.date.value : "";
      var url = api + "/goi-y/" + kind + "?q=" + encodeURIComponent(q) + "&ngay=" + encodeURIComponent(date.slice(0, 10));
      fetch(url, {credentials: "same-origin", signal: request.signal})
        .then(function (r) { return r.ok ? r.json() : {items: []}; })
        .then(function (data) { if (document.activeElement === input) show(data.items || []); })
        .catch(function () {});
    }, 150);
    input.addEventListener("input", function () { if (!picking) lookup(); });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
    input.addEventListener("keydown", function (event) {
      var open = !list.hidden, count = items.length;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (!open) { lookup(); return; }
        highlight(active + 1 >= count ? 0 : active + 1);
      } else if (event.key === "ArrowUp" && open) {
        event.preventDefault();
        highlight(active <= 0 ? count - 1 : active - 1);
      } else if (event.key === "Enter" && open && active >= 0) {
        event.preventDefault();
        pick(active);
      } else if (event.key === "Escape" && open) {
        event.preventDefault();
        close();
      }
    });
  }

  /* ---- Rows (localities, campaigns, honourees): add and remove ---- */
  function renumber(listNode) {
    listNode.querySelectorAll("[data-row]").forEach(function (row, n) {
      row.querySelectorAll("input").forEach(function (input) {
        var label = row.querySelector("label[for='" + input.id + "']");
        input.id = input.id.replace(/-\d+$/, "-" + n);
        if (label) label.setAttribute("for", input.id);
      });
      row.querySelectorAll("[data-number]").forEach(function (node) {
        node.textContent = node.getAttribute("data-number").replace("{n}", n + 1);
      });
    });
  }
  function enhanceList(listNode) {
    var rows = listNode.querySelector("ol");
    var template = rows.querySelector("[data-row]").cloneNode(true);
    template.querySelectorAll("input").forEach(function (input) { input.value = ""; input.removeAttribute("aria-invalid"); });
    template.querySelectorAll("[role=listbox]").forEach(function (node) { node.remove(); });
    function wire(row) {
      row.querySelectorAll("[data-remove-row]").forEach(function (button) {
        button.hidden = false;
        button.addEventListener("click", function () {
          var next = row.nextElementSibling || row.previousElementSibling;
          row.remove();
          if (!rows.querySelector("[data-row]")) addRow();
          renumber(listNode);
          var target = next && next.isConnected ? next.querySelector("input") : add;
          target.focus();
          say(t.removed_row);
          changed();
        });
      });
      row.querySelectorAll("[data-suggest]").forEach(enhanceCombobox);
    }
    function addRow() {
      var row = template.cloneNode(true);
      rows.appendChild(row);
      wire(row);
      renumber(listNode);
      return row;
    }
    rows.querySelectorAll("[data-row]").forEach(wire);
    var add = listNode.querySelector("[data-add-row]");
    add.hidden = false;
    add.addEventListener("click", function () { addRow().querySelector("input").focus(); });
  }

  /* ---- Body toolbar (ARIA toolbar: one tab stop, arrow keys between buttons) ---- */
  var body = form.elements.body;
  function insert(text, selectFrom, selectTo) {
    body.focus();
    var start = body.selectionStart;
    if (!document.execCommand || !document.execCommand("insertText", false, text)) {  // keeps undo where it can
      body.setRangeText(text, body.selectionStart, body.selectionEnd, "end");
      body.dispatchEvent(new Event("input", {bubbles: true}));
    }
    if (selectFrom !== undefined) body.setSelectionRange(start + selectFrom, start + selectTo);
  }
  function prefixLines(prefix) {
    var value = body.value, start = value.lastIndexOf("\n", body.selectionStart - 1) + 1;
    var end = value.indexOf("\n", body.selectionEnd);
    if (end < 0) end = value.length;
    body.setSelectionRange(start, end);
    var lines = value.slice(start, end).split("\n").map(function (line, i) {
      return (typeof prefix === "function" ? prefix(i) : prefix) + line.replace(/^(#+ |- |\d+\. |> )/, "");
    });
    insert(lines.join("\n"));
  }
  var tools = {
    heading: function () { prefixLines("## "); },
    bullets: function () { prefixLines("- "); },
    numbers: function () { prefixLines(function (i) { return (i + 1) + ". "; }); },
    quote: function () { prefixLines("> "); },
    link: function () {
      var chosen = body.value.slice(body.selectionStart, body.selectionEnd) || t.link_text;
      var text = "[" + chosen + "](https://)";
      insert(text, chosen.length + 3, text.length - 1);
    },
  };
  function enhanceToolbar(toolbar) {
    toolbar.hidden = false;
    var buttons = Array.prototype.slice.call(toolbar.querySelectorAll("button"));
    var picker = document.getElementById("td-desk-edit-image-picker");
    toolbar.addEventListener("keydown", function (event) {
      var i = buttons.indexOf(document.activeElement), next = null;
      if (event.key === "ArrowRight") next = (i + 1) % buttons.length;
      else if (event.key === "ArrowLeft") next = (i - 1 + buttons.length) % buttons.length;
      else if (event.key === "Home") next = 0;
      else if (event.key === "End") next = buttons.length - 1;
      if (next === null) return;
      event.preventDefault();
      buttons.forEach(function (b, j) { b.tabIndex = j === next ? 0 : -1; });
      buttons[next].focus();
    });
    buttons.forEach(function (button) {
      button.addEventListener("click", function () {
        var tool = button.getAttribute("data-tool");
        if (tool !== "image") { tools[tool](); return; }
        var open = button.getAttribute("aria-expanded") === "true";
        button.setAttribute("aria-expanded", open ? "false" : "true");
        picker.hidden = open;
        if (!open) showImages(picker, button);
      });
    });
    picker.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") return;
      picker.hidden = true;
      var button = toolbar.querySelector("[data-tool=image]");
      button.setAttribute("aria-expanded", "false");
      button.focus();
    });
  }
  function showImages(picker, button) {
    var list = picker.querySelector("ul");
    fetch(api + "/goi-y/anh", {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (data) {
      list.textContent = "";
      picker.querySelector("[data-empty]").hidden = data.items.length > 0;
      data.items.forEach(function (path) {
        var item = el("li"), choose = el("button", "td-desk-button td-desk-button--secondary", path.replace(/^images\//, ""));
        choose.type = "button";
        choose.addEventListener("click", function () {
          picker.hidden = true;
          button.setAttribute("aria-expanded", "false");
          var alt = t.image_alt_placeholder, text = "![" + alt + "]({static}/" + path + ")";
          insert(text, 2, 2 + alt.length);
        });
        item.appendChild(choose);
        list.appendChild(item);
      });
      var first = list.querySelector("button");
      if (first) first.focus();
    });
  }

  /* ---- Lead image: upload without leaving the form; alt text and caption required with an image ---- */
  function requireImageTexts() {
    var has = form.elements.image.value.trim() !== "";
    form.querySelectorAll("[data-required-with=image]").forEach(function (input) {
      input.required = has;
      if (has) input.setAttribute("aria-required", "true"); else input.removeAttribute("aria-required");
    });
  }
  var uploadForm = document.getElementById("td-desk-edit-upload-form");
  var uploadStatus = document.getElementById("td-desk-edit-upload-status");
  if (uploadForm) {
    uploadForm.addEventListener("submit", function (event) {
      event.preventDefault();
      uploadStatus.textContent = t.image_uploading;
      post(uploadForm.action, new FormData(uploadForm)).then(function (r) {
        return r.json().then(function (data) { return {ok: r.ok, data: data}; });
      }).then(function (answer) {
        if (!answer.ok || !answer.data.path) throw new Error(answer.data.error || "");
        form.elements.image.value = answer.data.path;
        uploadStatus.textContent = fill(t.image_uploaded, {path: answer.data.path});
        form.elements.image.dispatchEvent(new Event("input", {bubbles: true}));
      }).catch(function (error) {
        uploadStatus.textContent = error.message || t.image_failed;
      });
    });
  }

  /* ---- Checks beside each field, and the summary above the form ---- */
  var summary = document.getElementById("td-desk-edit-problems");
  var checkStatus = document.getElementById("td-desk-edit-check-status");
  var lastCount = -1, checking = null;
  function describe(input, errorId, on) {
    var ids = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (id) { return id && id !== errorId; });
    if (on) ids.push(errorId);
    if (ids.length) input.setAttribute("aria-describedby", ids.join(" ")); else input.removeAttribute("aria-describedby");
    if (on) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
  }
  function showProblems(problems) {
    var byField = {};
    problems.forEach(function (p) { (byField[p.field] = byField[p.field] || []).push(p); });
    form.querySelectorAll("[data-error-for]").forEach(function (box) {
      var field = box.getAttribute("data-error-for"), found = byField[field] || [];
      box.textContent = "";
      found.forEach(function (p) { box.appendChild(el("span", "td-desk-edit-error-message__item", p.message)); });
      box.hidden = !found.length;
      var group = box.closest("[data-field]");
      if (group) group.classList.toggle("td-desk-field--error", found.length > 0);
      var inputs = group ? group.querySelectorAll("input:not([type=hidden]):not([type=file]), select, textarea") : [];
      // A problem's index counts the filled rows (the checks read the file, where blank rows are gone).
      var filled = -1, rowOf = null, isFilled = true;
      inputs.forEach(function (input, i) {
        var row = input.closest("[data-row]");
        if (row !== rowOf) {
          rowOf = row;
          var values = row ? row.querySelectorAll("input") : [input];
          isFilled = Array.prototype.some.call(values, function (v) { return v.value.trim() !== ""; });
          if (isFilled) filled += 1;
        }
        var concerned = found.some(function (p) { return p.index === null || p.index === undefined || (isFilled && p.index === filled); });
        describe(input, box.id, found.length > 0 && concerned);
      });
    });
    var list = summary.querySelector("ul");
    list.textContent = "";
    problems.forEach(function (p) {
      var target = document.getElementById(p.field) || form.querySelector("[data-field='" + p.field + "'] input, [data-field='" + p.field + "'] textarea");
      var item = el("li"), link = el("a", "", p.message);
      link.href = "#" + (target ? target.id : "td-desk-edit-article-form");
      item.appendChild(link);
      list.appendChild(item);
    });
    summary.hidden = !problems.length;
    if (problems.length !== lastCount) {
      checkStatus.textContent = problems.length ? fill(t.problems_count, {count: problems.length}) : t.problems_none;
      lastCount = problems.length;
    }
  }
  function check() {
    if (checking) checking.abort();
    checking = new AbortController();
    fetch(api + "/kiem-tra", {method: "POST", body: formBody(), credentials: "same-origin", signal: checking.signal,
      headers: {"X-CSRF-Token": csrf, "Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) showProblems(data.problems); })
      .catch(function () {});
  }

  /* ---- Live preview: the article in the site's theme, in a sandboxed frame (no script runs) ---- */
  var preview = document.querySelector(".td-desk-edit-preview");
  var frame = document.getElementById("td-desk-edit-preview-frame");
  var previewStatus = document.getElementById("td-desk-edit-preview-status");
  var previewing = null;
  function refreshPreview() {
    if (previewing) previewing.abort();
    previewing = new AbortController();
    fetch(api + "/xem-truoc", {method: "POST", body: formBody(), credentials: "same-origin", signal: previewing.signal,
      headers: {"X-CSRF-Token": csrf, "Accept": "text/html"}})
      .then(function (r) { if (!r.ok) throw new Error(); return r.text(); })
      .then(function (html) {
        // Keep the reader's place in the preview across updates; the first one opens at the article.
        var kept = frame.srcdoc && frame.contentWindow ? frame.contentWindow.scrollY : null;
        frame.addEventListener("load", function () {
          var main = frame.contentDocument && frame.contentDocument.getElementById("main-content");
          if (frame.contentWindow) frame.contentWindow.scrollTo(0, kept !== null ? kept : (main ? main.offsetTop : 0));
        }, {once: true});
        frame.srcdoc = html;
        previewStatus.textContent = "";
      })
      .catch(function (error) { if (error.name !== "AbortError") previewStatus.textContent = t.preview_failed; });
  }

  /* ---- Work in progress kept on the server every few seconds ---- */
  var dirty = false;
  setInterval(function () {
    if (!dirty) return;
    dirty = false;
    post("/bai-viet/luu-tam", formBody()).catch(function () { dirty = true; });
  }, 5000);

  var changedSoon = debounce(function () { refreshPreview(); check(); }, 300);
  function changed() { dirty = true; requireImageTexts(); changedSoon(); }

  form.querySelectorAll("[data-list]").forEach(enhanceList);
  form.querySelectorAll("[data-suggest]").forEach(enhanceCombobox);
  form.querySelectorAll("[role=toolbar]").forEach(enhanceToolbar);
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  if (preview) preview.hidden = false;
  requireImageTexts();
  refreshPreview();
  check();
})();

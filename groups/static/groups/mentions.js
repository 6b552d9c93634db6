/* @-mentions in a group chat's composer: typing "@" opens a filterable member list (keyboard
   navigable); picking inserts "@name " and records the member's wxid in #composer-at-users.
   The server keeps only the mentions still in the text when it sends (groupAt). No eval. */
(function () {
  "use strict";

  var cache = {};
  var atIndex = -1;

  function picker() { return document.getElementById("mention-picker"); }
  function area() { return document.getElementById("composer-text"); }
  function filterBox() { return document.getElementById("mention-filter"); }
  function items() {
    return Array.prototype.filter.call(document.querySelectorAll("#mention-picker .mention-item"), function (b) {
      return !b.parentElement.hidden;
    });
  }
  function active() { return document.querySelector("#mention-picker .mention-item.is-active"); }
  function setActive(item) {
    var current = active();
    if (current) { current.classList.remove("is-active"); current.setAttribute("aria-selected", "false"); }
    if (item) {
      item.classList.add("is-active");
      item.setAttribute("aria-selected", "true");
      item.scrollIntoView({ block: "nearest" });
    }
  }

  function load(box) {
    var src = box.getAttribute("data-src");
    var list = box.querySelector(".mention-list");
    if (cache[src]) { list.innerHTML = cache[src]; return Promise.resolve(); }
    return fetch(src, { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (html) { cache[src] = html; list.innerHTML = html; });
  }

  function filter(text) {
    text = (text || "").toLowerCase();
    document.querySelectorAll("#mention-picker .mention-item").forEach(function (item) {
      item.parentElement.hidden = !!text && item.textContent.toLowerCase().indexOf(text) < 0;
    });
    setActive(items()[0]);
  }

  function open(index) {
    var box = picker();
    if (!box) return;
    atIndex = index;
    box.hidden = false;
    var input = filterBox();
    input.value = "";
    load(box).then(function () { filter(""); });
    input.focus();
  }

  function close(refocus) {
    var box = picker();
    if (box) box.hidden = true;
    if (refocus && area()) area().focus();
  }

  function pick(item) {
    var text = area();
    if (!text || !item) return;
    var name = item.getAttribute("data-name");
    var wxid = item.getAttribute("data-wxid");
    var value = text.value;
    var at = atIndex >= 0 && value.charAt(atIndex) === "@" ? atIndex : value.length;
    var before = value.slice(0, at);
    var after = value.slice(value.charAt(at) === "@" ? at + 1 : at);
    var inserted = "@" + name + " ";
    text.value = before + inserted + after;
    var caret = before.length + inserted.length;
    var hidden = document.getElementById("composer-at-users");
    if (hidden) {
      var ids = hidden.value ? hidden.value.split(",") : [];
      if (ids.indexOf(wxid) < 0) ids.push(wxid);
      hidden.value = ids.join(",");
    }
    close(true);
    text.setSelectionRange(caret, caret);
  }

  document.addEventListener("input", function (event) {
    var target = event.target;
    if (target.id === "composer-text" && picker() && event.data && event.data.slice(-1) === "@") {
      open(target.selectionStart - 1);
    } else if (target.id === "mention-filter") {
      filter(target.value);
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.target.id !== "mention-filter") return;
    var list = items();
    var index = list.indexOf(active());
    if (event.key === "Escape") {
      event.preventDefault();
      close(true);
    } else if (event.key === "Enter") {
      event.preventDefault();
      pick(active() || list[0]);
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      var step = event.key === "ArrowDown" ? 1 : -1;
      setActive(list[Math.min(list.length - 1, Math.max(0, index + step))]);
    }
  });

  document.addEventListener("click", function (event) {
    var item = event.target.closest && event.target.closest(".mention-item");
    if (item && item.closest("#mention-picker")) { pick(item); return; }
    var box = picker();
    if (box && !box.hidden && !event.target.closest("#mention-picker")) close(false);
  });
})();

/* The inbox's keyboard and scrolling behaviour. No eval, no inline handlers: htmx does the requests. */
(function () {
  "use strict";

  function messages() { return document.getElementById("messages"); }
  function nearBottom(el) { return el.scrollHeight - el.scrollTop - el.clientHeight < 120; }
  function toBottom() { var el = messages(); if (el) el.scrollTop = el.scrollHeight; }

  // A message can reach the page twice (a poll and a send answer crossing): keep the first copy.
  function dedupe() {
    var seen = {};
    document.querySelectorAll("#messages article[data-msg]").forEach(function (node) {
      if (seen[node.id]) node.remove(); else seen[node.id] = true;
    });
  }

  var stick = true;
  var keepOffset = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var el = messages();
    if (!el) return;
    stick = nearBottom(el);
    var target = event.detail.target;
    if (target && target.classList && target.classList.contains("history-more")) {
      keepOffset = el.scrollHeight - el.scrollTop;
    }
  });
  document.addEventListener("htmx:oobBeforeSwap", function () {
    var el = messages();
    if (el) stick = nearBottom(el);
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    dedupe();
    var el = messages();
    if (!el) return;
    if (keepOffset !== null) {
      el.scrollTop = el.scrollHeight - keepOffset;
      keepOffset = null;
    } else if (event.detail.target && event.detail.target.id === "workspace") {
      toBottom();
      focusComposer();
    } else if (stick) {
      toBottom();
    }
    markCurrent();
  });
  document.addEventListener("htmx:oobAfterSwap", function () {
    dedupe();
    if (stick) toBottom();
    markCurrent();
  });

  function currentId() {
    var pane = document.querySelector("[data-conversation]");
    return pane ? pane.getAttribute("data-conversation") : null;
  }
  function markCurrent() {
    var id = currentId();
    document.querySelectorAll(".conv[data-conv]").forEach(function (link) {
      var on = link.getAttribute("data-conv") === id;
      link.classList.toggle("is-current", on);
      if (on) link.setAttribute("aria-current", "true"); else link.removeAttribute("aria-current");
    });
  }
  function focusComposer() {
    var box = document.getElementById("composer-text");
    if (box) box.focus();
  }

  // Alt+ArrowUp / Alt+ArrowDown: previous / next conversation.
  function move(step) {
    var links = Array.prototype.slice.call(document.querySelectorAll(".conv[data-conv]"));
    if (!links.length) return;
    var id = currentId();
    var index = links.findIndex(function (l) { return l.getAttribute("data-conv") === id; });
    var next = links[Math.min(links.length - 1, Math.max(0, index + step))];
    if (index < 0) next = links[0];
    if (next) { next.click(); next.scrollIntoView({ block: "nearest" }); }
  }

  // Quick replies: "/" in an empty message box, or Ctrl+K.
  function popup() { return document.getElementById("quick-replies"); }
  function openReplies() {
    var box = popup();
    if (!box) return;
    box.hidden = false;
    var filter = document.getElementById("qr-filter");
    filter.value = "";
    filterReplies("");
    filter.focus();
  }
  function closeReplies(refocus) {
    var box = popup();
    if (box) box.hidden = true;
    if (refocus) focusComposer();
  }
  function visibleItems() {
    return Array.prototype.filter.call(document.querySelectorAll("#quick-replies .qr-item"), function (b) {
      return !b.parentElement.hidden;
    });
  }
  function filterReplies(text) {
    text = text.toLowerCase();
    document.querySelectorAll("#quick-replies .qr-item").forEach(function (item) {
      item.parentElement.hidden = text && item.textContent.toLowerCase().indexOf(text) < 0;
      item.classList.remove("is-active");
    });
    var first = visibleItems()[0];
    if (first) first.classList.add("is-active");
  }
  function pick(item) {
    var area = document.getElementById("composer-text");
    if (!area || !item) return;
    area.value = item.getAttribute("data-body");
    closeReplies(true);
  }

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.altKey && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
      event.preventDefault();
      move(event.key === "ArrowDown" ? 1 : -1);
      return;
    }
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "k" && popup()) {
      event.preventDefault();
      openReplies();
      return;
    }
    if (target.id === "composer-text") {
      if (event.key === "/" && target.value === "" && popup()) {
        event.preventDefault();
        openReplies();
      } else if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
        event.preventDefault();
        if (target.value.trim()) target.form.requestSubmit();
      }
      return;
    }
    if (target.id === "qr-filter") {
      var items = visibleItems();
      var active = document.querySelector("#quick-replies .qr-item.is-active");
      var index = items.indexOf(active);
      if (event.key === "Escape") { event.preventDefault(); closeReplies(true); }
      else if (event.key === "Enter") { event.preventDefault(); pick(active || items[0]); }
      else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (active) active.classList.remove("is-active");
        var next = items[Math.min(items.length - 1, Math.max(0, index + (event.key === "ArrowDown" ? 1 : -1)))];
        if (next) { next.classList.add("is-active"); next.scrollIntoView({ block: "nearest" }); }
      }
    }
  });
  document.addEventListener("input", function (event) {
    if (event.target.id === "qr-filter") filterReplies(event.target.value);
    if (event.target.id === "composer-upload" && event.target.files.length) {
      var radio = document.querySelector('#composer input[name="kind"][value="upload"]');
      if (radio) radio.checked = true;
    }
  });
  document.addEventListener("click", function (event) {
    var item = event.target.closest && event.target.closest(".qr-item");
    if (item) { pick(item); return; }
    var image = event.target.closest && event.target.closest("[data-enlarge]");
    if (image && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      var dialog = document.createElement("dialog");
      dialog.className = "image-viewer";
      var img = document.createElement("img");
      img.src = image.getAttribute("href");
      img.alt = "";
      img.referrerPolicy = "no-referrer";
      dialog.appendChild(img);
      dialog.addEventListener("click", function () { dialog.close(); dialog.remove(); });
      dialog.addEventListener("close", function () { dialog.remove(); });
      document.body.appendChild(dialog);
      dialog.showModal();
      return;
    }
    if (popup() && !popup().hidden && !event.target.closest("#quick-replies")) closeReplies(false);
  });

  document.addEventListener("DOMContentLoaded", function () { toBottom(); markCurrent(); });
})();

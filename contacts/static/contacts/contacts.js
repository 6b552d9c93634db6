// Select-all checkboxes for bulk actions: <input data-select-all="group"> drives <input data-select="group">.
(function () {
  function boxes(group) {
    return Array.prototype.slice.call(document.querySelectorAll('input[data-select="' + group + '"]'));
  }
  function update(group) {
    var all = boxes(group);
    var checked = all.filter(function (b) { return b.checked; }).length;
    document.querySelectorAll('input[data-select-all="' + group + '"]').forEach(function (master) {
      master.checked = all.length > 0 && checked === all.length;
      master.indeterminate = checked > 0 && checked < all.length;
      var bar = master.closest("form");
      var out = bar && bar.querySelector(".selected-count");
      if (out) { out.textContent = checked ? checked + " ✓" : ""; }
    });
  }
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("input[data-select-all]")) {
      var group = target.getAttribute("data-select-all");
      boxes(group).forEach(function (b) { b.checked = target.checked; });
      update(group);
    } else if (target.matches && target.matches("input[data-select]")) {
      update(target.getAttribute("data-select"));
    }
  });
  // An avatar that cannot load (expired URL, no network) becomes the round initial instead of a broken icon.
  function fallback(img) {
    var span = document.createElement("span");
    span.className = img.className;
    span.setAttribute("aria-hidden", "true");
    span.textContent = (img.getAttribute("data-initial") || "?").slice(0, 1);
    img.replaceWith(span);
  }
  function sweepAvatars() {  // images that failed before this script was running
    document.querySelectorAll("img[data-fallback-avatar]").forEach(function (img) {
      if (img.complete && img.naturalWidth === 0) { fallback(img); }
    });
  }
  document.addEventListener("error", function (event) {
    var img = event.target;
    if (img && img.tagName === "IMG" && img.hasAttribute("data-fallback-avatar")) { fallback(img); }
  }, true);
  document.addEventListener("DOMContentLoaded", sweepAvatars);
  window.addEventListener("load", sweepAvatars);

  // Lists refresh themselves when a callback changes something: keep what the operator had
  // selected (checked rows, the bulk bar's choices) across the swap.
  var kept = null;
  document.addEventListener("htmx:beforeSwap", function () {
    kept = { boxes: {}, selects: {} };
    document.querySelectorAll("input[data-select]:checked").forEach(function (b) {
      kept.boxes[b.getAttribute("data-select") + ":" + b.value] = true;
    });
    document.querySelectorAll(".bulk-bar select[id]").forEach(function (s) { kept.selects[s.id] = s.value; });
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (kept) {
      document.querySelectorAll("input[data-select]").forEach(function (b) {
        if (kept.boxes[b.getAttribute("data-select") + ":" + b.value]) { b.checked = true; }
      });
      Object.keys(kept.selects).forEach(function (id) {
        var s = document.getElementById(id);
        if (s && Array.prototype.some.call(s.options, function (o) { return o.value === kept.selects[id]; })) {
          s.value = kept.selects[id];
        }
      });
      kept = null;
    }
    document.querySelectorAll("input[data-select-all]").forEach(function (m) { update(m.getAttribute("data-select-all")); });
    sweepAvatars();
  });
})();

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
  document.addEventListener("htmx:afterSettle", function () {
    document.querySelectorAll("input[data-select-all]").forEach(function (m) { update(m.getAttribute("data-select-all")); });
  });
})();

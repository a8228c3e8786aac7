/* select2's search box (the admin's autocomplete widgets, e.g. the brief list's topic filter)
 * has no label of its own: give it the label of the <select> it stands for, again whenever
 * select2 redraws it. */
(function () {
  "use strict";

  function labelSearchFields() {
    document.querySelectorAll(".select2-container").forEach(function (container) {
      var select = container.previousElementSibling;
      var label = select && select.id && document.querySelector('label[for="' + select.id + '"]');
      var name = label ? label.textContent.trim().replace(/:$/, "") : "Search";
      container.querySelectorAll(".select2-search__field").forEach(function (field) {
        if (field.getAttribute("aria-label") !== name) { field.setAttribute("aria-label", name); }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    labelSearchFields();
    new MutationObserver(labelSearchFields).observe(document.body, { childList: true, subtree: true });
  });
})();

// Small behaviours of the pages, kept out of the HTML: the Content-Security-Policy runs no inline script
// or on*="..." handler. One delegated listener per event covers content htmx swaps in later, too.
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    // "Select all" box of a table: ticks every row box of its form with the named field.
    var all = event.target.closest && event.target.closest("input[data-select-all]");
    if (all && all.form) {
      all.form.querySelectorAll('input[type="checkbox"][name="' + all.dataset.selectAll + '"]').forEach(function (box) {
        box.checked = all.checked;
      });
      return;
    }
    // Filter selects that apply at once (quarantine and reconciliation reviews).
    var select = event.target.closest && event.target.closest("select[data-autosubmit]");
    if (select && select.form) {
      select.form.submit();
    }
  });

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!target.closest) {
      return;
    }
    // Calendar-feed address: one click selects it all for copying.
    var field = target.closest("input[data-select-on-click]");
    if (field) {
      field.select();
      return;
    }
    // Docket scope tabs: links that work without JavaScript; with it, they tick their radio and submit
    // the filter form so htmx swaps only the results.
    var link = target.closest("a[data-scope-link]");
    if (link) {
      var radio = link.previousElementSibling;
      var form = link.closest("form");
      if (!radio || !form) {
        return;
      }
      event.preventDefault();
      radio.checked = true;
      link.closest("fieldset").querySelectorAll("a[data-scope-link]").forEach(function (a) {
        a.setAttribute("aria-current", a === link ? "true" : "false");
      });
      form.requestSubmit();
    }
  });
})();

// Behaviour for every page. Loaded as a file: the Content-Security-Policy allows no inline script.
(function () {
  "use strict";
  document.querySelectorAll("[data-autosubmit]").forEach(function (element) {
    element.addEventListener("change", function () { element.form.submit(); });
  });
  document.querySelectorAll("[data-toggle]").forEach(function (button) {
    button.addEventListener("click", function () {
      var target = document.getElementById(button.getAttribute("data-toggle"));
      if (!target) { return; }
      var open = target.classList.toggle("open");
      button.setAttribute("aria-expanded", open ? "true" : "false");
      if (open && button.hasAttribute("data-menu")) { closeMenus(button); }
    });
  });
  // One dropdown menu open at a time; a click elsewhere or Escape closes it.
  function closeMenus(except) {
    document.querySelectorAll("[data-menu]").forEach(function (button) {
      if (button === except) { return; }
      var target = document.getElementById(button.getAttribute("data-toggle"));
      if (target) { target.classList.remove("open"); }
      button.setAttribute("aria-expanded", "false");
    });
  }
  document.addEventListener("click", function (event) {
    if (!event.target.closest || !event.target.closest(".nav-group")) { closeMenus(null); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { closeMenus(null); }
  });
  // "Tick every row of this page" boxes above a list of checkboxes with the same name.
  document.querySelectorAll("[data-check-all]").forEach(function (box) {
    var form = box.closest("form");
    if (!form) { return; }
    box.addEventListener("change", function () {
      form.querySelectorAll('input[type="checkbox"][name="' + box.getAttribute("data-check-all") + '"]').forEach(function (row) {
        row.checked = box.checked;
      });
    });
  });
  // A feed address box selects itself when tapped, ready to copy.
  document.querySelectorAll("input.feed-url").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });
})();

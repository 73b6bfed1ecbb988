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
        if (row.checked !== box.checked) {
          row.checked = box.checked;
          // Counters listening on the form see every box that changed.
          row.dispatchEvent(new Event("change", { bubbles: true }));
        }
      });
    });
  });
  // Phone card layout (branchtrack.css): every cell carries its column's name, shown above the value.
  document.querySelectorAll("table.data").forEach(function (table) {
    var headers = Array.prototype.map.call(table.querySelectorAll("thead tr:first-child > th"), function (th) {
      return th.textContent.trim();
    });
    table.querySelectorAll("tbody tr").forEach(function (row) {
      var column = 0;
      Array.prototype.forEach.call(row.cells, function (cell) {
        var label = headers[column];
        if (label && !cell.hasAttribute("data-label") && cell.colSpan === 1) { cell.setAttribute("data-label", label); }
        column += cell.colSpan || 1;
      });
    });
  });
  // A table wider than its box scrolls inside it: the keyboard must be able to reach it (a focusable,
  // named region), or its hidden columns are out of reach. Templates may set this themselves.
  document.querySelectorAll(".table-wrap:not([tabindex])").forEach(function (wrap) {
    if (wrap.scrollWidth <= wrap.clientWidth) { return; }
    var heading = wrap.closest("section, main");
    var named = heading && heading.querySelector("h2, h1");
    wrap.setAttribute("tabindex", "0");
    wrap.setAttribute("role", "region");
    wrap.setAttribute("aria-label", named ? named.textContent.trim() : document.title);
  });
  // A feed address box selects itself when tapped, ready to copy.
  document.querySelectorAll("input.feed-url").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });

  // A form's idempotency key (提交编号) is made by the page: the server stores one record per key,
  // so a second tap, a retry or a page restored from the back-forward cache never saves twice.
  function newKey() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }
  window.branchtrackNewKey = newKey;
  document.querySelectorAll("input[name=idempotency_key]").forEach(function (input) {
    // A form the server just refused keeps its key (nothing was saved under it); a fresh one gets its own.
    if (!input.form || !input.form.querySelector(".form-errors, .error")) { input.value = newKey(); }
  });

  // The submit buttons disable once a form is sent; the pressed button's name and value still go
  // with it (a disabled button sends nothing, so they ride along in a hidden field).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || (form.method || "").toLowerCase() !== "post") { return; }
    var submitter = event.submitter;
    form.querySelectorAll("input[data-carried]").forEach(function (old) { old.remove(); });
    if (submitter && submitter.name) {
      var carried = document.createElement("input");
      carried.setAttribute("data-carried", "");
      carried.type = "hidden";
      carried.name = submitter.name;
      carried.value = submitter.value;
      form.appendChild(carried);
    }
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]").forEach(function (button) {
        button.disabled = true;
        button.setAttribute("aria-busy", "true");
      });
    }, 0);
  });
  // Back to a page kept in the back-forward cache: its buttons work again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) { return; }
    document.querySelectorAll("button[aria-busy=true], input[aria-busy=true]").forEach(function (button) {
      button.disabled = false;
      button.removeAttribute("aria-busy");
    });
  });
})();

/* The rating table (projects/rating_table.html): each row is posted on change once its scores are
   complete; the answer (saved, errors, or 409 when someone changed the rating meanwhile) shows in the
   row's status cell. Enter saves the row and moves to the next row's first score. */
(function () {
  "use strict";
  var table = document.querySelector("[data-testid='rating-table']");
  if (!table) { return; }
  var csrf = document.querySelector("input[name='csrfmiddlewaretoken']");

  function complete(row) {
    return Array.prototype.every.call(row.querySelectorAll("input[name^='criterion_']"), function (input) {
      return input.value.trim() !== "";
    });
  }

  function show(row, text, failed) {
    var status = row.querySelector(".row-status");
    status.textContent = text;
    row.classList.toggle("row-error", Boolean(failed));
  }

  function save(row) {
    if (!complete(row) || row.dataset.saving === "1") { return; }
    row.dataset.saving = "1";
    var data = new FormData();
    row.querySelectorAll("input").forEach(function (input) { data.append(input.name, input.value); });
    fetch(row.dataset.saveUrl, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf ? csrf.value : "", Accept: "application/json" }
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (answer) {
      if (answer.ok) {
        row.querySelector("input[name='version']").value = answer.body.version;
        var reason = row.querySelector("input[name='reason']");
        if (reason) { reason.value = ""; }
        show(row, answer.body.message, false);
      } else {
        var messages = [];
        Object.keys(answer.body.errors || {}).forEach(function (field) {
          answer.body.errors[field].forEach(function (error) { messages.push(error.message); });
        });
        show(row, messages.join(" "), true);
      }
    }).catch(function () {
      show(row, table.dataset.offline || "…", true);
    }).finally(function () {
      row.dataset.saving = "";
    });
  }

  table.addEventListener("change", function (event) {
    var row = event.target.closest("tr[data-save-url]");
    if (row) { save(row); }
  });
  table.addEventListener("keydown", function (event) {
    if (event.key !== "Enter") { return; }
    var row = event.target.closest("tr[data-save-url]");
    if (!row) { return; }
    event.preventDefault();
    save(row);
    var next = row.nextElementSibling;
    var first = next && next.querySelector("input[name^='criterion_']");
    if (first) { first.focus(); }
  });
  table.dataset.ready = "1";
})();

// Supervision pages: branch search on the visit form, and the dashboard's charts (Chart.js, vendored).
(function () {
  "use strict";

  // Type to narrow the long branch list; works the same on a phone's native picker.
  document.querySelectorAll("[data-filter-select]").forEach(function (input) {
    var select = document.getElementById(input.getAttribute("data-filter-select"));
    if (!select) { return; }
    var options = Array.prototype.slice.call(select.options);
    input.addEventListener("input", function () {
      var needle = input.value.trim().toLowerCase();
      var first = null;
      options.forEach(function (option) {
        var match = !option.value || !needle || option.text.toLowerCase().indexOf(needle) !== -1;
        option.hidden = !match;
        option.disabled = !match && !!option.value;
        if (match && option.value && first === null) { first = option; }
      });
      if (needle && first) { select.value = first.value; }
    });
  });

  // Choosing a branch on a new visit reloads the page with the branch's last visit beside the form.
  var form = document.querySelector("[data-branch-reload]");
  if (form) {
    var branch = form.querySelector("#id_branch");
    if (branch) {
      branch.addEventListener("change", function () {
        // Offline the form stays as it is (the last visit beside it needs the network).
        if (!branch.value || !navigator.onLine) { return; }
        var url = new URL(window.location.href);
        url.searchParams.set("branch", branch.value);
        window.location.assign(url.toString());
      });
    }
  }

  var data = document.getElementById("coverage-chart-data");
  if (!data || typeof Chart === "undefined") { return; }
  var chart = JSON.parse(data.textContent);
  var red = "#b71c1c";
  var percent = { min: 0, max: 100, ticks: { callback: function (v) { return v + "%"; } } };
  var byUnit = document.getElementById("coverage-by-unit");
  if (byUnit) {
    // Every unit keeps its label (Chart.js skipped every other one): the box grows with the units.
    var box = byUnit.closest(".chart-box");
    if (box) {
      box.classList.add("grows");
      box.style.height = Math.max(320, chart.units.length * 24 + 60) + "px";
    }
    new Chart(byUnit, {
      type: "bar",
      data: { labels: chart.units, datasets: [{ label: chart.labels.coverage, data: chart.coverage, backgroundColor: red }] },
      options: { indexAxis: "y", maintainAspectRatio: false, scales: { x: percent, y: { ticks: { autoSkip: false } } }, plugins: { legend: { display: false } } }
    });
  }
  var trend = document.getElementById("coverage-trend");
  if (trend) {
    // One date axis for the recorded trend and the two projected lines (plan, recent rate).
    var days = chart.trend_days.concat(chart.forecast_days || []).filter(function (day, i, all) { return all.indexOf(day) === i; }).sort();
    var on = function (labels, values) {
      return days.map(function (day) { var i = labels.indexOf(day); return i === -1 ? null : values[i]; });
    };
    var datasets = [{ label: chart.labels.coverage, data: on(chart.trend_days, chart.trend_coverage), borderColor: red, backgroundColor: red, tension: 0.2, spanGaps: true }];
    if (chart.forecast_days && chart.forecast_days.length > 1) {
      datasets.push({ label: chart.labels.plan, data: on(chart.forecast_days, chart.forecast_plan), borderColor: "#1565c0", backgroundColor: "#1565c0", borderDash: [6, 4], pointRadius: 0, spanGaps: true });
      datasets.push({ label: chart.labels.rate, data: on(chart.forecast_days, chart.forecast_rate), borderColor: "#ef6c00", backgroundColor: "#ef6c00", borderDash: [2, 3], pointRadius: 0, spanGaps: true });
    }
    new Chart(trend, {
      type: "line",
      data: { labels: days, datasets: datasets },
      options: { maintainAspectRatio: false, scales: { y: percent }, plugins: { legend: { display: datasets.length > 1, position: "bottom" } } }
    });
  }
})();

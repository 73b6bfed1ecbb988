// The pairing summary chart: activities per month, stacked by theme. Data comes from the
// json_script tag the page renders (the CSP allows no inline script).
(function () {
  "use strict";
  var canvas = document.getElementById("pairing-chart");
  var source = document.getElementById("pairing-chart-data");
  if (!canvas || !source || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var labels = document.getElementById("pairing-chart-labels");
  var palette = ["#b71c1c", "#ef6c00", "#2e7d32", "#1565c0", "#6a1b9a", "#00838f", "#5d4037"];
  var datasets = data.themes.map(function (theme, index) {
    return { type: "bar", label: theme.name, data: theme.counts, backgroundColor: palette[index % palette.length], stack: "themes" };
  });
  datasets.push({
    type: "line", label: labels ? labels.getAttribute("data-total") : "Total", data: data.total,
    borderColor: "#222", backgroundColor: "#222", tension: 0.2, stack: "total"
  });
  new Chart(canvas, {
    data: {
      labels: data.labels,
      datasets: datasets
    },
    options: {
      responsive: true, maintainAspectRatio: false,
      scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
      plugins: { legend: { position: "bottom" } }
    }
  });
})();

// The time left until the rating window ends, refreshed every minute ([data-countdown] = ISO end).
(function () {
  "use strict";
  var nodes = document.querySelectorAll("[data-countdown]");
  if (!nodes.length) return;
  var zh = (document.documentElement.lang || "").indexOf("zh") === 0;
  function render(node) {
    var left = new Date(node.getAttribute("data-countdown")) - new Date();
    if (isNaN(left)) return;
    if (left <= 0) { node.textContent = node.getAttribute("data-ended"); return; }
    var minutes = Math.floor(left / 60000);
    var days = Math.floor(minutes / 1440), hours = Math.floor((minutes % 1440) / 60), mins = minutes % 60;
    node.textContent = zh
      ? "距评价窗口结束还有 " + days + " 天 " + hours + " 小时 " + mins + " 分"
      : "The window ends in " + days + " d " + hours + " h " + mins + " min";
  }
  function tick() { nodes.forEach(render); }
  tick();
  window.setInterval(tick, 60000);
})();

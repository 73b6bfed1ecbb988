// The outstanding-projects form: count the ticked projects against the number to choose.
// Counted from the boxes themselves on every change, "tick all" and a restored page included, so
// the counter never lags behind what is ticked.
(function () {
  "use strict";
  var counter = document.querySelector("[data-outstanding-counter]");
  if (!counter) { return; }
  var form = counter.closest("form");
  var hint = document.querySelector("[data-outstanding-hint]");
  var target = parseInt(counter.getAttribute("data-target"), 10);
  function update() {
    var ticked = form.querySelectorAll("input[name=projects]:checked").length;
    counter.textContent = ticked + " / " + target;
    counter.classList.toggle("ok", ticked === target);
    counter.classList.toggle("bad", ticked !== target);
    if (hint) {
      var text = ticked < target ? hint.getAttribute("data-more") : ticked > target ? hint.getAttribute("data-fewer") : hint.getAttribute("data-ready");
      hint.textContent = "(" + text.replace("%(count)s", String(Math.abs(target - ticked))) + ")";
    }
  }
  form.addEventListener("change", update);
  form.addEventListener("input", update);
  // A page restored from the back-forward cache or by the browser's form restore keeps its ticks.
  window.addEventListener("pageshow", update);
  update();
})();

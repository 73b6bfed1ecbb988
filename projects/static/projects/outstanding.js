// The outstanding-projects form: count the ticked projects against the number to choose.
(function () {
  "use strict";
  var counter = document.querySelector("[data-outstanding-counter]");
  if (!counter) { return; }
  var target = parseInt(counter.getAttribute("data-target"), 10);
  var boxes = document.querySelectorAll("input[name=projects]");
  function update() {
    var ticked = 0;
    boxes.forEach(function (box) { if (box.checked) { ticked += 1; } });
    counter.textContent = ticked + " / " + target;
    counter.classList.toggle("ok", ticked === target);
    counter.classList.toggle("bad", ticked !== target);
  }
  boxes.forEach(function (box) { box.addEventListener("change", update); });
  update();
})();

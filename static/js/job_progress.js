// A background job's progress bar (templates/jobs/job_detail.html, the assessment export's page): polls
// the job's small JSON until it is done or failed, then shows its summary or download link, or its reason.
(function () {
  "use strict";
  var box = document.querySelector("[data-job-progress]");
  if (!box) { return; }
  var url = box.getAttribute("data-progress-url");
  var bar = box.querySelector("progress");
  var text = box.querySelector("[data-progress-text]");
  var status = box.querySelector("[data-status]");
  var message = box.querySelector("[data-message]");
  var download = box.querySelector("[data-download]");
  var error = box.querySelector("[data-error]");

  function show(job) {
    bar.max = Math.max(job.rows_total, 1);
    bar.value = job.status === "done" ? bar.max : job.rows_done;
    text.textContent = job.progress_text;
    status.textContent = job.status_label;
    status.className = "badge" + ({done: " ok", failed: " bad", running: " warn"}[job.status] || "");
    if (job.status === "done") {
      if (message && job.message) {
        message.textContent = job.message;
        message.hidden = false;
      }
      if (download && job.download_url) {
        download.href = job.download_url;
        download.hidden = false;
      }
    } else if (job.status === "failed") {
      error.textContent = job.error;
      error.hidden = false;
    }
    return job.status === "done" || job.status === "failed";
  }

  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(function (job) {
        if (!show(job)) { window.setTimeout(poll, 1000); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }

  if (!/\b(ok|bad)\b/.test(status.className)) { poll(); }
})();

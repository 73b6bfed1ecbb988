// The visit form, offline-first: every change is kept on the phone at once (IndexedDB), a kept
// draft comes back after a reload, Back, a crash or a closed tab; findings and photos (downscaled
// here: longest side 1600 px, JPEG, as the phone shows it) are written on the form; completing or
// saving puts the visit in the queue and sends it at once if the network allows.
(function () {
  "use strict";
  var form = document.querySelector("form[data-offline-visit]");
  var outbox = window.BranchtrackOutbox;
  var user = document.body.getAttribute("data-user");
  if (!form || !outbox || !user || !window.indexedDB) { return; }
  var strings = (document.getElementById("visit-offline-strings") || { dataset: {} }).dataset;
  var MAX_SIDE = 1600;
  var JPEG_QUALITY = 0.85;
  var formUrl = form.getAttribute("data-form-url");
  var draftId = "visit:" + user + ":" + formUrl;
  var keyInput = form.querySelector("[name=idempotency_key]");
  var findingList = form.querySelector("[data-finding-list]");
  var findingTemplate = document.getElementById("finding-template");
  var serverRefused = !!form.querySelector(".form-errors:not([data-client-errors]), .error");
  var draft = { id: draftId, user: user, key: keyInput.value, fields: {}, findings: [], photos: [], savedAt: null };
  var counter = 0;

  function format(template, values) {
    return (template || "").replace(/%\((\w+)\)s/g, function (_, key) { return values[key] === undefined ? "" : values[key]; });
  }
  function newKey() { return window.branchtrackNewKey(); }

  form.querySelectorAll("[data-photo-field], [data-findings], [data-location-field]").forEach(function (node) { node.hidden = false; });

  // --- fields <-> draft -------------------------------------------------------------------------
  var SKIPPED = ["csrfmiddlewaretoken", "idempotency_key", "findings", "device_time"];
  function readFields() {
    var fields = {};
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!element.name || element.type === "file" || element.type === "submit" || element.type === "button") { return; }
      if (SKIPPED.indexOf(element.name) !== -1 || element.hasAttribute("data-carried")) { return; }
      fields[element.name] = element.value;
    });
    return fields;
  }
  function writeFields(fields) {
    Object.keys(fields).forEach(function (name) {
      var element = form.elements.namedItem(name);
      if (element && element.type !== "file" && SKIPPED.indexOf(name) === -1) { element.value = fields[name]; }
    });
  }
  function readFindings() {
    return Array.prototype.map.call(findingList.querySelectorAll("[data-finding]"), function (entry) {
      var value = function (name) { return entry.querySelector("[data-f=" + name + "]").value; };
      return { key: entry.getAttribute("data-key"), kind: value("kind"), title: value("title"), description: value("description"), due_on: value("due_on") };
    });
  }
  function hasContent() {
    var fields = readFields();
    var typed = Object.keys(fields).some(function (name) {
      return /^(score_|remark_|overall_comment)/.test(name) && fields[name];
    });
    return typed || draft.findings.length > 0 || draft.photos.length > 0;
  }

  var saving = null;
  function save() {
    // Coalesce a burst of keystrokes into one write, but never later than the next frame or so.
    if (saving) { return; }
    saving = window.setTimeout(function () {
      saving = null;
      draft.fields = readFields();
      draft.findings = readFindings();
      draft.key = keyInput.value;
      draft.savedAt = new Date().toISOString();
      if (!hasContent()) { outbox.deleteDraft(draftId); return; }
      outbox.putDraft(draft);
    }, 120);
  }
  form.addEventListener("input", save);
  form.addEventListener("change", save);
  window.addEventListener("pagehide", function () {
    if (saving) { window.clearTimeout(saving); saving = null; }
    draft.fields = readFields();
    draft.findings = readFindings();
    draft.savedAt = new Date().toISOString();
    if (hasContent()) { outbox.putDraft(draft); }
  });

  // --- findings written on the form -------------------------------------------------------------
  function addFinding(data) {
    var entry = findingTemplate.content.firstElementChild.cloneNode(true);
    var key = (data && data.key) || newKey();
    counter += 1;
    entry.setAttribute("data-key", key);
    entry.querySelectorAll("[data-f]").forEach(function (input) {
      var id = "finding-" + counter + "-" + input.getAttribute("data-f");
      input.id = id;
      var label = entry.querySelector("label[data-for=" + input.getAttribute("data-f") + "]");
      if (label) { label.setAttribute("for", id); }
      if (data && data[input.getAttribute("data-f")] !== undefined && input.type !== "file") { input.value = data[input.getAttribute("data-f")]; }
    });
    var kind = entry.querySelector("[data-f=kind]");
    var due = entry.querySelector("[data-due]");
    var showDue = function () { due.hidden = kind.value !== "problem"; };
    kind.addEventListener("change", showDue);
    showDue();
    entry.querySelector("[data-f=photo]").setAttribute("data-photo-finding", key);
    entry.querySelector("[data-thumbs]").setAttribute("data-thumbs", "finding-" + key);
    entry.querySelector("[data-remove-finding]").addEventListener("click", function () {
      entry.remove();
      draft.photos = draft.photos.filter(function (photo) { return photo.findingKey !== key; });
      save();
    });
    findingList.appendChild(entry);
    return entry;
  }
  form.querySelector("[data-add-finding]").addEventListener("click", function () {
    addFinding(null).querySelector("[data-f=title]").focus();
    save();
  });

  // --- photos: downscaled on the phone before they are kept ------------------------------------
  function decode(file) {
    // `from-image` draws the photo the way the phone shows it (EXIF orientation applied), so the
    // JPEG made here (which has no EXIF) keeps the original's orientation.
    if (window.createImageBitmap) {
      return window.createImageBitmap(file, { imageOrientation: "from-image" }).catch(function () { return decodeWithImg(file); });
    }
    return decodeWithImg(file);
  }
  function decodeWithImg(file) {
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () {
        var image = new Image();
        image.onload = function () { resolve(image); };
        image.onerror = reject;
        image.src = reader.result;
      };
      reader.onerror = reject;
      reader.readAsDataURL(file);
    });
  }
  function draw(source, width, height) {
    var canvas = document.createElement("canvas");
    canvas.width = width;
    canvas.height = height;
    canvas.getContext("2d").drawImage(source, 0, 0, width, height);
    return canvas;
  }
  function shrink(file) {
    return decode(file).then(function (image) {
      var width = image.width;
      var height = image.height;
      var scale = Math.min(1, MAX_SIDE / Math.max(width, height));
      var canvas = draw(image, Math.round(width * scale), Math.round(height * scale));
      var thumbScale = Math.min(1, 160 / Math.max(width, height));
      var thumb = draw(image, Math.max(1, Math.round(width * thumbScale)), Math.max(1, Math.round(height * thumbScale))).toDataURL("image/jpeg", 0.7);
      return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", JPEG_QUALITY); }).then(function (blob) {
        return { blob: blob, width: canvas.width, height: canvas.height, thumb: thumb, originalSize: file.size };
      });
    });
  }
  function showThumbs() {
    form.querySelectorAll("[data-thumbs]").forEach(function (holder) { holder.innerHTML = ""; });
    draft.photos.forEach(function (photo) {
      var holder = form.querySelector("[data-thumbs='" + (photo.findingKey ? "finding-" + photo.findingKey : "item-" + photo.item) + "']");
      if (!holder) { return; }
      var figure = document.createElement("span");
      figure.className = "photo-thumb";
      var image = document.createElement("img");
      image.src = photo.thumb;
      image.alt = photo.name;
      image.setAttribute("data-testid", "photo-thumb");
      var caption = document.createElement("small");
      caption.textContent = format(strings.shrunk, { width: photo.width, height: photo.height, size: Math.round(photo.blob.size / 1024) });
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "link danger";
      remove.textContent = "×";
      remove.setAttribute("aria-label", photo.name);
      remove.addEventListener("click", function () {
        draft.photos = draft.photos.filter(function (other) { return other.key !== photo.key; });
        showThumbs();
        save();
      });
      figure.appendChild(image);
      figure.appendChild(caption);
      figure.appendChild(remove);
      holder.appendChild(figure);
    });
  }
  form.addEventListener("change", function (event) {
    var input = event.target;
    if (input.type !== "file" || !input.files || !input.files.length) { return; }
    var file = input.files[0];
    shrink(file).then(function (shrunk) {
      draft.photos.push({
        key: newKey(),
        item: input.getAttribute("data-photo-item") || "",
        findingKey: input.getAttribute("data-photo-finding") || "",
        blob: shrunk.blob,
        name: (file.name || "photo").replace(/\.[^.]*$/, "") + ".jpg",
        width: shrunk.width,
        height: shrunk.height,
        thumb: shrunk.thumb,
        originalSize: shrunk.originalSize
      });
      input.value = ""; // the downscaled copy is what is kept and sent, never the original
      showThumbs();
      save();
    }).catch(function () { window.alert(strings.photoFailed); });
  });

  // --- where: optional location with its accuracy ----------------------------------------------
  var locate = form.querySelector("[data-locate]");
  var locationText = form.querySelector("[data-location-text]");
  function showLocation() {
    var lat = form.elements.namedItem("latitude").value;
    var lon = form.elements.namedItem("longitude").value;
    locationText.textContent = lat && lon ? format(strings.located, { lat: lat, lon: lon, accuracy: form.elements.namedItem("location_accuracy_m").value || "?" }) : "";
  }
  locate.addEventListener("click", function () {
    if (!navigator.geolocation) { locationText.textContent = strings.noLocation; return; }
    locationText.textContent = strings.locating;
    navigator.geolocation.getCurrentPosition(function (position) {
      form.elements.namedItem("latitude").value = position.coords.latitude.toFixed(6);
      form.elements.namedItem("longitude").value = position.coords.longitude.toFixed(6);
      form.elements.namedItem("location_accuracy_m").value = String(Math.round(position.coords.accuracy));
      showLocation();
      save();
    }, function () { locationText.textContent = strings.noLocation; }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
  });

  // --- restoring a kept draft -----------------------------------------------------------------
  var notice = form.querySelector("[data-draft-notice]");
  function restore(kept) {
    draft = kept;
    draft.photos = draft.photos || [];
    keyInput.value = kept.key;
    if (!serverRefused) { writeFields(kept.fields || {}); }
    findingList.innerHTML = "";
    (kept.findings || []).forEach(addFinding);
    showThumbs();
    showLocation();
    var text = format(strings.restored, { time: (kept.savedAt || "").replace("T", " ").slice(0, 16) });
    if (kept.fixing && kept.fixing.reason) { text += " " + format(strings.fixing, { reason: kept.fixing.reason }); }
    notice.querySelector("[data-draft-text]").textContent = text;
    notice.hidden = false;
  }
  notice.querySelector("[data-discard-draft]").addEventListener("click", function () {
    if (!window.confirm(strings.confirmDiscard)) { return; }
    outbox.deleteDraft(draftId).then(function () {
      var url = new URL(window.location.href);
      window.location.assign(url.pathname + url.search);
    });
  });
  outbox.getDraft(draftId).then(function (kept) {
    if (kept && kept.user === user) { restore(kept); }
    else { draft.key = keyInput.value; }
  });

  // --- completing or saving: into the queue, sent at once when possible ------------------------
  var errorsBox = form.querySelector("[data-client-errors]");
  function clearErrors() {
    errorsBox.hidden = true;
    errorsBox.innerHTML = "";
    form.querySelectorAll("[data-client-error]").forEach(function (node) { node.remove(); });
    form.querySelectorAll(".field.has-error").forEach(function (node) { node.classList.remove("has-error"); });
  }
  function showErrors(errors) {
    clearErrors();
    var general = [];
    Object.keys(errors).forEach(function (name) {
      var element = form.elements.namedItem(name);
      var field = element && element.type !== "hidden" && element.closest ? element.closest(".field") : null;
      if (!field) { general = general.concat(errors[name]); return; }
      field.classList.add("has-error");
      errors[name].forEach(function (message) {
        var line = document.createElement("p");
        line.className = "error";
        line.setAttribute("data-client-error", "");
        line.textContent = message;
        field.appendChild(line);
      });
    });
    [strings.nothingSaved].concat(general).forEach(function (message) {
      var line = document.createElement("p");
      line.className = "error";
      line.textContent = message;
      errorsBox.appendChild(line);
    });
    errorsBox.hidden = false;
    errorsBox.scrollIntoView({ block: "center" });
  }
  function buttons(disabled) {
    form.querySelectorAll("button[type=submit]").forEach(function (button) { button.disabled = disabled; });
  }
  function branchLabel() {
    var select = form.elements.namedItem("branch");
    var option = select && select.selectedOptions && select.selectedOptions[0];
    return option && option.value ? option.text : "";
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (form.getAttribute("data-sending") === "1") { return; }
    form.setAttribute("data-sending", "1");
    buttons(true);
    if (saving) { window.clearTimeout(saving); saving = null; }
    var action = event.submitter && event.submitter.value ? event.submitter.value : "complete";
    form.elements.namedItem("device_time").value = new Date().toISOString();
    form.elements.namedItem("findings").value = JSON.stringify(readFindings());
    var fields = [];
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!element.name || element.type === "file" || element.type === "submit" || element.type === "button") { return; }
      if (element.name === "csrfmiddlewaretoken" || element.hasAttribute("data-carried")) { return; }
      fields.push([element.name, element.value]);
    });
    fields.push(["action", action]);
    fields.push(["template", form.getAttribute("data-template")]);
    var item = {
      key: keyInput.value,
      user: user,
      kind: "visit",
      url: form.getAttribute("data-sync-url"),
      photoUrl: form.getAttribute("data-photo-url"),
      formUrl: formUrl,
      title: [branchLabel(), form.elements.namedItem("visited_on").value].filter(Boolean).join(" · "),
      fields: fields,
      photos: draft.photos.map(function (photo) {
        return { key: photo.key, item: photo.item, findingKey: photo.findingKey, blob: photo.blob, name: photo.name, width: photo.width, height: photo.height };
      }),
      createdAt: new Date().toISOString(),
      attempts: 0,
      state: "waiting",
      lastResult: null
    };
    var keptDraft = { id: draft.id, user: user, key: item.key, fields: readFields(), findings: readFindings(), photos: draft.photos, savedAt: new Date().toISOString() };
    outbox.putItem(item)
      .then(function () { return outbox.deleteDraft(draftId); })
      .then(function () { return navigator.onLine ? outbox.sendAll({ user: user, only: item.key, loggedIn: true, announce: true }) : []; })
      .then(function (results) {
        var sent = (results || []).filter(function (result) { return result.key === item.key; })[0];
        return outbox.getItem(item.key).then(function (left) { return { left: left, sent: sent }; });
      })
      .then(function (outcome) {
        var left = outcome.left;
        form.removeAttribute("data-sending");
        if (!left && outcome.sent && outcome.sent.visitUrl) {
          // Received, photos and all: the visit's page, like an ordinary save.
          window.location.assign(outcome.sent.visitUrl);
          return;
        }
        if (!left) { return; }
        if (left.state === "refused" && !left.visitUrl && left.lastResult && left.lastResult.fix !== "login" && Object.keys(left.lastResult.errors || {}).length) {
          // The server refused the form itself: show why next to the fields; it stays a draft, not queued.
          return outbox.deleteItem(left.key).then(function () { return outbox.putDraft(keptDraft); }).then(function () {
            buttons(false);
            showErrors(left.lastResult.errors);
          });
        }
        // Kept in the queue (no network, or a refusal to fix from the list): a fresh form for the next visit.
        clearErrors();
        form.reset();
        ["device_time", "latitude", "longitude", "location_accuracy_m", "findings"].forEach(function (name) {
          form.elements.namedItem(name).value = "";
        });
        findingList.innerHTML = "";
        draft = { id: draftId, user: user, key: newKey(), fields: {}, findings: [], photos: [], savedAt: null };
        keyInput.value = draft.key;
        showThumbs();
        showLocation();
        notice.hidden = true;
        buttons(false);
        var queued = form.querySelector("[data-queued-notice]");
        queued.hidden = false;
        queued.focus();
        if (window.branchtrackQueued) { window.branchtrackQueued(); }
      })
      .catch(function () { form.removeAttribute("data-sending"); buttons(false); });
  });
})();

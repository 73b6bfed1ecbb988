// On every page: the service worker, the queue badge ("2 visits waiting to send") with its list,
// sending when the network returns, and logging out without losing (or leaking) unsent visits.
(function () {
  "use strict";
  var outbox = window.BranchtrackOutbox;
  if (!outbox || !window.indexedDB) { return; }
  var body = document.body;
  var offlinePage = body.hasAttribute("data-offline-page");
  var user = body.getAttribute("data-user") || "";
  var box = document.getElementById("outbox");
  var strings = box ? box.dataset : {};
  var WARM_EVERY_MS = 30 * 60 * 1000;

  function t(name, fallback) { return strings[name] || fallback; }
  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, key) { return values[key] === undefined ? "" : values[key]; });
  }
  function when(iso) {
    if (!iso) { return ""; }
    var date = new Date(iso);
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) + " " + pad(date.getHours()) + ":" + pad(date.getMinutes());
  }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  // --- the service worker ---------------------------------------------------------------------
  var worker = null;
  function ask(message) {
    if (!worker) { return Promise.resolve(); }
    // `ready` never settles where the worker cannot start (plain http): never wait for it for long.
    var late = new Promise(function (resolve) { window.setTimeout(function () { resolve(null); }, 8000); });
    return Promise.race([worker, late]).then(function (registration) {
      if (!registration) { return null; }
      var active = registration.active;
      if (!active) { return null; }
      return new Promise(function (resolve) {
        var channel = new MessageChannel();
        channel.port1.onmessage = function () { resolve(); };
        active.postMessage(message, [channel.port2]);
        window.setTimeout(resolve, 30000);
      });
    });
  }
  if ("serviceWorker" in navigator && body.getAttribute("data-sw-url")) {
    navigator.serviceWorker.register(body.getAttribute("data-sw-url"), { scope: "/" }).catch(function () { return null; });
    worker = navigator.serviceWorker.ready;
  }

  function warmPages() {
    var listUrl = body.getAttribute("data-offline-pages-url");
    if (!user || !listUrl || !navigator.onLine || !worker) { return Promise.resolve(); }
    var current = [window.location.pathname + window.location.search];
    var late = new Promise(function (resolve) { window.setTimeout(function () { resolve(null); }, 8000); });
    return Promise.race([worker, late]).then(function (registration) {
      // No worker (blocked, or plain http): nothing could keep the pages, so nothing is fetched.
      return registration ? outbox.getMeta("warmed:" + user) : "skip";
    }).then(function (at) {
      if (at === "skip") { return null; }
      if (at && Date.now() - at < WARM_EVERY_MS) {
        // The worker keeps the pages it serves; a page loaded before it took control is kept here.
        return navigator.serviceWorker.controller ? null : ask({ type: "warm", pages: current });
      }
      return fetch(listUrl, { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : { pages: [] }; })
        .then(function (data) { return ask({ type: "warm", pages: data.pages.concat(current) }); })
        .then(function () { return outbox.setMeta("warmed:" + user, Date.now()); });
    }).catch(function () { return null; });
  }

  // --- the queue badge ------------------------------------------------------------------------
  var open = false;
  function resultText(item) {
    var result = item.lastResult;
    if (!result) { return navigator.onLine ? t("never", "not sent yet") : t("network", "no network: sent when it returns"); }
    if (result.reason) { return result.reason; }
    if (result.code === "network") { return t("network", "no network: will send when it returns"); }
    if (result.code === "session") { return t("session", "your session ended: log in again"); }
    if (result.code === "server") { return format(t("server", "the server answered %(status)s: will try again"), { status: result.status }); }
    return "";
  }

  function fixButtons(item) {
    var wrap = el("span", { class: "outbox-fixes" });
    var fix = item.lastResult && item.lastResult.fix;
    if (item.state === "refused" && fix === "login") {
      var login = el("a", { class: "button secondary", href: "/accounts/login/?next=" + encodeURIComponent(window.location.pathname) }, t("login", "Log in again"));
      wrap.appendChild(login);
    }
    if (item.state === "refused" && (fix === "branch" || fix === "edit") && !item.visitUrl) {
      var edit = el("button", { type: "button", class: "secondary", "data-fix": item.key }, fix === "branch" ? t("chooseBranch", "Choose the branch") : t("edit", "Open in the form"));
      wrap.appendChild(edit);
    }
    if (item.state === "refused") {
      wrap.appendChild(el("button", { type: "button", class: "link danger", "data-discard": item.key }, t("discard", "Discard")));
    }
    return wrap;
  }

  function render() {
    if (!box) { return Promise.resolve(); }
    return outbox.itemsOf(user).then(function (items) {
      box.innerHTML = "";
      box.setAttribute("data-count", String(items.length));
      if (!items.length) { box.hidden = true; open = false; return; }
      box.hidden = false;
      var refused = items.filter(function (item) { return item.state === "refused"; }).length;
      var label = format(items.length === 1 ? t("one", "1 visit waiting to send") : t("many", "%(count)s visits waiting to send"), { count: items.length });
      if (refused) { label += " · " + format(t("refused", "%(count)s refused"), { count: refused }); }
      var badge = el("button", { type: "button", class: "outbox-badge" + (refused ? " refused" : ""), "aria-expanded": open ? "true" : "false", "aria-controls": "outbox-panel", "data-testid": "outbox-badge" }, label);
      badge.addEventListener("click", function () { open = !open; render(); });
      box.appendChild(badge);
      var panel = el("div", { id: "outbox-panel", class: "outbox-panel" });
      panel.hidden = !open;
      var list = el("ul", { class: "outbox-items" });
      items.forEach(function (item) {
        var row = el("li", { "data-testid": "outbox-item", "data-state": item.state });
        row.appendChild(el("strong", {}, item.title || item.key));
        var photos = (item.photos || []).length;
        var details = format(t("saved", "saved %(time)s"), { time: when(item.createdAt) });
        if (photos) { details += " · " + format(t("photos", "%(count)s photos"), { count: photos }); }
        if (item.visitUrl) { details += " · " + t("received", "visit received, photos still to send"); }
        row.appendChild(el("span", { class: "muted" }, " · " + details));
        var attempt = item.lastAttempt ? format(t("lastAttempt", "last attempt %(time)s: %(result)s"), { time: when(item.lastAttempt), result: resultText(item) }) : resultText(item);
        row.appendChild(el("p", { class: item.state === "refused" ? "error" : "help", "data-testid": "outbox-result" }, attempt));
        row.appendChild(fixButtons(item));
        list.appendChild(row);
      });
      panel.appendChild(list);
      var send = el("button", { type: "button", "data-testid": "outbox-send" }, t("sendNow", "Send now"));
      send.addEventListener("click", function () { sendNow(true); });
      panel.appendChild(send);
      box.appendChild(panel);
    });
  }

  // A send that found no network (or a server error) while the phone says it is online tries again
  // by itself, less and less often, so nothing waits for the next page load to leave.
  var retryTimer = null;
  var retryDelay = 5000;
  function retryLater() {
    window.clearTimeout(retryTimer);
    return outbox.itemsOf(user).then(function (items) {
      var waiting = items.some(function (item) { return item.state === "waiting"; });
      if (!waiting) { retryDelay = 5000; return; }
      askForBackgroundSync();
      if (!navigator.onLine) { return; }
      retryTimer = window.setTimeout(function () { sendNow(false); }, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 120000);
    });
  }

  function sendNow(retryRefused) {
    if (!user || offlinePage) { return Promise.resolve(); }
    return outbox.sendAll({ user: user, retryRefused: retryRefused, loggedIn: true })
      .then(render, render)
      .then(retryLater);
  }

  function askForBackgroundSync() {
    if (!worker) { return; }
    worker.then(function (registration) {
      if (registration.sync) { return registration.sync.register("bt-outbox"); }
      return null;
    }).catch(function () { return null; });
  }
  window.branchtrackQueued = function () { askForBackgroundSync(); return render(); };

  if (box) {
    box.addEventListener("click", function (event) {
      var discard = event.target.closest("[data-discard]");
      var fix = event.target.closest("[data-fix]");
      if (discard) {
        outbox.getItem(discard.getAttribute("data-discard")).then(function (item) {
          if (item && window.confirm(format(t("confirmDiscard", "Discard “%(title)s”? It was not received and will be lost."), { title: item.title }))) {
            return outbox.deleteItem(item.key);
          }
          return null;
        }).then(render);
      } else if (fix) {
        // Back into the form as a draft (same key: the server never stored it), to fix and send again.
        outbox.getItem(fix.getAttribute("data-fix")).then(function (item) {
          if (!item) { return; }
          var fields = {};
          var findings = [];
          item.fields.forEach(function (pair) {
            if (pair[0] === "findings") { try { findings = JSON.parse(pair[1] || "[]"); } catch (e) { findings = []; } }
            else { fields[pair[0]] = pair[1]; }
          });
          var draft = { id: "visit:" + user + ":" + item.formUrl, user: user, key: item.key, fields: fields, findings: findings, photos: item.photos || [], savedAt: new Date().toISOString(), fixing: item.lastResult };
          return outbox.putDraft(draft).then(function () { return outbox.deleteItem(item.key); })
            .then(function () { window.location.assign(item.formUrl); });
        });
      }
    });
  }

  outbox.onChange(function () { render(); });

  // --- logging out ----------------------------------------------------------------------------
  document.querySelectorAll("form[data-logout]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.getAttribute("data-cleared") === "1") { return; }
      event.preventDefault();
      outbox.itemsOf(user).then(function (items) {
        if (items.length) {
          var names = items.map(function (item) { return "“" + (item.title || item.key) + "”"; }).join("; ");
          if (!window.confirm(format(t("confirmLogout", "These visits are not sent yet: %(names)s. Log out and delete them from this phone?"), { names: names }))) {
            return false;
          }
        }
        // Nothing of this user stays for the next one: queue, drafts and kept pages.
        return outbox.forgetUser(user).then(function () { return ask({ type: "forget-pages", keep: "" }); }).then(function () { return true; });
      }).then(function (leave) {
        if (leave) { form.setAttribute("data-cleared", "1"); form.submit(); }
      });
    });
  });

  // --- start ----------------------------------------------------------------------------------
  function start() {
    var ready = Promise.resolve();
    if (offlinePage) {
      ready = outbox.getMeta("currentUser").then(function (found) { user = found || ""; });
    } else if (user) {
      ready = outbox.getMeta("currentUser").then(function (previous) {
        var saves = [outbox.setMeta("currentUser", user)];
        var csrf = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
        if (csrf) { saves.push(outbox.setMeta("csrf", decodeURIComponent(csrf[1]))); }
        if (previous && previous !== user) {
          // Another user on this phone: the pages kept for the previous one are never shown to this one.
          saves.push(ask({ type: "forget-pages", keep: user }));
        }
        return Promise.all(saves);
      });
    }
    ready.then(render).then(function () {
      if (user && !offlinePage && navigator.onLine) {
        return sendNow(false).then(warmPages);
      }
      // Offline with visits waiting: the browser's Background Sync sends them when the network returns.
      return user ? retryLater() : null;
    }).then(function () {
      document.documentElement.setAttribute("data-offline-ready", "1");
    });
  }
  window.addEventListener("online", function () { retryDelay = 5000; sendNow(false); });
  start();
})();

// The offline queue (待发送): visits and their photos kept in IndexedDB until the server has them.
// Loaded by every page and by the service worker (Background Sync), so both send the same way.
// Every visit and photo carries the idempotency key made on the phone: sending twice (page and
// worker at once, a lost answer, two tabs) stores it once on the server.
(function (global) {
  "use strict";
  var DB_NAME = "branchtrack";
  var DB_VERSION = 1;
  var dbPromise = null;
  var listeners = [];
  var channel = typeof BroadcastChannel !== "undefined" ? new BroadcastChannel("bt-outbox") : null;

  function db() {
    if (!dbPromise) {
      dbPromise = global.idb.openDB(DB_NAME, DB_VERSION, {
        upgrade: function (database) {
          database.createObjectStore("items", { keyPath: "key" }).createIndex("user", "user");
          database.createObjectStore("drafts", { keyPath: "id" }).createIndex("user", "user");
          database.createObjectStore("meta", { keyPath: "name" });
        }
      });
    }
    return dbPromise;
  }

  function announce() {
    if (channel) { channel.postMessage("changed"); }
    listeners.forEach(function (listener) { listener(); });
  }
  if (channel) {
    channel.onmessage = function () { listeners.forEach(function (listener) { listener(); }); };
  }

  function getMeta(name) {
    return db().then(function (database) { return database.get("meta", name); })
      .then(function (row) { return row ? row.value : null; });
  }
  function setMeta(name, value) {
    return db().then(function (database) { return database.put("meta", { name: name, value: value }); });
  }

  function itemsOf(user) {
    if (!user) { return Promise.resolve([]); }
    return db().then(function (database) { return database.getAllFromIndex("items", "user", String(user)); })
      .then(function (rows) { return rows.sort(function (a, b) { return a.createdAt < b.createdAt ? -1 : 1; }); });
  }
  function getItem(key) { return db().then(function (database) { return database.get("items", key); }); }
  function putItem(item) {
    return db().then(function (database) { return database.put("items", item); }).then(function () { announce(); });
  }
  function deleteItem(key) {
    return db().then(function (database) { return database.delete("items", key); }).then(function () { announce(); });
  }

  function getDraft(id) { return db().then(function (database) { return database.get("drafts", id); }); }
  function putDraft(draft) { return db().then(function (database) { return database.put("drafts", draft); }); }
  function deleteDraft(id) { return db().then(function (database) { return database.delete("drafts", id); }); }

  // Logging out (after asking): this user's queue and drafts leave the phone.
  function forgetUser(user) {
    return db().then(function (database) {
      var tx = database.transaction(["items", "drafts"], "readwrite");
      return Promise.all([
        tx.objectStore("items").index("user").getAllKeys(String(user)),
        tx.objectStore("drafts").index("user").getAllKeys(String(user))
      ]).then(function (keys) {
        keys[0].forEach(function (key) { tx.objectStore("items").delete(key); });
        keys[1].forEach(function (key) { tx.objectStore("drafts").delete(key); });
        return tx.done;
      });
    }).then(function () { announce(); });
  }

  // What an answer means for the queue: sent, refused (kept with its reason and fix) or try again later.
  function readAnswer(response) {
    var type = response.headers.get("Content-Type") || "";
    if (type.indexOf("application/json") === 0) {
      return response.json().then(function (answer) {
        answer.status = response.status;
        if (!answer.ok && answer.fix === "wait") { answer.transient = true; }
        return answer;
      });
    }
    if (response.status === 403 || response.status === 401 || response.redirected) {
      // Django's CSRF refusal or a login page: the session ended (or changed) since the page was loaded.
      return Promise.resolve({ ok: false, status: response.status, code: "session", fix: "login" });
    }
    return Promise.resolve({ ok: false, status: response.status, code: "server", transient: true });
  }

  function post(url, form, csrf) {
    return global.fetch(url, {
      method: "POST",
      body: form,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf || "", Accept: "application/json" }
    });
  }

  function settle(item, answer) {
    item.lastResult = {
      kind: answer.transient ? "waiting" : "refused",
      code: answer.code || "",
      reason: answer.reason || "",
      fix: answer.fix || "",
      errors: answer.errors || {},
      status: answer.status
    };
    item.state = answer.transient ? "waiting" : "refused";
    return putItem(item).then(function () { return item; });
  }

  // Send one queued visit, then its photos one by one (small requests: each retries on its own).
  // `announce`: sent from the form just now, so the visit's page greets it like an ordinary save.
  function sendItem(item, csrf, announce) {
    item.attempts = (item.attempts || 0) + 1;
    item.lastAttempt = new Date().toISOString();
    item.state = "sending";
    var visitStep = Promise.resolve({ ok: true });
    if (!item.visitUrl) {
      var form = new FormData();
      item.fields.forEach(function (pair) { form.append(pair[0], pair[1]); });
      if (announce) { form.append("announce", "1"); }
      visitStep = post(item.url, form, csrf).then(readAnswer).then(function (answer) {
        if (answer.ok) {
          item.visitUrl = answer.url;
          item.receivedAt = answer.received_at;
          return putItem(item).then(function () { return answer; });
        }
        return answer;
      });
    }
    return visitStep.then(function (answer) {
      if (!answer.ok) { return settle(item, answer); }
      var pending = (item.photos || []).filter(function (photo) { return !photo.sent; });
      return pending.reduce(function (previous, photo) {
        return previous.then(function (failed) {
          if (failed) { return failed; }
          var form = new FormData();
          form.append("visit_key", item.key);
          form.append("idempotency_key", photo.key);
          form.append("item", photo.item || "");
          form.append("finding_key", photo.findingKey || "");
          form.append("photo", photo.blob, photo.name || "photo.jpg");
          return post(item.photoUrl, form, csrf).then(readAnswer).then(function (photoAnswer) {
            if (!photoAnswer.ok) { return photoAnswer; }
            photo.sent = true;
            photo.blob = null; // the server has it: free the phone's storage
            return putItem(item).then(function () { return null; });
          });
        });
      }, Promise.resolve(null)).then(function (failed) {
        if (failed) { return settle(item, failed); }
        item.state = "sent";
        return deleteItem(item.key).then(function () { return item; });
      });
    }).catch(function () {
      // No network (or it broke mid-way): the item waits; what was already received stays received.
      return settle(item, { transient: true, code: "network" });
    });
  }

  function withLock(task) {
    if (global.navigator && global.navigator.locks) {
      return global.navigator.locks.request("bt-outbox", task);
    }
    return task();
  }

  function csrfToken() {
    if (global.document) {
      var match = global.document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
      if (match) { return Promise.resolve(decodeURIComponent(match[1])); }
    } else if (global.cookieStore) {
      return global.cookieStore.get("csrftoken").then(function (cookie) {
        return cookie ? cookie.value : getMeta("csrf");
      }).catch(function () { return getMeta("csrf"); });
    }
    return getMeta("csrf");
  }

  // Send what this user has waiting. `retryRefused`: also items the server refused (the user asked,
  // or logged in again); a refusal that needs a fix comes back refused with the same reason.
  function sendAll(options) {
    options = options || {};
    return withLock(function () {
      return Promise.all([options.user ? Promise.resolve(options.user) : getMeta("currentUser"), csrfToken()])
        .then(function (found) {
          var user = found[0];
          var csrf = found[1];
          return itemsOf(user).then(function (items) {
            var todo = items.filter(function (item) {
              if (options.only && item.key !== options.only) { return false; }
              if (item.state !== "refused") { return true; }
              return options.retryRefused || (item.lastResult && item.lastResult.fix === "login" && options.loggedIn);
            });
            return todo.reduce(function (previous, item) {
              return previous.then(function (results) {
                return sendItem(item, csrf, options.announce).then(function (sent) { results.push(sent); return results; });
              });
            }, Promise.resolve([]));
          });
        });
    });
  }

  global.BranchtrackOutbox = {
    getMeta: getMeta,
    setMeta: setMeta,
    itemsOf: itemsOf,
    getItem: getItem,
    putItem: putItem,
    deleteItem: deleteItem,
    getDraft: getDraft,
    putDraft: putDraft,
    deleteDraft: deleteDraft,
    forgetUser: forgetUser,
    sendAll: sendAll,
    onChange: function (listener) { listeners.push(listener); }
  };
})(self);

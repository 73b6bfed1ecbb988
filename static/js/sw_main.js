// The service worker's behaviour (imported by /sw.js after Workbox, idb and outbox.js).
//  - the shell and the visit form's assets are precached (list and revisions from /sw.js);
//  - pages: network first (4 s), kept per user, so "my branches", the visit form and the last
//    visits open without a signal after one online visit; a page never opened online gets the
//    offline page; another user's kept pages are never served;
//  - Background Sync sends the queue (static/js/outbox.js) when the browser sees the network return.
/* global workbox, BranchtrackOutbox */
(function () {
  "use strict";
  var config = self.BT_CONFIG;
  var PAGES_PREFIX = "bt-pages-";
  var NEVER_KEPT = [/^\/admin\//, /^\/accounts\//, /^\/i18n\//, /^\/sw\.js$/];

  workbox.core.setCacheNameDetails({ prefix: "bt" });
  workbox.precaching.precacheAndRoute(config.precache);
  workbox.precaching.cleanupOutdatedCaches();

  self.addEventListener("install", function () { self.skipWaiting(); });
  self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

  function pagesCache() {
    return BranchtrackOutbox.getMeta("currentUser").then(function (user) {
      return PAGES_PREFIX + (user || "nobody");
    });
  }

  function keepable(url, response) {
    if (!response || response.status !== 200 || response.redirected) { return false; }
    if ((response.headers.get("Content-Type") || "").indexOf("text/html") !== 0) { return false; }
    return !NEVER_KEPT.some(function (pattern) { return pattern.test(url.pathname); });
  }

  var strategies = {};
  function pageStrategy(cacheName) {
    if (!strategies[cacheName]) {
      strategies[cacheName] = new workbox.strategies.NetworkFirst({
        cacheName: cacheName,
        networkTimeoutSeconds: 4,
        // Pages vary by cookie and language; the cache is the user's own already, and a page kept in
        // the language it was read in is still the right page offline.
        matchOptions: { ignoreVary: true },
        plugins: [
          {
            cacheWillUpdate: function (args) {
              return Promise.resolve(keepable(new URL(args.request.url), args.response) ? args.response : null);
            },
            // Nothing kept under this exact address: the same page with other parameters (the visit
            // form for another branch), else the offline page.
            handlerDidError: function (args) {
              return caches.open(cacheName).then(function (cache) {
                return cache.match(args.request.url, { ignoreSearch: true, ignoreVary: true });
              }).then(function (hit) {
                return hit || workbox.precaching.matchPrecache(config.offlineUrl);
              });
            }
          },
          new workbox.expiration.ExpirationPlugin({ maxEntries: 80 })
        ]
      });
    }
    return strategies[cacheName];
  }

  workbox.routing.registerRoute(
    function (options) { return options.request.mode === "navigate" && options.url.origin === self.location.origin; },
    function (options) {
      return pagesCache().then(function (cacheName) { return pageStrategy(cacheName).handle(options); });
    }
  );

  // Other static files (charts, other pages' scripts): served at once from the cache, refreshed behind.
  workbox.routing.registerRoute(
    function (options) { return options.url.origin === self.location.origin && options.url.pathname.indexOf(config.staticUrl) === 0; },
    new workbox.strategies.StaleWhileRevalidate({
      cacheName: "bt-static",
      plugins: [new workbox.cacheableResponse.CacheableResponsePlugin({ statuses: [200] })]
    })
  );

  // Keep the pages a visitor needs in the field (the page sends their list after it loads).
  function warm(pages) {
    return pagesCache().then(function (cacheName) {
      return caches.open(cacheName).then(function (cache) {
        return Promise.all(pages.map(function (page) {
          var url = new URL(page, self.location.origin);
          return fetch(url.href, { credentials: "same-origin" }).then(function (response) {
            if (keepable(url, response)) { return cache.put(url.href, response); }
            return null;
          }).catch(function () { return null; });
        }));
      });
    });
  }

  function forgetPages(keep) {
    return caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf(PAGES_PREFIX) === 0 && name !== PAGES_PREFIX + keep;
      }).map(function (name) { return caches.delete(name); }));
    });
  }

  self.addEventListener("message", function (event) {
    var data = event.data || {};
    var reply = function () { if (event.ports && event.ports[0]) { event.ports[0].postMessage({ done: true }); } };
    if (data.type === "warm") {
      event.waitUntil(warm(data.pages || []).then(reply, reply));
    } else if (data.type === "forget-pages") {
      event.waitUntil(forgetPages(data.keep || "").then(reply, reply));
    } else if (data.type === "send") {
      event.waitUntil(BranchtrackOutbox.sendAll({ loggedIn: true }).then(reply, reply));
    }
  });

  self.addEventListener("sync", function (event) {
    if (event.tag === config.syncTag) {
      event.waitUntil(BranchtrackOutbox.sendAll({ loggedIn: true }));
    }
  });
})();

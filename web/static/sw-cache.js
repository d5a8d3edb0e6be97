// Caching rules: cache-first for versioned static files, the network for pages
// (which hold personal data and are never cached), and an offline page when it is down.
var ReachoutCache = (function () {
  "use strict";
  var CACHE = "reachout-static-v1";
  var OFFLINE_URL = "/offline";

  function precache() {
    return caches.open(CACHE).then(function (cache) { return cache.add(new Request(OFFLINE_URL, { cache: "reload" })); });
  }

  function cleanUp() {
    return caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) { return name !== CACHE; }).map(function (name) { return caches.delete(name); }));
    });
  }

  function isVersionedStatic(url) {
    return url.origin === self.location.origin && url.pathname.indexOf("/static/") === 0 && url.searchParams.has("v");
  }

  function respond(request) {
    if (request.method !== "GET") return null;
    var url = new URL(request.url);
    if (isVersionedStatic(url)) {
      return caches.open(CACHE).then(function (cache) {
        return cache.match(request).then(function (hit) {
          return hit || fetch(request).then(function (response) {
            if (response.ok) cache.put(request, response.clone());
            return response;
          });
        });
      });
    }
    if (request.mode === "navigate") {
      return fetch(request).catch(function () {
        return caches.open(CACHE).then(function (cache) { return cache.match(OFFLINE_URL); });
      });
    }
    return null;
  }

  return { precache: precache, cleanUp: cleanUp, respond: respond };
})();

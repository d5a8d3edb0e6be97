// The service worker only wires events; the caching rules live in sw-cache.js.
importScripts("/static/sw-cache.js");

self.addEventListener("install", function (event) {
  event.waitUntil(ReachoutCache.precache().then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(ReachoutCache.cleanUp().then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var response = ReachoutCache.respond(event.request);
  if (response) event.respondWith(response);
});

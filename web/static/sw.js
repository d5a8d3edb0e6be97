// The service worker only wires events; caching rules live in sw-cache.js and
// what a reminder shows, and what tapping it does, in sw-push.js.
importScripts("/static/sw-cache.js", "/static/sw-push.js");

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

self.addEventListener("push", function (event) {
  event.waitUntil(ReachoutPush.show(event.data));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  event.waitUntil(ReachoutPush.click(event.notification, event.action));
});

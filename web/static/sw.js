// The service worker only wires events: caching rules live in sw-cache.js, reminders in
// sw-push.js, and the queue of swaps made offline in outbox.js (shared with the pages).
// /sw.js is served by server/home/routes.py, which puts REACHOUT_VERSION, REACHOUT_SHELL and
// REACHOUT_IMPORTS in front of this file.
importScripts.apply(self, REACHOUT_IMPORTS);
ReachoutCache.setup(REACHOUT_VERSION, REACHOUT_SHELL);

// No skipWaiting here: a new version waits until the page's "Reload" button asks for it,
// so an open page never runs against a worker and files it was not built for.
self.addEventListener("install", function (event) {
  event.waitUntil(ReachoutCache.precache());
});

self.addEventListener("activate", function (event) {
  event.waitUntil(ReachoutCache.cleanUp().then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  // What is done once a page is on its way (kept, and whose it is) is waited for too.
  var response = ReachoutCache.respond(event.request, function (work) { event.waitUntil(work); });
  if (response) event.respondWith(response);
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "skip-waiting") self.skipWaiting();
  if (data.type === "claim") event.waitUntil(self.clients.claim());
  // The page on screen says who is signed in: another account's kept pages go, and theirs
  // to swap with (My QR, Scan, Tap) are kept if they are not yet (sw-cache.js).
  if (data.type === "signed-in") {
    event.waitUntil(ReachoutCache.signedIn(data.account, function (work) { event.waitUntil(work); }));
  }
  // With ``form``, the address of a form sent in place on it: what else it changed
  // (sw-cache.js keepAlso).
  if (data.type === "keep-page") {
    event.waitUntil(Promise.all([
      ReachoutCache.keep(data.url, data.changed), ReachoutCache.keepAlso(data.form, data.url),
    ]));
  }
  if (data.type === "flush") event.waitUntil(flushWhileOpen());
});

self.addEventListener("sync", function (event) {
  if (event.tag !== ReachoutOutbox.SYNC_TAG) return;
  event.waitUntil(ReachoutOutbox.flush().then(function (left) {
    return tellPages().then(function () {
      // A rejected sync is tried again later by the browser.
      if (left > 0) throw new Error(left + " swaps still waiting for the network");
    });
  }));
});

// A page without outbox.js asks for a flush as it loads and as the network returns (app.js),
// and the phone says "online" a moment before a request gets through: the first tries then
// fail, and nothing would ask again until another page loads (or Background Sync, where there
// is one, fires minutes later). While some wait and a page is open, tried again, less often
// each time, well within the minutes a worker is given for one event. One such round at a time.
var RETRY_WAITS_MS = [2000, 5000, 15000, 40000, 90000];
var retrying = null;

function flushWhileOpen() {
  return ReachoutOutbox.flush().then(function (left) {
    return tellPages().then(function () {
      if (!left || retrying) return retrying;
      retrying = retryRound(0).then(function () { retrying = null; }, function () { retrying = null; });
      return retrying;
    });
  });
}

function retryRound(index) {
  if (index >= RETRY_WAITS_MS.length) return Promise.resolve();
  return new Promise(function (resolve) { setTimeout(resolve, RETRY_WAITS_MS[index]); }).then(function () {
    return self.clients.matchAll({ type: "window" });
  }).then(function (windows) {
    if (!windows.length) return null;
    return ReachoutOutbox.flush().then(function (left) {
      return tellPages().then(function () { return left ? retryRound(index + 1) : null; });
    });
  });
}

// With what was typed and refused, still to be typed again: a page with no list of them
// says so from this (app.js).
function tellPages() {
  return ReachoutOutbox.unresolved().then(function (failed) {
    return self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (windows) {
      windows.forEach(function (client) { client.postMessage({ type: "outbox-changed", failed: failed }); });
    });
  });
}

self.addEventListener("push", function (event) {
  event.waitUntil(ReachoutPush.show(event.data));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  event.waitUntil(ReachoutPush.click(event.notification, event.action));
});

// Caching rules. Versioned static files: cache-first from a cache named after the worker's
// version. The signed-in app's own pages: network-first, keeping the last good copy so the app
// opens at a venue with no network. Everything else (other people's /c/ cards, fragments,
// photos, POSTs) goes to the network untouched, with an offline page for navigations (a
// form's POST too).
var ReachoutCache = (function () {
  "use strict";

  function patterns(sources) {
    return sources.map(function (source) { return new RegExp(source); });
  }

  var PREFIX = "reachout-";
  var PAGES = "reachout-pages";
  var OFFLINE_URL = REACHOUT_URLS.offline;
  // My card, my QR and my contacts: what someone needs at a venue, as the route table has
  // them (put in front of sw.js by the server). Not /c/<token>: those are other people's
  // cards, which stay on the server.
  var APP_PAGES = patterns(REACHOUT_URLS.offline_pages);
  // Forms that take something back: once one works, the page above it goes from the kept
  // copies, with what is under it (/contacts/5/remove: /contacts/5), and the list above that
  // (/contacts) is kept again before the form's answer comes (else, offline at once, the kept
  // list still shows who was taken back). Forms that may block
  // someone: my contacts go (the list and every contact's page), kept again when opened.
  var TAKING_BACK = patterns(REACHOUT_URLS.taking_back);
  var BLOCKING = patterns(REACHOUT_URLS.blocking);
  var CONTACTS_PAGES = patterns(REACHOUT_URLS.contacts_pages);
  // The query parameters that only add a one-off notice ("Removed Mia", with Undo): such a
  // page is not kept as it came, but a plain copy of its address is fetched to keep.
  var NOTICE_PARAMS = ["notice", "removed"];
  var KEEP_AGAIN_MS = 10000;
  var staticCache = PREFIX + "static";
  var shell = [];
  var keptAt = {};

  function setup(version, urls) {
    staticCache = PREFIX + "static-" + version;
    shell = urls;
  }

  function precache() {
    return caches.open(staticCache).then(function (cache) {
      return cache.addAll(shell.concat([new Request(OFFLINE_URL, { cache: "reload" })]));
    });
  }

  function cleanUp() {
    return caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf(PREFIX) === 0 && name !== staticCache && name !== PAGES;
      }).map(function (name) { return caches.delete(name); }));
    });
  }

  function isVersionedStatic(url) {
    return url.pathname.indexOf(REACHOUT_URLS.static) === 0 && url.searchParams.has("v");
  }

  // The key a page is kept under, or null when this URL is not to be kept.
  function pageKey(url) {
    if (url.origin !== self.location.origin || !APP_PAGES.some(function (page) { return page.test(url.pathname); })) return null;
    var plain = true;
    url.searchParams.forEach(function (value, name) {
      if (NOTICE_PARAMS.indexOf(name) < 0) plain = false;
    });
    return plain ? url.origin + url.pathname : null;
  }

  // After a form that took something back or blocked someone: the kept copies it made wrong.
  function forgetAfter(url) {
    var matches = function (form) { return form.test(url.pathname); };
    var above = url.origin + url.pathname.replace(/\/[^/]*$/, "");
    var wrong, then = function () {};
    if (TAKING_BACK.some(matches)) {
      wrong = function (kept) { return kept.url === above || kept.url.indexOf(above + "/") === 0; };
      then = function () { return keep(above.replace(/\/[^/]*$/, ""), true); };
    } else if (BLOCKING.some(matches)) {
      wrong = function (kept) {
        var path = new URL(kept.url).pathname;
        return CONTACTS_PAGES.some(function (page) { return page.test(path); });
      };
      then = function () { return keep(url.origin + REACHOUT_URLS.contacts); };
    } else return Promise.resolve();
    return caches.open(PAGES).then(function (cache) {
      return cache.keys().then(function (requests) {
        return Promise.all(requests.filter(wrong).map(function (kept) {
          delete keptAt[kept.url];
          return cache.delete(kept);
        }));
      });
    }).then(then);
  }

  function worthKeeping(response) {
    return response.status === 200 && response.type === "basic" && !response.redirected;
  }

  function store(key, response) {
    keptAt[key] = Date.now();
    return caches.open(PAGES).then(function (cache) { return cache.put(key, response); });
  }

  function offlinePage() {
    return caches.match(OFFLINE_URL, { cacheName: staticCache }).then(function (hit) {
      return hit || caches.match(OFFLINE_URL);
    });
  }

  function fromStatic(request) {
    return caches.open(staticCache).then(function (cache) {
      return cache.match(request).then(function (hit) {
        return hit || fetch(request).then(function (response) {
          if (response.status === 200) cache.put(request, response.clone());
          return response;
        }).catch(function (error) {
          // An older kept page asks for an older version: the current one is better than nothing.
          return caches.match(request, { ignoreSearch: true, cacheName: staticCache }).then(function (other) {
            if (other) return other;
            throw error;
          });
        });
      });
    });
  }

  function lastCopy(key) {
    return caches.open(PAGES).then(function (cache) { return cache.match(key, { ignoreVary: true }); });
  }

  function page(request, url) {
    var key = pageKey(url);
    var home = url.origin === self.location.origin && url.pathname === REACHOUT_URLS.home;
    return fetch(request).then(function (response) {
      // With a notice, the page's message to keep it (app.js) fetches a plain copy.
      if (key && !url.search && worthKeeping(response)) store(key, response.clone());
      // A contact removed or blocked (404), a page gone (410): its kept copy goes too.
      if (key && (response.status === 404 || response.status === 410)) {
        caches.open(PAGES).then(function (cache) { cache.delete(key); });
      }
      return response;
    }).catch(function () {
      // "/" sends a signed-in person to their QR: offline, show the kept one.
      var wanted = key || (home ? url.origin + REACHOUT_URLS.share : null);
      return (wanted ? lastCopy(wanted) : Promise.resolve(null)).then(function (hit) {
        return hit || offlinePage();
      });
    });
  }

  // A page that reached the screen without passing through respond() (the first visit, before
  // this worker was in charge, or the page a form POST redirected to), or changed in place
  // since (`changed`): fetch a copy to keep.
  function keep(href, changed) {
    var url = new URL(href, self.location.origin);
    var key = pageKey(url);
    // Kept a moment ago by page(), unless something just changed (saved in place, a notice).
    var fresh = !changed && !url.search && Date.now() - (keptAt[key] || 0) < KEEP_AGAIN_MS;
    if (!key || fresh) return Promise.resolve();
    keptAt[key] = Date.now();
    return fetch(key, { credentials: "same-origin" }).then(function (response) {
      if (worthKeeping(response)) return store(key, response);
    }).catch(function () {});
  }

  function respond(request) {
    var url = new URL(request.url);
    if (request.mode === "navigate" && request.cache === "only-if-cached" && url.origin === self.location.origin) {
      // Back (or Forward) to a page that was a form's answer: the browser asks for it from
      // its cache alone, which a fetch from here cannot do. That is no network failure: the
      // page at that address comes anew, as a GET, rather than "You're offline" (or the form
      // sent twice).
      return page(new Request(request.url, { credentials: "same-origin" }), url);
    }
    if (request.method !== "GET") {
      // A plain form sent without a network (the page thought it was online): our offline
      // page, which says nothing reached us and Back has the form, not the browser's own.
      if (request.mode !== "navigate" || url.origin !== self.location.origin) return null;
      return fetch(request).then(function (response) {
        // A navigation's redirect comes back unopened: our forms redirect once they worked.
        var worked = response.ok || response.type === "opaqueredirect";
        if (!worked) return response;
        // The form did its work: a copy that could not be forgotten is no reason to say
        // "You're offline" (what the catch below would).
        return forgetAfter(url).catch(function () {}).then(function () { return response; });
      }).catch(offlinePage);
    }
    if (url.origin !== self.location.origin) return null;
    if (isVersionedStatic(url)) return fromStatic(request);
    if (request.mode === "navigate") return page(request, url);
    return null;
  }

  return { setup: setup, precache: precache, cleanUp: cleanUp, respond: respond, keep: keep };
})();

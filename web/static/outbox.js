// Swaps made without a network (a scanned QR, a typed code, a guest's details) wait here, in
// IndexedDB, until they reach the server. Loaded by the pages (<script>) and by the service
// worker (importScripts), so both replay the queue the same way; each record's key makes a
// replay harmless on the server, and a Web Lock per record keeps the two from sending at once.
var ReachoutOutbox = (function () {
  "use strict";
  var DB = "reachout";
  var STORE = "outbox";
  var SYNC_TAG = "reachout-outbox";
  // The service worker has our URLs in front of it; a page has them on its <html>.
  var URLS = self.REACHOUT_URLS || JSON.parse(document.documentElement.dataset.urls);
  var DAY_MS = 24 * 3600 * 1000;
  var POST_TIMEOUT_MS = 20000;
  var FALLBACK_FAILED = "This swap could not be made.";
  var inPage = typeof document !== "undefined";
  var sending = {};
  var opening = null;

  function open() {
    if (!opening) {
      opening = new Promise(function (resolve, reject) {
        var request = indexedDB.open(DB, 1);
        request.onupgradeneeded = function () { request.result.createObjectStore(STORE, { keyPath: "key" }); };
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { opening = null; reject(request.error); };
      });
    }
    return opening;
  }

  function run(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var result = work(tx.objectStore(STORE));
        tx.oncomplete = function () { resolve(result && "result" in result ? result.result : undefined); };
        tx.onerror = tx.onabort = function () { reject(tx.error); };
      });
    });
  }

  function all() { return run("readonly", function (store) { return store.getAll(); }); }
  function get(key) { return run("readonly", function (store) { return store.get(key); }); }
  function put(record) { return run("readwrite", function (store) { store.put(record); }).then(changed); }
  function remove(keys) {
    return run("readwrite", function (store) { keys.forEach(function (key) { store.delete(key); }); });
  }

  // One POST. Resolves with the record as it now is; a network error or a busy server
  // leaves it pending, as does a body that is not the JSON answer we expect. sent_at is this
  // clock now: the server places the swap (sent_at - made_at) before its own now, so a phone
  // clock minutes slow or fast does not put a code typed at once before the code existed.
  function post(record) {
    return fetch(URLS.sync_action, {
      method: "POST",
      credentials: "same-origin",
      // Wi-Fi that connects and never answers would hold this record's lock, and the other
      // context waiting for it, for minutes: given up on, it stays pending and is tried again.
      signal: AbortSignal.timeout ? AbortSignal.timeout(POST_TIMEOUT_MS) : undefined,
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({
        key: record.key, kind: record.kind, made_at: record.made_at, sent_at: Date.now(), payload: record.payload,
      }),
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (answer) {
        if (response.ok && answer.status === "done") {
          return settle(record, { status: "done", message: answer.message || "Swapped.", url: answer.url || "", name: answer.name || "" });
        }
        if (response.status >= 400 && response.status < 500 && response.status !== 429) {
          return settle(record, { status: "failed", message: answer.message || FALLBACK_FAILED });
        }
        if (response.status === 429 && answer.retry_after) {
          return settle(record, { retry_at: Date.now() + answer.retry_after * 1000 });
        }
        return record;
      });
    }, function () { return record; });
  }

  function settle(record, changes) {
    if (changes.status) changes.settled_at = Date.now();
    Object.keys(changes).forEach(function (name) { record[name] = changes[name]; });
    return put(record).then(function () { return record; });
  }

  // Sends one record unless this context is already sending it. Another context (the page or
  // the worker) sending it holds its lock: this one waits for it, then re-reads the record, so
  // it finds what the other made of it, or sends it itself if the other could not. (Giving up
  // at once left a swap pending when the worker's sync, woken as the network came back, tried
  // a moment too early while the page's own try found the lock taken.)
  function attempt(record) {
    if (sending[record.key]) return Promise.resolve(record);
    sending[record.key] = true;
    function go() {
      return get(record.key).then(function (current) {
        if (!current || current.status !== "pending") return current || record;
        // The other context was just told to wait (a 429): so is this one.
        if (current.retry_at > Date.now()) return current;
        return post(current);
      });
    }
    var done = typeof navigator !== "undefined" && navigator.locks
      ? navigator.locks.request("reachout-outbox-" + record.key, go)
      : go();
    return done.then(function (result) { delete sending[record.key]; return result; },
      function (error) { delete sending[record.key]; throw error; });
  }

  function registerSync() {
    if (!inPage || !("serviceWorker" in navigator)) return;
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.sync) return registration.sync.register(SYNC_TAG);
    }).catch(function () {});
  }

  // Store first, so closing the app now loses nothing; then try once. ``options``: the key
  // and moment of a form already sent under that key, whose answer never came (tap.js),
  // so the server answers this copy as it answered that one, if it got it; and ``stored``,
  // called with the record once it is kept, before the try: a form is ready for the next
  // swap then, not when a try on Wi-Fi that never answers gives up (POST_TIMEOUT_MS).
  function send(kind, payload, label, options) {
    var given = options || {};
    var record = {
      key: given.key || self.ReachoutNewKey(), kind: kind, payload: payload,
      made_at: given.made_at || Date.now(), status: "pending", message: "", url: "", label: label,
    };
    var kept = put(record);
    // Apart from the try: whatever the callback does, the record is still sent. Not kept,
    // the promise returned says so.
    if (given.stored) kept.then(function () { given.stored(record); }, function () {});
    return kept.then(function () { return attempt(record); }).then(function (result) {
      if (result.status === "pending") {
        registerSync();
        retryLater(1);
      }
      return result;
    });
  }

  // Replays every pending record, one after another; resolves with how many are still pending.
  function flush() {
    return all().then(function (records) {
      var now = Date.now();
      var old = records.filter(function (r) { return r.status !== "pending" && now - (r.settled_at || r.made_at) > DAY_MS; });
      var due = records.filter(function (r) { return r.status === "pending" && !(r.retry_at > now); });
      var left = records.filter(function (r) { return r.status === "pending"; }).length - due.length;
      var chain = old.length ? remove(old.map(function (r) { return r.key; })) : Promise.resolve();
      due.forEach(function (record) {
        chain = chain.then(function () { return attempt(record); }).then(function (result) {
          if (result.status === "pending") left += 1;
        });
      });
      return chain.then(function () {
        if (left > 0) registerSync();
        retryLater(left);
        return left;
      });
    });
  }

  // The phone can say it is online on Wi-Fi with nothing behind it (a captive portal, a
  // network that drops), where no "online" event comes when it works again, and Background
  // Sync (where there is one) waits minutes: while a page is open and something waits, it
  // tries again, less often the longer it fails.
  var RETRY_FIRST_MS = 5000;
  var RETRY_MOST_MS = 120000;
  var retryIn = RETRY_FIRST_MS;
  var retrying = null;

  function retryLater(left) {
    if (!inPage) return;
    if (!left) {
      retryIn = RETRY_FIRST_MS;
      return;
    }
    if (retrying !== null) return;
    retrying = setTimeout(function () {
      retrying = null;
      // Offline, the "online" event sends it.
      if (navigator.onLine !== false) flush().then(render, function () {});
    }, retryIn);
    retryIn = Math.min(retryIn * 2, RETRY_MOST_MS);
  }

  // The page's side: every [data-outbox] shows what is queued, and what came of it.
  function changed() {
    if (inPage) render();
  }

  function render() {
    var lists = document.querySelectorAll("[data-outbox]");
    if (!lists.length) return Promise.resolve();
    return all().then(function (records) {
      var now = Date.now();
      var shown = records.filter(function (r) { return r.status === "pending" || now - (r.settled_at || r.made_at) <= DAY_MS; });
      shown.sort(function (a, b) { return b.made_at - a.made_at; });
      lists.forEach(function (list) {
        var ul = document.createElement("ul");
        ul.className = "outbox";
        shown.forEach(function (record) { ul.appendChild(item(record)); });
        list.replaceChildren(ul);
        list.hidden = shown.length === 0;
      });
      // A page that said "kept on this phone" about one of them can say what became of it.
      document.dispatchEvent(new CustomEvent("reachout:outbox", { detail: records }));
    }).catch(function () {});
  }

  function item(record) {
    var li = document.createElement("li");
    li.className = "outbox-" + record.status;
    if (record.status === "pending") {
      li.textContent = record.label + " - Pending - will sync";
    } else if (record.status === "failed") {
      li.textContent = record.label + " - Not swapped: " + (record.message || FALLBACK_FAILED);
      retype(li, record);
    } else {
      li.textContent = record.message || "Swapped.";
      if (record.url) {
        var link = document.createElement("a");
        link.href = record.url;
        link.textContent = "Open";
        li.appendChild(document.createTextNode(" "));
        li.appendChild(link);
      }
    }
    return li;
  }

  // A typed code or a guest's details that failed go back into their form, to be put right
  // and sent again: what was typed is not lost with the row.
  var FORMS = { code: "code-form", guest: "guest-form" };

  function retype(li, record) {
    var form = document.getElementById(FORMS[record.kind] || "");
    if (!form) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "quiet";
    button.textContent = "Type again";
    button.setAttribute("aria-label", "Type again: " + record.label);
    button.addEventListener("click", function () {
      Object.keys(record.payload).forEach(function (name) {
        var field = form.elements[name];
        if (field && field.type !== "hidden") field.value = record.payload[name];
      });
      var folded = form.closest("details");
      if (folded) folded.open = true;
      remove([record.key]).then(render).then(function () {
        var first = form.querySelector("input:not([type=hidden])");
        if (first) first.focus();
      });
    });
    li.appendChild(document.createTextNode(" "));
    li.appendChild(button);
  }

  if (inPage) {
    var start = function () {
      render();
      flush().then(render, function () {});
    };
    window.addEventListener("online", start);
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.addEventListener("message", function (event) {
        if (event.data && event.data.type === "outbox-changed") render();
      });
    }
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
    else start();

    // Signing out clears this browser's data (Clear-Site-Data), and with it the swaps still
    // waiting here: the form (data-unsent-guard, naming where to say so) first tries to send
    // them, and if some are left, says so and signs out only when tapped again.
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (!form.hasAttribute("data-unsent-guard") || form.dataset.unsentChecked) return;
      event.preventDefault();
      var go = function () { form.dataset.unsentChecked = "1"; form.submit(); };
      flush().then(function (left) {
        if (!left) return go();
        form.dataset.unsentChecked = "1";
        var said = document.querySelector(form.getAttribute("data-unsent-guard"));
        said.textContent = (left === 1 ? "1 swap made on this phone has" : left + " swaps made on this phone have") +
          " not reached Reachout yet (no connection). Signing out deletes " + (left === 1 ? "it" : "them") +
          ": get online first and " + (left === 1 ? "it goes" : "they go") +
          " by itself, or tap Sign out again to sign out anyway.";
        said.hidden = false;
      }, go);
    });
  }

  return { send: send, flush: flush, render: render, all: all, SYNC_TAG: SYNC_TAG };
})();

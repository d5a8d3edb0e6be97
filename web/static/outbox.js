// Swaps made without a network (a scanned QR, a typed code, a guest's details) wait here, in
// IndexedDB, until they reach the server. Loaded by the pages (<script>) and by the service
// worker (importScripts), so both replay the queue the same way; each record's key makes a
// replay harmless on the server, and a Web Lock per record keeps the two from sending at once.
// Each record names the account it was made under: a phone someone else signed in to since
// neither sends nor lists it (kept until that account signs in here again), and the server
// refuses it if sent as another account all the same (409, "elsewhere"); unless that account
// was merged into the one signed in here since ("Two accounts, one person"): the server says
// so when asked (adopt), and its records become this account's, sent, listed and counted.
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
  // A guest's details that Reachout refused are the only copy of them: kept, failed, until
  // typed again or dismissed. A refused code goes after a day, as any settled swap: a code
  // is dead within minutes, or someone else's by then, and no use typed again.
  var KEPT_TILL_SEEN = { guest: true };
  // What a person can do about a refused one, said wherever it is said that it was refused
  // (unless Reachout's own words already say it: SAID_ALREADY). Every kind here is told of
  // (tellFailed): a scan's refusal already says what to do, or that nothing can be done
  // (a link replaced or expired: "ask them to show their QR code again"; an account deleted).
  var NEXT_STEP = { code: "Ask them for a new code.", scan: "", guest: "Type it again on the Tap screen." };
  var SAID_ALREADY = /ask them for a (new|fresh) code/i;
  // Where a page without the list sends someone to see a refused one: where it is listed.
  var SEE_IT = { code: "See it on Tap", scan: "See it on Scan", guest: "Type it again on Tap" };
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

  // Who is signed in here: as the page says, or (in the service worker) as the last page
  // from the server said (sw-cache.js). "" for nobody known.
  function whose() {
    if (inPage) return Promise.resolve((document.body && document.body.dataset.signedIn) || "");
    return self.ReachoutCache ? self.ReachoutCache.currentAccount() : Promise.resolve("");
  }

  // The records of the account signed in here (and those kept before records named one).
  function ours(records, account) {
    return records.filter(function (r) { return !r.account || r.account === account; });
  }

  function allOurs() {
    return Promise.all([all(), whose()]).then(function (both) {
      return adopt(both[0], both[1]).then(function (records) { return ours(records, both[1]); });
    });
  }

  // Records named for accounts merged into the one signed in here since (the merge ends the
  // account they name, so they would wait for it forever): asked about once, with no request
  // when there are none of another account's, and named for this one from then on, in the
  // store. Resolves with the records as they now are; offline, or with no answer, as they were.
  var MERGED_MOST = 50;  // as many ids as the server takes in one look-up (sync.MERGED_MOST)
  // One answer per signed-in account and set of ids, for a few minutes, in a page and in the
  // service worker alike: the worker flushes often (every page's "flush", every sync), and
  // while it holds swaps of an account kept apart (never merged), asking each time ran into
  // the look-up's limit (429). A merge made since is seen within MERGED_KEPT_MS.
  var MERGED_KEPT_MS = 5 * 60 * 1000;
  var askedMerged = {};
  function adopt(records, account) {
    var others = {};
    records.forEach(function (r) {
      if (r.account && r.account !== account && /^[1-9][0-9]{0,14}$/.test(r.account)) others[r.account] = true;
    });
    var ids = Object.keys(others).sort().slice(0, MERGED_MOST);
    if (!account || !ids.length || (typeof navigator !== "undefined" && navigator.onLine === false)) {
      return Promise.resolve(records);
    }
    return askMerged(account, ids).then(function (answer) {
      // Answered for the account whose records these become: the cookie may have moved on.
      if (!answer || answer.account !== account || !Array.isArray(answer.merged)) return records;
      var merged = {};
      answer.merged.forEach(function (id) { merged[String(id)] = true; });
      var moved = records.filter(function (r) { return merged[r.account]; });
      if (!moved.length) return records;
      // Read again in the transaction: only the name changes, whatever the other context
      // (page or worker) made of the record meanwhile stays.
      return run("readwrite", function (store) {
        moved.forEach(function (record) {
          var read = store.get(record.key);
          read.onsuccess = function () {
            var current = read.result;
            if (current && merged[current.account]) {
              current.account = account;
              store.put(current);
            }
          };
        });
      }).then(function () {
        moved.forEach(function (record) { record.account = account; });
        return records;
      });
    }).catch(function () { return records; });
  }

  function askMerged(account, ids) {
    var asked = account + ":" + ids.join(",");
    var kept = askedMerged[asked];
    if (kept && kept.until > Date.now()) return kept.answer;
    // Resolves with the answer, or null; ``refused``: the server said no (a 4xx, a 429 among
    // them), which is kept as an answer is, and not asked again at once.
    var refused = false;
    var answer = fetch(URLS.sync_action, {
      method: "POST",
      credentials: "same-origin",
      signal: AbortSignal.timeout ? AbortSignal.timeout(POST_TIMEOUT_MS) : undefined,
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ merged: ids.map(Number) }),
    }).then(function (response) {
      if (response.ok) return response.json();
      refused = response.status >= 400 && response.status < 500;
      return null;
    });
    askedMerged[asked] = { answer: answer, until: Date.now() + MERGED_KEPT_MS };
    // Asked again next time when no answer came (offline, a lost connection, a 503).
    answer.then(function (got) { if (!got && !refused) delete askedMerged[asked]; },
      function () { delete askedMerged[asked]; });
    return answer;
  }
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
        account: record.account || undefined,
      }),
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (answer) {
        // Made under another account than the one this phone is signed in to now (a tab left
        // open as it changed), or sent from a phone signed out since: kept, pending, for that
        // account, with the server's words why (listed instead of "Waiting for a connection").
        if (response.status === 409 && answer.status === "elsewhere") {
          if (!answer.message || record.held === answer.message) return record;
          record.held = String(answer.message);
          record.signed_out = answer.signed_out === true;  // Sign out's warning says so
          return put(record).then(function () { return record; });
        }
        if (response.ok && answer.status === "done") {
          return settle(record, { status: "done", message: answer.message || "Swapped.", url: answer.url || "", name: answer.name || "" });
        }
        if (response.status >= 400 && response.status < 500 && response.status !== 429) {
          return settle(record, { status: "failed", message: answer.message || FALLBACK_FAILED });
        }
        // A limit reached (too many wrong codes, guests or scans in the hour): kept, with
        // the server's words and when it goes again (waitingWords), not "no connection".
        var wait = answer.retry_after || Number(response.headers.get("retry-after"));
        if (response.status === 429 && wait > 0) {
          return settle(record, {
            retry_at: Date.now() + wait * 1000,
            waiting: String(answer.message || "Reachout asked this phone to wait a while."),
          });
        }
        return record;
      });
    }, function () {
      // The request itself failed (no network, or no answer in time): the page says "No
      // network" only then (scan.js). On this copy only, never stored.
      record.unreached = true;
      return record;
    });
  }

  // A swap the server asked to wait (a limit reached, 429): its words and when it is tried
  // again; "" for any other (and for a wait kept before the words were: said as before).
  function waitingWords(record) {
    if (!(record.status === "pending" && record.waiting && record.retry_at > Date.now())) return "";
    var at = new Date(record.retry_at);
    var two = function (n) { return (n < 10 ? "0" : "") + n; };
    var words = /[.!?]$/.test(record.waiting) ? record.waiting : record.waiting + ".";
    return words + " Tries again by itself at " + two(at.getHours()) + ":" + two(at.getMinutes()) + ".";
  }

  function settle(record, changes) {
    if (changes.status) changes.settled_at = Date.now();
    // Answered at last (if only "wait"): no longer kept for anyone.
    changes.held = "";
    changes.signed_out = false;
    if (changes.status === "failed") changes.told = false;  // to be told of: tellFailed
    Object.keys(changes).forEach(function (name) { record[name] = changes[name]; });
    return put(record).then(function () {
      return record.status === "failed" ? tellFailed(record) : null;
    }).then(function () { return record; });
  }

  // Whether a record is still kept (and listed): one waiting, one refused that was typed,
  // and anything else for a day after it settled.
  function lingers(record, now) {
    if (record.status === "pending" || (record.status === "failed" && KEPT_TILL_SEEN[record.kind])) return true;
    return now - (record.settled_at || record.made_at) <= DAY_MS;
  }

  // What was refused once back online that the person may not have heard of: a guest's
  // details until typed again or dismissed; a code or a scan, within its day, until told of
  // (a notification, or the list in view: tellFailed). The service worker names them to
  // every open page (sw.js), which says so where no list does (app.js).
  function unresolved() {
    return allOurs().then(function (records) {
      var now = Date.now();
      return records.filter(function (r) {
        if (r.status !== "failed") return false;
        if (KEPT_TILL_SEEN[r.kind]) return true;
        // One this context is still settling is told of in a moment (its notification):
        // not named to the pages meanwhile, by another flush that finished first.
        return r.told === false && r.kind in NEXT_STEP && !sending[r.key] && lingers(r, now);
      }).sort(function (a, b) {
        // A guest's details first: the only copy of them.
        return (KEPT_TILL_SEEN[b.kind] ? 1 : 0) - (KEPT_TILL_SEEN[a.kind] ? 1 : 0) || b.made_at - a.made_at;
      }).map(function (r) {
        return {
          key: r.key, kind: r.kind, label: r.label, url: r.from || "", link: SEE_IT[r.kind] || "",
          // A guest's link says what to do; a code or scan is not typed again: its next step.
          message: KEPT_TILL_SEEN[r.kind] ? r.message : failedWords(r),
        };
      });
    }).catch(function () { return []; });
  }

  // A refusal that came with no list in view (the worker sent it after the page was left,
  // or the app was closed) is a notification, where the person allowed them: the guest is
  // long gone, and their details would wait unseen on the Tap screen. Once per record:
  // marked told once shown or seen in a list (a notification that failed, or a worker
  // stopped before it, is tried again at the next flush; shown twice, its tag makes it one).
  // Without notifications it stays untold until a list in view shows it: meanwhile every
  // other page says so (unresolved), so "Kept on this phone" is never left at that.
  function tellFailed(record) {
    if (!(record.kind in NEXT_STEP) || record.told !== false) return null;
    var told = function () { record.told = true; return put(record); };
    var notifying = typeof Notification !== "undefined" && Notification.permission === "granted";
    return shownInAPage(record).then(function (shown) {
      if (shown) return told();
      if (!notifying) return null;
      return registration().then(function (found) {
        if (!found) return null;
        return found.showNotification("Not swapped: " + record.label, {
          body: failedWords(record),
          tag: "reachout-outbox-" + record.key,
          // sw-push.js's click opens data.url: the page it was typed on, to type it again.
          data: { url: record.from || URLS.home },
        }).then(told);
      });
    }).catch(function () {});
  }

  // Why it was refused, and what to do now (unless Reachout's words already say it: a wrong
  // code's "ask them for a fresh code").
  function failedWords(record) {
    var message = record.message || FALLBACK_FAILED;
    var step = NEXT_STEP[record.kind] || "";
    return step && !SAID_ALREADY.test(message) ? message + " " + step : message;
  }

  function registration() {
    if (!inPage) return Promise.resolve(self.registration);
    return "serviceWorker" in navigator ? navigator.serviceWorker.getRegistration() : Promise.resolve(null);
  }

  // In view on a page with the list: this one, or (from the worker) the page it was typed on.
  function shownInAPage(record) {
    if (inPage) {
      return Promise.resolve(!!document.querySelector("[data-outbox]") && document.visibilityState === "visible");
    }
    return self.clients.matchAll({ type: "window" }).then(function (windows) {
      return windows.some(function (client) {
        return client.visibilityState === "visible" && new URL(client.url).pathname === record.from;
      });
    });
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
      // Where it was made: a refused one is typed again there (a link from other pages).
      from: inPage ? location.pathname : "",
      // Whose: sent, listed and counted only while this account is signed in here.
      account: (inPage && document.body && document.body.dataset.signedIn) || "",
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
    return Promise.all([all(), whose()]).then(function (both) {
      return adopt(both[0], both[1]).then(function (adopted) { return [adopted, both[1]]; });
    }).then(function (both) {
      var now = Date.now();
      var old = both[0].filter(function (r) { return !lingers(r, now); });
      // Another account's waiting swaps are not sent as this one: kept for it (unless it was
      // merged into this one: adopt named them for this one).
      var records = ours(both[0], both[1]);
      var due = records.filter(function (r) { return r.status === "pending" && !(r.retry_at > now); });
      var untold = records.filter(function (r) { return r.status === "failed" && r.told === false && lingers(r, now); });
      var left = records.filter(function (r) { return r.status === "pending"; }).length - due.length;
      var chain = old.length ? remove(old.map(function (r) { return r.key; })) : Promise.resolve();
      due.forEach(function (record) {
        chain = chain.then(function () { return attempt(record); }).then(function (result) {
          if (result.status === "pending") left += 1;
        });
      });
      untold.forEach(function (record) {
        chain = chain.then(function () { return tellFailed(record); });
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
    return allOurs().then(function (records) {
      var now = Date.now();
      var shown = records.filter(function (r) { return lingers(r, now); });
      shown.sort(function (a, b) { return b.made_at - a.made_at; });
      lists.forEach(function (list) {
        var ul = document.createElement("ul");
        ul.className = "outbox";
        shown.forEach(function (record) { ul.appendChild(item(record)); });
        var before = list.querySelector("ul.outbox");  // the list's heading stays
        if (before) before.replaceWith(ul);
        else list.appendChild(ul);
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
      var waiting = waitingWords(record);
      li.textContent = record.label + " - " + (waiting ? "Waiting: " + waiting : record.held || "Waiting for a connection");
    } else if (record.status === "failed") {
      // Details typed are typed again (retype); a code or a scan has its next step said.
      li.textContent = record.label + " - Not swapped: " + (FORMS[record.kind] ? record.message || FALLBACK_FAILED : failedWords(record));
      if (record.kind !== "code") retype(li, record);
      dismiss(li, record);
    } else {
      li.textContent = record.message || "Swapped.";
      if (record.url) {
        // Named by whom it opens: a screen reader's list of links read "Open, Open".
        var link = document.createElement("a");
        link.href = record.url;
        link.textContent = "Open " + (record.name || "contact");
        li.appendChild(document.createTextNode(" "));
        li.appendChild(link);
      }
    }
    return li;
  }

  function control(li, tag, text, record) {
    var made = document.createElement(tag);
    if (tag === "button") made.type = "button";
    made.className = tag === "button" ? "quiet" : "";
    made.textContent = text;
    made.setAttribute("aria-label", text + ": " + record.label);
    li.appendChild(document.createTextNode(" "));
    li.appendChild(made);
    return made;
  }

  // Gone from the list for good: its details with it. Focus goes to the list's heading (or
  // the page's), not to the body with the button.
  function dismiss(li, record) {
    control(li, "button", "Dismiss", record).addEventListener("click", function () {
      var list = li.closest("[data-outbox]");
      remove([record.key]).then(render).then(function () {
        var heading = (list && !list.hidden && list.querySelector("h2")) || document.querySelector("h1");
        if (!heading) return;
        heading.tabIndex = -1;
        heading.focus();
      });
    });
  }

  // A guest's details that failed go back into their form, to be put right and sent again:
  // what was typed is not lost with the row. (A refused code is asked for anew: NEXT_STEP.)
  var FORMS = { guest: "guest-form" };

  // On a page without its form (Scan), a link to the page it was typed on.
  function retype(li, record) {
    var form = document.getElementById(FORMS[record.kind] || "");
    if (!form) {
      if (FORMS[record.kind] && record.from) control(li, "a", "Type again on Tap", record).href = record.from;
      return;
    }
    var button = control(li, "button", "Type again", record);
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
  }

  if (inPage) {
    // A page without the list (Settings) leaves sending to the service worker, as the pages
    // without this script do (app.js): it tells every open page what was refused (sw.js).
    var start = function () {
      var worker = "serviceWorker" in navigator && navigator.serviceWorker.controller;
      if (worker && !document.querySelector("[data-outbox]")) {
        worker.postMessage({ type: "flush" });
        return;
      }
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
    // waiting here and the refused guests' details kept to be typed again (their only copy):
    // the form (data-unsent-guard, naming where to say so) first tries to send those
    // waiting, and if any of either are left, says so and signs out only when tapped again.
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (!form.hasAttribute("data-unsent-guard") || form.dataset.unsentChecked) return;
      event.preventDefault();
      var go = function () { form.dataset.unsentChecked = "1"; form.submit(); };
      flush().then(function (left) {
        return Promise.all([unresolved(), allOurs()]).then(function (both) {
          // Only a guest's details are lost for good (a refused code or scan is dead anyway).
          var guests = both[0].filter(function (r) { return KEPT_TILL_SEEN[r.kind]; });
          // Kept because this phone was signed out (sync.SIGNED_OUT_HERE), not for a connection.
          var held = both[1].filter(function (r) { return r.status === "pending" && r.signed_out; }).length;
          var lost = lostOnSignOut(left - Math.min(held, left), guests.length, Math.min(held, left));
          if (!lost) return go();
          form.dataset.unsentChecked = "1";
          var said = document.querySelector(form.getAttribute("data-unsent-guard"));
          said.textContent = lost + " tap Sign out again to sign out anyway.";
          said.hidden = false;
        });
      }).catch(go);
    });
  }

  // What signing out now would delete, and how to keep it, ending "...or": "" for nothing.
  function lostOnSignOut(left, refused, held) {
    var words = [];
    if (held) {
      // Signing in again clears this phone too (a signed-out phone's next page does): no way
      // to keep them but noting who they were with.
      words.push((held === 1 ? "1 swap made on this phone was" : held + " swaps made on this phone were") +
        " not sent: this phone was signed out. Signing out or in again deletes " + (held === 1 ? "it" : "them") +
        ": note who " + (held === 1 ? "it was" : "they were") + " with, to swap again once signed in.");
    }
    if (left) {
      words.push((left === 1 ? "1 swap made on this phone has" : left + " swaps made on this phone have") +
        " not reached Reachout yet (no connection). Signing out deletes " + (left === 1 ? "it" : "them") +
        ": get online first and " + (left === 1 ? "it goes" : "they go") + " by itself.");
    }
    if (refused) {
      words.push((refused === 1 ? "1 guest's details" : refused + " guests' details") +
        " on this phone were not swapped: signing out deletes them. Type them again on Tap first.");
    }
    if (!words.length) return "";
    // One sentence each; the way out once, at the end (the wording Sign out always had).
    var text = words.join(" ");
    return text.slice(0, -1) + ", or";
  }

  return {
    send: send, flush: flush, render: render, all: all, unresolved: unresolved, failedWords: failedWords,
    waitingWords: waitingWords,
    SYNC_TAG: SYNC_TAG,
  };
})();

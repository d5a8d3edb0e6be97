// Caching rules. Versioned static files: cache-first from a cache named after the worker's
// version. The signed-in app's own pages: network-first, keeping the last good copy so the app
// opens at a venue with no network. Everything else (other people's /c/ cards, fragments,
// photos, POSTs) goes to the network untouched, with an offline page for navigations (a
// form's POST too). A Block sent in place goes through here, for its copies to go once it
// worked (sentInPlace).
//
// Kept pages are someone's card, QR, contacts and notes, and a phone may be signed in to
// another account without being signed out first (a code from another phone, a lent phone):
// each kept page carries the account it is a page of (a header, TAG), and is served only
// while that account is the one signed in here. Whose that is, the pages themselves say
// (<body data-signed-in>, base.html): each page from the server as it passes through here,
// and the page on screen (app.js, "signed-in"). Another account, or none: every other
// account's kept pages go at once. For a worker started again offline, the kept pages name
// the account (all the same one: a page kept as the account changed makes them name none,
// and nothing is served until a page says whose it is).
//
// A kept copy served in place of the network's answer carries when it was kept on its <body>
// (data-kept-at): a venue's Wi-Fi that says it is connected and reaches nothing leaves
// navigator.onLine true, and app.js marks the page "Offline" from this instead.
//
// My QR, Scan and Tap are what a swap needs: kept for an account as soon as this worker hears
// it is signed in here (its first page, a sign-in, a move, another account), not only once
// each was opened online, or the first swap at a venue whose Wi-Fi dropped is "You're
// offline". Fetched once, one after another, in the background; a mark in this release's
// static cache says they were (AT_HAND), so no page load asks again.
var ReachoutCache = (function () {
  "use strict";

  function patterns(sources) {
    return sources.map(function (source) { return new RegExp(source); });
  }

  var PREFIX = "reachout-";
  var PAGES = "reachout-pages";
  var TAG = "x-reachout-account";
  var KEPT_AT = "x-reachout-kept-at";
  // The offline page in two wordings: a page never kept, or a form that may not have gone.
  var OFFLINE_URL = REACHOUT_URLS.offline;
  var OFFLINE_SENT_URL = OFFLINE_URL + "?sent=1";
  // The network's answer when it, not our server, gave up (a proxy) or our database is away:
  // a kept page is better than that error page.
  var GAVE_UP = [502, 503, 504];
  // A page of ours that is gone for good says why (410: an event's people and matches once
  // its list has closed, ROSTER_DAYS after its end): that answer is kept in place of the
  // page, so the phone says offline what it says online ("The list of people has closed"),
  // not "You're offline" as if it had never kept the page. Never the list itself: the server
  // no longer says who left it or blocked me, so a copy of it could not be checked.
  var KEPT_STATUSES = [200, 410];
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
  var SENT = patterns(REACHOUT_URLS.sent || []);
  // The query parameters that only add a one-off notice ("Removed Mia", with Undo), or say
  // where the link was (from=email, for=<account>: our emails' and pushed reminders' page
  // links, server/mail/links.py): such a page is not kept as it came, but a plain copy of its
  // address is fetched to keep, and with no network its kept copy is shown (a reminder tapped
  // offline opens the contact kept here).
  var NOTICE_PARAMS = ["notice", "removed", "from", "for"];
  var KEEP_AGAIN_MS = 10000;
  // My contacts' pages kept here are checked each time a page showing my contacts comes from
  // the network: my contacts list, Follow-ups, or any page linking to a contact's page
  // (Requests' "Left their details", an event's people and matches holding contacts). The
  // list says where to ask (a header: CHECK, kept with its copy; with no list kept, it is
  // fetched, and checks as it comes). Someone who removed or blocked me, or deleted their
  // account, is no longer mine, and their page goes; someone who shows me something
  // else now ("name and headline only", their card changed) has another version of it than
  // the one their page was kept with (SHOWN), and the page is fetched again (gone first, so
  // a fetch that fails leaves nothing). A page kept with no version (kept before versions
  // were sent) is fetched again too, but stays until the fetch brings its successor: it is
  // no more than its person showed me then, they are still mine, and a venue's Wi-Fi that
  // loses the fetch must not lose the page. Asked by the ids kept, never read off the list:
  // the list is paged, and a contact not on its first page is not gone.
  // The other kept pages that link to a contact's page (the lists: Contacts, Follow-ups,
  // Requests, an event's people) are asked about by the contacts they link to: one linking
  // to someone no longer mine goes, and is fetched again at once (without checking again),
  // so it never shows them offline after their Remove, Block or deleted account. Requests and
  // an event's people also show people who are not my contacts (yet): those pages are asked
  // about by the Block each offers them (BLOCKING's forms: a request to connect, by its id;
  // someone on an event's list, by the event and their account), the same way: a request no
  // longer waiting for me (its asker blocked me, deleted their account, withdrew it), or
  // someone no longer on that list for me, and the page goes and is fetched again. So do
  // "Sent by you" on Requests, by the Withdraw each of its rows offers (SENT: a request I
  // sent, by its id, gone once that list no longer shows it), and an event's matches, whose
  // rows may offer no form naming their person ("Request sent."): each says whom it shows
  // (data-kept-person, the event and their account), asked about as on the event's people.
  var CHECK = "x-reachout-kept-check";
  var SHOWN = "x-reachout-shown";
  var CHECK_AT_MOST = 100;  // ids in one ask, as the server takes them
  // Scan and Tap by name once the route table gives them to this worker (server/web/urls.py
  // WORKER_URLS); until then My QR alone.
  var AT_HAND = [REACHOUT_URLS.share, REACHOUT_URLS.scan, REACHOUT_URLS.tap].filter(Boolean);
  // The mark that they were, for an account: beside the offline page, no page's address.
  var AT_HAND_MARK = OFFLINE_URL + "?kept-at-hand-for=";
  var staticCache = PREFIX + "static";
  var shell = [];
  var keptAt = {};
  // Where kept contacts are checked (CHECK), once a contacts list said so since this worker
  // started.
  var checkAt = null;
  // The account signed in here ("" for none), once a page said so since this worker started;
  // and the reading of the last page that came (a kept page is served only once it is read).
  var account = null;
  var reading = Promise.resolve();
  // The accounts whose pages at hand this worker fetched, or found fetched, since it started.
  var atHand = {};

  function setup(version, urls) {
    staticCache = PREFIX + "static-" + version;
    shell = urls;
  }

  function precache() {
    return caches.open(staticCache).then(function (cache) {
      // Without the cookie: the offline page would carry the installing account (its id, its
      // badge) to whoever is signed in here later.
      return cache.addAll(shell.concat([OFFLINE_URL, OFFLINE_SENT_URL].map(function (url) {
        return new Request(url, { cache: "reload", credentials: "omit" });
      })));
    });
  }

  function cleanUp() {
    return caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf(PREFIX) === 0 && name !== staticCache && name !== PAGES;
      }).map(function (name) { return caches.delete(name); }));
    });
  }

  function tagOf(kept) { return kept.headers.get(TAG) || ""; }

  // The kept pages, without making the cache where there is none (signed out, it stays gone).
  function keptPages() {
    return caches.has(PAGES).then(function (has) { return has ? caches.open(PAGES) : null; });
  }

  // Whose this browser is: as a page said since this worker started; else as the kept pages
  // say ("" when they name none, or more than one).
  function currentAccount() {
    if (account !== null) return Promise.resolve(account);
    return keptPages().then(function (cache) { return cache ? cache.matchAll() : []; }).then(function (kept) {
      var named = {};
      kept.forEach(function (page) { named[tagOf(page)] = true; });
      var names = Object.keys(named);
      return names.length === 1 ? names[0] : "";
    });
  }

  // A page said who is signed in here ("" for nobody). Someone else than this worker knew
  // (or it just started): every page kept for anyone else goes (and any kept untagged), with
  // the mark that theirs at hand were fetched (signed in again, they are fetched again).
  // ``later``, where given, is handed the fetching of the pages at hand for whoever it is.
  function signedIn(id, later) {
    var now = String(id || "");
    var done = now === account ? Promise.resolve() : forgetAllBut(now);
    if (now && later) later(done.then(function () { return keepAtHand(now); }));
    return done;
  }

  function forgetAllBut(now) {
    account = now;
    keptAt = {};
    atHand = {};
    // caches.open would make the static cache again after a sign-out's Clear-Site-Data
    // emptied the browser's storage: only where it is.
    var marks = withStaticCache(function (cache) {
      return cache.keys().then(function (requests) {
        return Promise.all(requests.filter(function (request) {
          return request.url.indexOf(atHandMark("")) === 0 && request.url !== atHandMark(now);
        }).map(function (request) { return cache.delete(request); }));
      });
    }).catch(function () {});
    var pages = keptPages().then(function (cache) {
      if (!cache) return null;
      return cache.keys().then(function (requests) {
        return Promise.all(requests.map(function (request) {
          return cache.match(request, { ignoreVary: true }).then(function (kept) {
            if (!now || !kept || tagOf(kept) !== now) return cache.delete(request, { ignoreVary: true });
          });
        }));
      });
    });
    return Promise.all([pages, marks]).then(function () {});
  }

  // ``use`` this release's static cache, if it is there (null otherwise): never made again
  // here, where a sign-out's Clear-Site-Data just emptied the browser's storage.
  function withStaticCache(use) {
    return caches.has(staticCache).then(function (there) {
      return there ? caches.open(staticCache).then(use) : null;
    });
  }

  function atHandMark(id) {
    return self.location.origin + AT_HAND_MARK + encodeURIComponent(id);
  }

  // My QR, Scan and Tap, kept for ``id`` unless they are already, or were fetched for it in
  // this release. Marked only once each got an answer: with no network at all they are tried
  // again when this worker next starts.
  function keepAtHand(id) {
    if (id !== account) return Promise.resolve();
    if (!atHand[id]) {
      atHand[id] = withStaticCache(function (cache) {
        return cache.match(atHandMark(id)).then(function (marked) {
          if (marked) return null;
          return AT_HAND.reduce(function (before, path) {
            return before.then(function (answered) {
              return keepIfMissing(self.location.origin + path, id).then(function (ok) { return answered && ok; });
            });
          }, Promise.resolve(true)).then(function (answered) {
            if (answered && id === account) return cache.put(atHandMark(id), new Response(""));
          });
        });
      }).catch(function () {});
    }
    return atHand[id];
  }

  // Whether the page is kept for ``id`` now, or the server answered for it.
  function keepIfMissing(key, id) {
    if (Date.now() - (keptAt[key] || 0) < KEEP_AGAIN_MS) return Promise.resolve(true);
    return caches.match(key, { cacheName: PAGES, ignoreVary: true }).then(function (kept) {
      if (kept && tagOf(kept) === id) return true;
      if (id !== account) return false;
      keptAt[key] = Date.now();
      return fetched(key).then(function () { return true; }, function () { return false; });
    });
  }

  // Whose page a response from the server is: the id on its <body> ("" for a page signed out),
  // or null for anything that is no page of ours (a download, an error page other than a 410's,
  // KEPT_STATUSES).
  function accountOf(response) {
    var type = response.headers.get("content-type") || "";
    if (KEPT_STATUSES.indexOf(response.status) < 0 || response.type !== "basic" || type.indexOf("text/html") !== 0) {
      return Promise.resolve(null);
    }
    return response.clone().text().then(function (html) {
      var body = /<body[^>]*>/.exec(html);
      if (!body) return null;
      var id = /\sdata-signed-in="([^"]*)"/.exec(body[0]);
      return id ? id[1] : "";
    }, function () { return null; });
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

  // Not a page that came with Clear-Site-Data: it was cleared from this browser (a browser
  // signed out from elsewhere), and kept it would come back.
  function worthKeeping(response) {
    return KEPT_STATUSES.indexOf(response.status) >= 0 && response.type === "basic" && !response.redirected &&
      !response.headers.has("clear-site-data");
  }

  // Kept for the account it is a page of (``whose``, its tag), while that is who is signed in.
  // A page showing my contacts, fresh from the network: then the contacts kept are checked
  // (not when ``quiet``: a page fetched again by a check).
  function store(key, response, whose, quiet) {
    if (!whose || whose !== account) return Promise.resolve();
    keptAt[key] = Date.now();
    var check = response.headers.get(CHECK);
    if (check) checkAt = new URL(check, self.location.origin).href;
    var read = quiet || contactOf(key) ? Promise.resolve("") : response.clone().text().catch(function () { return ""; });
    var headers = new Headers(response.headers);
    headers.set(TAG, whose);
    headers.set(KEPT_AT, new Date().toISOString());
    var tagged = new Response(response.body, {
      status: response.status, statusText: response.statusText, headers: headers,
    });
    return caches.open(PAGES).then(function (cache) { return cache.put(key, tagged); }).then(function () {
      return read;
    }).then(function (html) {
      if (quiet || contactOf(key)) return null;
      var lists = check || key === self.location.origin + REACHOUT_URLS.followups || shownIn(html, key).length;
      if (lists) return whereToCheck().then(function (where) {
        if (where) return checkContacts(new URL(where), whose, key);
        // No list said where yet: the list, fetched to keep, checks as it comes.
        return keep(self.location.origin + REACHOUT_URLS.contacts);
      });
    });
  }

  // Where to check, as a contacts list said: since this worker started, or on its kept copy.
  function whereToCheck() {
    if (checkAt) return Promise.resolve(checkAt);
    return caches.match(self.location.origin + REACHOUT_URLS.contacts, { cacheName: PAGES, ignoreVary: true }).then(function (kept) {
      var check = kept && kept.headers.get(CHECK);
      return check ? new URL(check, self.location.origin).href : null;
    });
  }

  // The contact a kept page is the page of (its id, from the route's pattern), or null.
  function contactOf(key) {
    var path = new URL(key).pathname;
    for (var i = 0; i < CONTACTS_PAGES.length; i++) {
      var found = CONTACTS_PAGES[i].exec(path);
      if (found && found[1]) return found[1];
    }
    return null;
  }

  // Whom a page (``html``, at ``base``) shows, as the check asks about them: the contacts
  // whose pages it links to ("contact:5"), those its Block and Withdraw forms are for
  // (whoFormIsFor), and the people its rows say they show (data-kept-person="4:12").
  function shownIn(html, base) {
    var links = /\s(?:href|action)="([^"]*)"/g;
    var rows = /\sdata-kept-person="(\d+:\d+)"/g;
    var shown = {};
    var found;
    while ((found = links.exec(html))) {
      var url;
      try { url = new URL(found[1].replace(/&amp;/g, "&"), base); } catch (error) { continue; }
      if (url.origin !== self.location.origin) continue;
      var id = contactOf(url.origin + url.pathname);
      var who = id ? "contact:" + id : whoFormIsFor(url.pathname);
      if (who) shown[who] = true;
    }
    while ((found = rows.exec(html))) shown["person:" + found[1]] = true;
    return Object.keys(shown);
  }

  // Whom a form's address (``path``) is for, by the route's named parts: a Block's, a request
  // to connect made to me ("request:7", its id) or someone on an event's list ("person:4:12",
  // the event and their account); a Withdraw's, a request I sent ("sent:8"); null for a
  // contact's (their page says it) or any other address.
  function whoFormIsFor(path) {
    for (var i = 0; i < SENT.length; i++) {
      var sent = SENT[i].exec(path);
      if (sent && sent.groups && sent.groups.request_id) return "sent:" + sent.groups.request_id;
    }
    for (i = 0; i < BLOCKING.length; i++) {
      var found = BLOCKING[i].exec(path);
      var named = found && found.groups;
      if (!named) continue;
      if (named.request_id) return "request:" + named.request_id;
      if (named.event_id && named.account_id) return "person:" + named.event_id + ":" + named.account_id;
    }
    return null;
  }

  // ``fresh``: the page that just came (what it shows the server just said), not read again.
  function checkContacts(where, whose, fresh) {
    return keptPages().then(function (cache) {
      if (!cache) return null;
      return cache.keys().then(function (requests) {
        var held = {};  // "contact:<id>": their own page kept
        var lists = {};  // whom a kept page shows (shownIn): the other kept pages showing them
        var ids = {};
        return Promise.all(requests.map(function (request) {
          var id = contactOf(request.url);
          if (id) {
            held["contact:" + id] = request.url;
            ids["contact:" + id] = true;
            return null;
          }
          if (request.url === fresh) return null;
          return cache.match(request, { ignoreVary: true }).then(function (kept) {
            if (!kept || tagOf(kept) !== whose) return null;
            return kept.text().then(function (html) {
              shownIn(html, request.url).forEach(function (shown) {
                (lists[shown] = lists[shown] || []).push(request.url);
                ids[shown] = true;
              });
            });
          });
        })).then(function () {
          var all = Object.keys(ids);
          var asks = [];
          for (var at = 0; at < all.length; at += CHECK_AT_MOST) asks.push(all.slice(at, at + CHECK_AT_MOST));
          return Promise.all(asks.map(function (some) { return checkSome(cache, where, some, held, lists, whose); }));
        });
      }).then(function (changed) {
        var again = {};
        [].concat.apply([], changed).forEach(function (key) { again[key] = true; });
        // Fetched again one after another: a phone keeping hundreds sends no burst.
        return Object.keys(again).reduce(function (done, key) {
          return done.then(function () { return keep(key, true, true); });
        }, Promise.resolve());
      });
    }).catch(function () {});
  }

  // One ask about ``ids`` (shownIn's, at most CHECK_AT_MOST): the kept pages that go, and the
  // keys to fetch again (those gone for another version, those kept with none, which stay
  // until fetched, and the lists that showed someone no longer there, gone first).
  function checkSome(cache, where, ids, held, lists, whose) {
    var url = new URL(where.href);
    var asked = { contact: [], request: [], person: [], sent: [] };
    ids.forEach(function (id) {
      var at = id.indexOf(":");
      asked[id.slice(0, at)].push(id.slice(at + 1));
    });
    url.searchParams.set("ids", asked.contact.join(","));
    if (asked.request.length) url.searchParams.set("requests", asked.request.join(","));
    if (asked.person.length) url.searchParams.set("people", asked.person.join(","));
    if (asked.sent.length) url.searchParams.set("sent", asked.sent.join(","));
    return fetch(url.href, { credentials: "same-origin" }).then(function (response) {
      // No answer to go by (signed out since, an error): nothing is judged.
      if (response.status !== 200) return [];
      return response.json().then(function (answer) {
        var shown = (answer && answer.kept) || {};
        // Still there, as the server says; of a kind it says nothing of, nobody is judged.
        var there = function (id) {
          var at = id.indexOf(":"), kind = id.slice(0, at), which = id.slice(at + 1);
          if (kind === "contact") return Object.prototype.hasOwnProperty.call(shown, which);
          var still = answer && answer[{ request: "requests", person: "people", sent: "sent" }[kind]];
          return !Array.isArray(still) || still.indexOf(which) >= 0;
        };
        return Promise.all(ids.map(function (id) {
          var mine = there(id);
          var showing = mine ? [] : (lists[id] || []);
          var version = shown[id.slice(id.indexOf(":") + 1)];
          var own = held[id] ? checkOwn(cache, held[id], mine, version, whose) : Promise.resolve(null);
          return Promise.all([own].concat(showing.map(function (key) {
            delete keptAt[key];
            return cache.delete(key, { ignoreVary: true }).then(function () { return key; });
          })));
        }));
      }).then(function (keys) { return [].concat.apply([], keys).filter(Boolean); });
    }).catch(function () { return []; });
  }

  // A contact's own kept page (``key``): null when it stays as it is, else its key to fetch
  // again (gone first, unless kept before versions).
  function checkOwn(cache, key, mine, version, whose) {
    return cache.match(key, { ignoreVary: true }).then(function (kept) {
      if (!kept || tagOf(kept) !== whose) return null;
      if (mine && kept.headers.get(SHOWN) === version) return null;
      // Kept before versions: replaced only by a page that comes (keep() stores only then).
      if (mine && !kept.headers.has(SHOWN)) return key;
      delete keptAt[key];
      return cache.delete(key, { ignoreVary: true }).then(function () { return mine ? key : null; });
    });
  }

  // ``sent``: for a form sent with no network, which says it may not have reached us. Kept
  // without the cookie, it names nobody: marked when someone is signed in here, for app.js
  // not to tell them to sign in (data-someone-signed-in; not who).
  function offlinePage(sent) {
    var wanted = sent ? OFFLINE_SENT_URL : OFFLINE_URL;
    return caches.match(wanted, { cacheName: staticCache }).then(function (hit) {
      return hit || caches.match(wanted);
    }).then(function (hit) {
      // Kept by an older worker, before there were two.
      return hit || caches.match(OFFLINE_URL);
    }).then(function (hit) {
      if (!hit) return hit;
      return reading.then(currentAccount).then(function (id) {
        return id ? withOnBody(hit, "data-someone-signed-in", "") : hit;
      }, function () { return hit; });
    });
  }

  // A kept page as it is served instead of the network's answer: with when it was kept on its
  // <body> (the Date it came with, for a copy kept before that was noted).
  function marked(kept) {
    var when = kept.headers.get(KEPT_AT) || kept.headers.get("date") || "";
    var at = new Date(when);
    var stamp = isNaN(at.getTime()) ? "" : at.toISOString();
    return withOnBody(kept, "data-kept-at", stamp);
  }

  function withOnBody(kept, name, value) {
    return kept.text().then(function (html) {
      var headers = new Headers(kept.headers);
      headers.delete("content-length");
      return new Response(html.replace(/<body(?=[\s>])/, "<body " + name + '="' + value + '"'), {
        status: kept.status, statusText: kept.statusText, headers: headers,
      });
    });
  }

  function fromStatic(request) {
    return caches.open(staticCache).then(function (cache) {
      return cache.match(request).then(function (hit) {
        // An older kept page asks for an older version, which no server has any more (a
        // version not a process's own is a 404: server/web/headers.py), or none answers: the
        // current one is better than nothing.
        var current = function () {
          return caches.match(request, { ignoreSearch: true, cacheName: staticCache });
        };
        return hit || fetch(request).then(function (response) {
          if (response.status === 200) {
            cache.put(request, response.clone());
            return response;
          }
          return current().then(function (other) { return other || response; });
        }).catch(function (error) {
          return current().then(function (other) {
            if (other) return other;
            throw error;
          });
        });
      });
    });
  }

  // Only ever a page kept for the account signed in here (caches.match with a cacheName
  // makes no cache).
  function lastCopy(key) {
    return reading.then(currentAccount).then(function (id) {
      if (!id) return null;
      return caches.match(key, { cacheName: PAGES, ignoreVary: true }).then(function (kept) {
        return kept && tagOf(kept) === id ? kept : null;
      });
    });
  }

  // ``later``: keeps the worker alive for what is done once the response is on its way.
  function page(request, url, later) {
    var key = pageKey(url);
    var home = url.origin === self.location.origin && url.pathname === REACHOUT_URLS.home;
    // "/" sends a signed-in person to their QR: with no network, show the kept one.
    var wanted = key || (home ? url.origin + REACHOUT_URLS.share : null);
    return fetch(request).then(function (response) {
      var copy = worthKeeping(response) ? response.clone() : null;
      var read = accountOf(response).then(function (whose) {
        return whose === null ? null : signedIn(whose, later).then(function () { return whose; });
      }).catch(function () { return null; });
      reading = read;
      later(read.then(function (whose) {
        // With a notice, the page's message to keep it (app.js) fetches a plain copy.
        if (whose && key && !url.search && copy) return store(key, copy, whose);
      }).catch(function () {}));
      // A contact removed or blocked (404): its kept copy goes too. A page gone (410) is kept
      // as that answer (KEPT_STATUSES), above.
      if (key && response.status === 404) {
        later(caches.open(PAGES).then(function (cache) { return cache.delete(key); }));
      }
      if (!wanted || GAVE_UP.indexOf(response.status) < 0) return response;
      return lastCopy(wanted).then(function (hit) { return hit ? marked(hit) : response; });
    }).catch(function () {
      return (wanted ? lastCopy(wanted) : Promise.resolve(null)).then(function (hit) {
        return hit ? marked(hit) : offlinePage(false);
      });
    });
  }

  // A page that reached the screen without passing through respond() (the first visit, before
  // this worker was in charge, or the page a form POST redirected to), or changed in place
  // since (`changed`): fetch a copy to keep. ``quiet``: fetched again by a check, which it
  // does not start again.
  function keep(href, changed, quiet) {
    var url = new URL(href, self.location.origin);
    var key = pageKey(url);
    // Kept a moment ago by page(), unless something just changed (saved in place, a notice).
    var fresh = !changed && !url.search && Date.now() - (keptAt[key] || 0) < KEEP_AGAIN_MS;
    if (!key || fresh) return Promise.resolve();
    keptAt[key] = Date.now();
    return fetched(key, quiet).catch(function () {});
  }

  // A form sent in place on the page at ``shown`` (its address: ``form``) changed what another
  // kept page shows: a follow-up's Done on Follow-ups (/contacts/5/followup) is on that
  // contact's page (the page above the form's address) too, and what a contact's own page
  // saves (their follow-up, their name, a promise) is on Follow-ups. A copy of either kept
  // here is fetched again (quietly: its contacts were just checked, or are checked as the
  // list comes); one never kept is not fetched.
  function keepAlso(form, shown) {
    if (!form) return Promise.resolve();
    var url = new URL(form, self.location.origin);
    var above = pageKey(new URL(url.origin + url.pathname.replace(/\/[^/]*$/, "")));
    if (!above) return Promise.resolve();
    var here = pageKey(new URL(shown, self.location.origin));
    var also = above !== here ? above : contactOf(above) ? url.origin + REACHOUT_URLS.followups : null;
    if (!also || also === here) return Promise.resolve();
    return lastCopy(also).then(function (kept) {
      if (kept) return keep(also, true, true);
    }).catch(function () {});
  }

  // Fails only where no answer came (no network).
  function fetched(key, quiet) {
    return fetch(key, { credentials: "same-origin" }).then(function (response) {
      return accountOf(response).then(function (whose) {
        if (whose === null) return null;
        return signedIn(whose).then(function () {
          if (worthKeeping(response)) return store(key, response, whose, quiet);
        });
      });
    });
  }

  // A Block sent in place (htmx, on an event's list of people: its row becomes "Blocked."),
  // which may be of someone in my contacts: once it worked, the copies it made wrong go, as
  // after a form's page answer (forgetAfter), before its answer is swapped in. Any other
  // request sent in place is not ours to touch (null). No network is no answer here: htmx
  // says nothing was sent, where the offline page would be swapped in as if it were the row.
  function sentInPlace(request, url) {
    var blocking = BLOCKING.some(function (form) { return form.test(url.pathname); });
    if (request.method !== "POST" || !blocking) return null;
    return fetch(request).then(function (response) {
      if (!response.ok) return response;
      return forgetAfter(url).catch(function () {}).then(function () { return response; });
    });
  }

  function respond(request, later) {
    var url = new URL(request.url);
    if (request.mode === "navigate" && request.cache === "only-if-cached" && url.origin === self.location.origin) {
      // Back (or Forward) to a page that was a form's answer: the browser asks for it from
      // its cache alone, which a fetch from here cannot do. That is no network failure: the
      // page at that address comes anew, as a GET, rather than "You're offline" (or the form
      // sent twice).
      return page(new Request(request.url, { credentials: "same-origin" }), url, later);
    }
    if (request.method !== "GET") {
      if (url.origin !== self.location.origin) return null;
      if (request.mode !== "navigate") return sentInPlace(request, url);
      // A plain form sent without a network (the page thought it was online): our offline
      // page, which says nothing reached us and Back has the form, not the browser's own.
      return fetch(request).then(function (response) {
        // A form's answer that is a page says who is signed in now, as page() reads it: Sign
        // out's own page names nobody, so no copy is kept for whoever comes next where the
        // browser does not clear them itself (Clear-Site-Data, partly ignored before iOS 17).
        var read = accountOf(response).then(function (whose) {
          return whose === null ? null : signedIn(whose, later);
        }).catch(function () {});
        reading = read;
        later(read);
        // A navigation's redirect comes back unopened: our forms redirect once they worked.
        var worked = response.ok || response.type === "opaqueredirect";
        if (!worked) return response;
        // The form did its work: a copy that could not be forgotten is no reason to say
        // "You're offline" (what the catch below would).
        return forgetAfter(url).catch(function () {}).then(function () { return response; });
      }).catch(function () { return offlinePage(true); });
    }
    if (url.origin !== self.location.origin) return null;
    if (isVersionedStatic(url)) return fromStatic(request);
    if (request.mode === "navigate") return page(request, url, later);
    return null;
  }

  return {
    setup: setup, precache: precache, cleanUp: cleanUp, respond: respond, keep: keep,
    keepAlso: keepAlso, signedIn: signedIn, currentAccount: currentAccount,
  };
})();

// The Tap screen: feel a bump and report it in server time, and queue a typed code or a
// guest's details when the venue's network is gone or gives no answer (outbox.js sends
// them later).
(function () {
  "use strict";

  var THRESHOLD = 15;      // m/s² without gravity: a deliberate bump, not a step or a wave
  var QUIET_MS = 1500;     // one bump per gesture, however long the phone rattles
  var RESYNC_MS = 30000;
  var offset = 0;          // server clock minus this phone's clock, in ms
  var lastBump = 0;
  var armed = false;
  var OFFLINE = "You're offline, so bumping can't work. Type their code or scan their QR code: it will swap when you're back online.";

  function result() { return document.getElementById("bump-result"); }

  function say(text) {
    var box = result();
    box.textContent = "";
    var p = document.createElement("p");
    p.className = "notice";
    p.textContent = text;
    box.appendChild(p);
  }

  // This phone's clock, as the bump and the clock's samples read it: monotonic, so a
  // clock set between a sample and a bump does not move the bump. But it stands still
  // while the phone sleeps (iOS, Android): after that the offset is out by the sleep, so it
  // is found again on waking (visibilitychange, pageshow), and a bump that finds the clock
  // moved against Date.now() since the offset was found waits for a new one.
  function clock() { return performance.timeOrigin + performance.now(); }
  // Date.now() - clock() when the offset was found; more than SLEPT_MS away from that
  // now: the phone slept (or its wall clock was set). The two drift a few ms in 30 s at
  // most (RESYNC_MS), well within the server's window for one bump.
  var SLEPT_MS = 25;
  var wallLead = null;
  function slept() { return wallLead === null || Math.abs(Date.now() - clock() - wallLead) > SLEPT_MS; }
  var syncing = null;      // the offset being found: a bump felt meanwhile waits for it

  // NTP-style: the sample with the shortest round trip has the least room for asymmetry.
  // Timed where the browser's network stack saw the request go and the answer come
  // (Resource Timing), not when this page's script next ran: a busy page (one still
  // loading, a slow phone, a full CPU) reads the answer late, and an estimate from that
  // is late by half the delay, a good part of the server's window for one bump (40 ms).
  // Each sample has its own address, to find its timing (none: the script's own times).
  // A sample that fails (a dropped request, a gateway's error page) is left out: the others
  // still find the offset. None answering: the offset is not known (ready() says so).
  var samples = 0;
  var SAMPLES = 5;
  // A sample not answered in this long is given up on, and with it the rest of this round:
  // venue Wi-Fi with nothing behind it never answers, and a round waiting on it kept Bump at
  // "Getting ready…" (or a bump at "Looking for the other phone…") until a reload. A round
  // that gives up ends as one with no answer does: not ready, tried again (RETRY_MS). Far
  // longer than a working network takes for this tiny answer.
  var SAMPLE_WITHIN_MS = 3000;

  // Room for a sample's timing: the browser keeps 250 entries a page and then records no
  // more until they are cleared, and the Tap screen's own requests (the code check every
  // 3 s, bump waits, these samples) fill that within minutes; after that every sample would
  // be timed by this script, late. Cleared before each sample (bump off, the code check
  // alone fills it) and after it is read. Nothing else here reads them.
  function clearTimings() {
    if (performance.clearResourceTimings) performance.clearResourceTimings();
  }

  function timingOf(href) {
    var timing = performance.getEntriesByName ? performance.getEntriesByName(href, "resource").pop() : null;
    clearTimings();
    return timing || null;
  }

  function syncClock() {
    if (syncing) return syncing;
    var url = result().dataset.clockUrl;
    var best = null;
    var gaveUp = false;
    function sample() {
      if (gaveUp) return;
      var address = new URL(url, location.href);
      address.searchParams.set("sample", String(++samples));
      clearTimings();
      var sent = clock();
      // AbortController, not AbortSignal.timeout: iOS before 16 has no timeout().
      var stop = new AbortController();
      var deadline = setTimeout(function () { gaveUp = true; stop.abort(); }, SAMPLE_WITHIN_MS);
      return fetch(address.href, { cache: "no-store", credentials: "same-origin", signal: stop.signal })
        .then(function (response) {
          if (!response.ok) throw new Error("clock: " + response.status);
          return response.json();
        })
        .then(function (body) {
          var received = clock();
          var timing = timingOf(address.href);
          if (typeof body.now !== "number" || !isFinite(body.now)) return;
          if (timing && timing.requestStart > 0 && timing.responseStart >= timing.requestStart) {
            sent = performance.timeOrigin + timing.requestStart;
            received = performance.timeOrigin + timing.responseStart;
          }
          var trip = received - sent;
          if (!best || trip < best.trip) best = { trip: trip, offset: body.now - (sent + received) / 2 };
        })
        .catch(clearTimings)
        .then(function () { clearTimeout(deadline); });
    }
    var chain = Promise.resolve();
    for (var i = 0; i < SAMPLES; i++) chain = chain.then(sample);
    syncing = chain
      .then(function () {
        if (best) { offset = best.offset; wallLead = Date.now() - clock(); }
      })
      .catch(function () {})
      .then(function () { syncing = null; });
    return syncing;
  }

  // Whether a bump felt now can be put in server time: an offset found, and no sleep since.
  function ready() { return !slept(); }

  function magnitude(vector) {
    if (!vector || vector.x === null || vector.x === undefined) return 0;
    return Math.sqrt(vector.x * vector.x + vector.y * vector.y + vector.z * vector.z);
  }

  function onMotion(event) {
    if (!armed) return;
    var force = magnitude(event.acceleration);
    if (!force) force = Math.max(0, magnitude(event.accelerationIncludingGravity) - 9.81);
    // When the phone felt it, not when this script got to it: on a busy phone that can be
    // tens of milliseconds later, as long as the server's window for one bump. (A browser
    // old enough to stamp events in epoch time, not since the page opened: this moment.)
    var felt = event.timeStamp > 0 && event.timeStamp <= performance.now();
    var now = felt ? performance.timeOrigin + event.timeStamp : clock();
    if (force < THRESHOLD || now - lastBump < QUIET_MS) return;
    lastBump = now;
    if (!navigator.onLine) { say(OFFLINE); return; }
    // This bump is the question now: what the last one left waiting on the box (a "Swap
    // with …?" long-poll, or its answer still on the way) is dropped, or it would come back
    // over this one's answer when it ends. Sent from the box, as those are (hx-sync).
    var box = result();
    window.htmx.trigger(box, "htmx:abort");
    say("Bump! Looking for the other phone…");
    // Felt by the clock as it is since waking, so the offset found after waking fits it.
    if (slept()) syncClock();
    if (syncing) {
      var turnedOn = turnedOnTimes;
      syncing.then(function () { if (armed && turnedOn === turnedOnTimes) report(box, now, force); });
      return;
    }
    report(box, now, force);
  }

  function report(box, now, force) {
    // No offset (the clock never answered, or not since waking): this phone's own time would
    // be refused, or worse, paired with the wrong bump.
    if (!ready()) {
      say(NOT_READY);
      if (retry === null) getReady(turnedOnTimes);
      return;
    }
    window.htmx.ajax("POST", box.dataset.bumpUrl, {
      source: box,
      target: "#bump-result",
      swap: "innerHTML",
      values: { bumped_at: String(Math.round(now + offset)), force: force.toFixed(1) }
    });
  }

  // Back from sleep, or from the back/forward cache: the offset again, before the next bump.
  function woken(event) {
    if (!armed || document.visibilityState !== "visible") return;
    if (event.type === "pageshow" && !event.persisted) return;
    syncClock();
  }

  var resync = null;
  var retry = null;        // the next try to get ready: a timer, or true while one is out
  var turnedOnTimes = 0;
  var GETTING_READY = "Getting ready…";
  var READY = "Ready: bump your phone gently against theirs.";
  var NOT_READY = "Bump isn't ready yet: Reachout's clock didn't answer, so a bump can't be timed. Trying again… Meanwhile, type their code or scan their QR code.";
  // Tried again this often while the clock does not answer: soon enough for someone about
  // to bump, few enough requests from a crowd while Reachout is away.
  var RETRY_MS = 10000;

  // "Ready" only once this phone knows the server's time, or a bump straight away (on a slow
  // network, or with the clock not answering) would carry this phone's own clock instead.
  // Said over "Getting ready…" or the last try's "isn't ready", never over a bump's answer.
  function getReady(turnedOn) {
    retry = true;
    syncClock().then(function () {
      if (!armed || turnedOn !== turnedOnTimes) return;  // turned off (and on) meanwhile
      var shown = result().textContent;
      var waiting = shown === GETTING_READY || shown === NOT_READY;
      retry = null;
      if (ready()) { if (waiting) say(READY); return; }
      if (waiting) say(NOT_READY);
      retry = window.setTimeout(function () { getReady(turnedOn); }, RETRY_MS);
    });
  }

  // One button turns bump on and off: on, every jolt of a phone in a pocket is a question.
  function arm() {
    if (armed) return;
    if (!navigator.onLine) { say(OFFLINE); return; }
    armed = true;
    document.querySelector("[data-bump-start]").textContent = "Turn off bump";
    say(GETTING_READY);
    resync = window.setInterval(syncClock, RESYNC_MS);
    getReady(++turnedOnTimes);
  }

  function disarm() {
    armed = false;
    if (resync !== null) window.clearInterval(resync);
    if (typeof retry === "number") window.clearTimeout(retry);
    resync = retry = null;
    // A bump still waiting for its answer would come back over "Bump is off".
    window.htmx.trigger(result(), "htmx:abort");
    document.querySelector("[data-bump-start]").textContent = "Turn on bump";
    say("Bump is off.");
  }

  function setupBump() {
    var start = document.querySelector("[data-bump-start]");
    if (!start || !result()) return;
    if (typeof window.DeviceMotionEvent === "undefined") {
      document.querySelector("[data-bump-missing]").hidden = false;
      return;
    }
    start.hidden = false;
    window.addEventListener("devicemotion", onMotion);
    document.addEventListener("visibilitychange", woken);
    window.addEventListener("pageshow", woken);
    start.addEventListener("click", function () {
      if (armed) { disarm(); return; }
      // iOS asks for motion access, and only from a tap.
      var ask = window.DeviceMotionEvent.requestPermission;
      if (typeof ask !== "function") { arm(); return; }
      ask.call(window.DeviceMotionEvent).then(function (answer) {
        if (answer === "granted") arm();
        else say("Bumping needs motion access. Use a code or scan their QR code instead.");
      }).catch(function () { say("Bumping needs motion access. Use a code or scan their QR code instead."); });
    });
  }

  // What the server would refuse at once is refused at once offline too, in its words (on
  // the form): kept for later, it would fail only once back online, the guest long gone.
  // Said as the server says them (validate_quick, server/cards/fields.py): every field's
  // error, then, if no way to reach them was refused, that none was given.
  function refusal(form, kind, payload) {
    var says = form.dataset;
    if (kind === "code") {
      var digits = (payload.code || "").replace(/[\s-]/g, "");
      return /^\p{Nd}{6}$/u.test(digits) ? [] : [{ field: "code", message: says.offlineMalformed }];
    }
    var refused = [];
    if (!payload.name) refused.push({ field: "name", message: says.offlineNoName });
    else if (!seen(payload.name)) refused.push({ field: "name", message: NO_VISIBLE_NAME });
    var checks = { email: emailRefusal, phone: phoneRefusal, linkedin: linkedinRefusal };
    var words = serverWords();
    var reach = says.offlineReach.split(" ");
    reach.forEach(function (name) {
      var message = payload[name] && checks[name] && words[name] ? checks[name](payload[name], words[name]) : null;
      if (message) refused.push({ field: name, message: message });
    });
    var reachRefused = refused.some(function (r) { return reach.indexOf(r.field) >= 0; });
    if (!reachRefused && !reach.some(function (name) { return payload[name]; })) {
      refused.push({ field: reach[0], message: says.offlineNoReach });
    }
    return refused;
  }

  // A name with nothing that shows (only spaces, Hangul fillers, a blank braille pattern,
  // zero-width characters, marks with no letter): the server's rule, seen() with its
  // BLANK_LETTERS and UNSEEN categories and its words NO_VISIBLE_NAME, in
  // server/cards/fields.py, copied here (tests/cards/test_invisible_names_agree.py keeps the
  // two alike): kept offline, "ㅤ" would be refused only once back online, the guest gone.
  var BLANK_LETTERS = "\u115f\u1160\u3164\uffa0\u2800";
  var UNSEEN = ["Zs", "Zl", "Zp", "Mn", "Me", "Cc", "Cf"];
  var NO_VISIBLE_NAME = "Type a name people can see.";
  var SEEN = new RegExp("[^" + UNSEEN.map(function (category) { return "\\p{" + category + "}"; }).join("") +
    BLANK_LETTERS + "]", "u");

  function seen(name) { return SEEN.test(name); }

  // The server's words, and its LinkedIn rule, by field (server/cards/fields.py, handed over
  // by tap.html): one source, so the words said offline are the words said online.
  function serverWords() {
    var tag = document.getElementById("offline-field-checks");
    try { return tag ? JSON.parse(tag.textContent) : {}; } catch (e) { return {}; }
  }

  // The browser's own check of an email field (its validity), on the address with its
  // domain in ASCII: Chromium finds "omar@bücher.example" malformed, the server does not.
  // And a dot in the domain, as the server asks ("omar@gmail" is refused there). Only what
  // the server surely refuses: a guest wrongly refused here could not be kept at all.
  function emailRefusal(value, says) {
    var at = value.lastIndexOf("@");
    var local = at > 0 ? value.slice(0, at) : value;
    var domain = at > 0 ? value.slice(at + 1) : "";
    var ascii = "";
    try { ascii = domain && new URL("http://" + domain).hostname; } catch (e) { ascii = ""; }
    var probe = document.createElement("input");
    probe.type = "email";
    // Letters outside ASCII before the @ fail the browser's check, but have their own words.
    probe.value = local.replace(/[^\x00-\x7f]/g, "a") + "@" + ascii;
    if (at <= 0 || !ascii || ascii.indexOf(".") < 0 || probe.validity.typeMismatch) return says.bad;
    return /[^\x00-\x7f]/.test(local) ? says.not_emailable : null;
  }

  // A rough count of digits, not the server's numbering plans (libphonenumber): only a
  // number no country could have is refused. The shortest anywhere is 4 digits (6 with its
  // country code), the longest 17 (20). Letters may be a number's own ("1-800-FLOWERS").
  function phoneRefusal(value, says) {
    var digits = (value.match(/\p{Nd}/gu) || []).length;
    var abroad = /^\s*(\+|00)/.test(value);  // with its country code: the server's test
    var own = abroad && /^\s*00/.test(value) ? digits - 2 : digits;
    if (own < (abroad ? 3 : 2) || own > 20) return says.bad;
    if (/\p{L}/u.test(value)) return null;
    if (own < (abroad ? 6 : 4)) return abroad ? says.check_digits : says.add_country;
    return null;
  }

  // The server's rule (fields._linkedin): a value with none of its link marks is a username,
  // refused unless it matches the server's own pattern (handed over in a syntax both read
  // alike: "Dana Lee", a name, is no username), and made into a profile link; a link must be
  // to its site or a subdomain. Refused here, in its
  // words, only a link the server surely reads as this browser does (web_links: plain ASCII,
  // a host of letters, digits, "-", "_" and dots, http or https), on another site. Anything
  // else it may refuse for another reason, in other words: kept, and said once it answers.
  var PLAIN_LINK = /^(https?:\/\/)?([a-z0-9_-]+(\.[a-z0-9_-]+)+)\.?(:\d{1,5})?([\/?#][\x21-\x5b\x5d-\x7e]*)?$/i;

  function linkedinRefusal(value, says) {
    var typed = value.split(/\s+/).join(" ");  // as the server reads it: spaces collapsed
    var marked = Array.prototype.some.call(says.link_marks, function (mark) { return typed.indexOf(mark) >= 0; });
    if (!marked) return new RegExp("^(?:" + says.username + ")$", "u").test(typed) ? null : says.not_username;
    var plain = PLAIN_LINK.exec(typed);
    if (!plain) return null;
    // With no scheme, a colon before the first "/" that is no port makes it "only web links".
    var first = typed.split("/")[0];
    if (!plain[1] && first.indexOf(":") >= 0 && !/:\d+$/.test(first)) return null;
    var link;
    try { link = new URL(plain[1] ? typed : "https://" + typed); } catch (e) { return null; }
    var host = link.hostname;
    var labels = host.split(".");
    var port = plain[4] ? Number(plain[4].slice(1)) : 1;
    // A host the browser read as another (an IPv4 address: "127.1"), one the server reads
    // further (punycode), a name or port out of bounds, or a link too long to store: the
    // server says something else of it.
    if (host !== plain[2].toLowerCase() || /^(\d+|0x[0-9a-f]*)$/.test(labels[labels.length - 1]) ||
        labels.some(function (label) { return label.length > 63 || label.indexOf("xn--") === 0; }) ||
        host.length > 253 || !(port > 0 && port < 65536) || link.href.length > Number(says.longest)) return null;
    return host === says.site || host.slice(-says.site.length - 1) === "." + says.site ? null : says.only;
  }

  // Said as the server's own errors are (_forms.html): under each field, tied to it; the
  // first focused.
  function sayRefused(form, refused) {
    refused.forEach(function (one) {
      var input = form.elements[one.field];
      var note = document.createElement("p");
      note.className = "error";
      note.id = input.id + "-refused";
      note.setAttribute("role", "alert");
      note.textContent = one.message;
      input.closest(".field").appendChild(note);
      input.dataset.describedBy = input.getAttribute("aria-describedby") || "";
      input.setAttribute("aria-describedby", (input.dataset.describedBy + " " + note.id).trim());
      input.setAttribute("aria-invalid", "true");
    });
    form.elements[refused[0].field].focus();
  }

  function clearRefused(form) {
    form.querySelectorAll("[data-described-by]").forEach(function (input) {
      var before = input.dataset.describedBy;
      if (before) input.setAttribute("aria-describedby", before);
      else input.removeAttribute("aria-describedby");
      input.removeAttribute("aria-invalid");
      delete input.dataset.describedBy;
      var note = document.getElementById(input.id + "-refused");
      if (note) note.remove();
    });
  }

  // A code or a guest's details go to the outbox (outbox.js) instead of being lost: at once
  // when the phone knows it is offline, and after sending them when no answer came (Wi-Fi
  // with nothing behind it, a network that drops mid-request, one too slow to wait for).
  var QUEUED = {
    "code-form": { kind: "code", label: function (payload) { return "Code " + payload.code; } },
    "guest-form": { kind: "guest", label: function (payload) { return "Details of " + payload.name; } },
  };
  // Longer than any answer a working network brings, short enough for a guest still there.
  var ANSWER_WITHIN_MS = 10000;
  // Answers that are no answer from Reachout: a gateway that gave up on it, or it away.
  var NO_ANSWER = [502, 503, 504];

  function queued(form) {
    return form instanceof HTMLFormElement && window.ReachoutOutbox ? QUEUED[form.id] || null : null;
  }

  // What the form sends, as the outbox keeps it: its text, trimmed, less the key and the
  // account (the outbox keeps those beside it).
  function payloadOf(formData) {
    var payload = {};
    formData.forEach(function (value, name) {
      if (typeof value === "string" && name !== "key" && name !== "account") payload[name] = value.trim();
    });
    return payload;
  }

  // Into the outbox, unless the server would refuse it at once. Resolves with whether it
  // was, as soon as it is kept on this phone: the form is ready for the next one then, not
  // once the outbox's first try ends (on Wi-Fi that never answers, 20 s later, while the
  // next person's code was being typed). Rejects if it could not even be kept.
  function keep(form, how, payload, options) {
    clearRefused(form);
    var refused = refusal(form, how.kind, payload);
    if (refused.length) { sayRefused(form, refused); return Promise.resolve(false); }
    form.dataset.queuing = "";
    return new Promise(function (resolve, reject) {
      var sending = Object.assign({}, options, { stored: resolve });
      // A try that fails once the record is kept leaves it pending in the list, for the
      // outbox's next round: nothing for the form to say (reject is then a no-op).
      window.ReachoutOutbox.send(how.kind, payload, how.label(payload), sending).catch(reject);
    }).then(function (record) {
      clearKept(form, payload);
      form.dataset.keptAt = String(Date.now());
      sayKept(form, record);
      return true;
    }).finally(function () {
      delete form.dataset.queuing;
    });
  }

  // Not even kept on this phone (its storage full or refused): what was typed stays in the
  // form, said unsent as any request that found no network (app.js).
  function notKept(form, detail) {
    form.dispatchEvent(new CustomEvent("htmx:sendError", {
      bubbles: true,
      detail: Object.assign({}, detail, { elt: form, notKept: true }),
    }));
  }

  // What was kept is said next to the form (its row in the list is out of view on a phone,
  // and read by no screen reader), and later what became of it: a person who heard
  // nothing typed it again, a second contact. Keyed by record: the region says the latest.
  var keptHere = {};

  // Said in view when it answers a tap; what comes later (back online) moves nothing.
  function sayNear(formId, text, inView) {
    var region = document.querySelector("[data-said-for='" + formId + "']");
    if (!region) return;
    var note = document.createElement("p");
    note.className = "notice";
    note.textContent = text;
    region.replaceChildren(note);
    if (inView) region.scrollIntoView({ block: "nearest" });
  }

  function sayKept(form, record) {
    if (!record) return;
    keptHere[record.key] = form.id;
    sayNear(form.id, "Kept on this phone: " + record.label + ". " + (navigator.onLine === false
      ? "It goes as soon as you're online."
      : "Reachout didn't answer just now: it goes by itself in a moment."), true);
  }

  // Where the list is from what is said (the code form's region is above it, the guest
  // form's below), by its name: "the list above" sent a person looking the wrong way.
  function whereListIs(formId) {
    var region = document.querySelector("[data-said-for='" + formId + "']");
    var list = document.querySelector("[data-outbox]");
    var heading = list && list.querySelector("h2");
    if (!region || !heading) return "";
    var below = region.compareDocumentPosition(list) & Node.DOCUMENT_POSITION_FOLLOWING;
    return ' To put it back in the form, tap Type again in "' + heading.textContent.trim() +
      '", ' + (below ? "below." : "above.");
  }

  // A refused code is dead by now, or someone else's: a new one is asked for, not typed
  // again. A guest's details go back into the form from the list.
  function nextStep(record, formId) {
    if (record.kind === "code") return ReachoutOutbox.failedWords(record);
    return (record.message || "") + whereListIs(formId);
  }

  function sayOutcomes(event) {
    (event.detail || []).forEach(function (record) {
      var formId = keptHere[record.key];
      if (!formId || record.status === "pending") return;
      delete keptHere[record.key];
      sayNear(formId, record.status === "done"
        ? record.message || "Swapped: " + record.label + "."
        : "Not swapped: " + record.label + ". " + nextStep(record, formId), false);
    });
  }

  // A double tap offline: the first tap kept the form and emptied it within milliseconds,
  // and the second sent it empty, to a false "Please enter their name." that took focus.
  var AGAIN_WITHIN_MS = 1000;

  function tappedAgain(form) {
    if (Date.now() - Number(form.dataset.keptAt || 0) > AGAIN_WITHIN_MS) return false;
    return Array.prototype.every.call(form.elements, function (field) {
      return !typedField(field) || !field.value.trim();
    });
  }

  function typedField(field) {
    return !!field && /^(text|tel|email|url|search|textarea)$/.test(field.type);
  }

  // Empties the fields that still hold what was kept. One changed since (typed while the
  // POST that got no answer was out: the next person's code) stays as it is.
  function clearKept(form, payload) {
    Object.keys(payload).forEach(function (name) {
      var field = form.elements[name];
      if (typedField(field) && field.value.trim() === payload[name]) field.value = "";
    });
  }

  function setupKeeping() {
    document.addEventListener("submit", function (event) {
      var form = event.target;
      var how = queued(form);
      if (!how) return;
      // A double tap queues it once: the second submit comes before the first is queued
      // (and the form emptied), and queued twice it was two contacts once back online. Nor is
      // it sent while its copy that got no answer is being queued, nor, emptied, just after.
      var queuing = form.dataset.queuing !== undefined || tappedAgain(form);
      if (navigator.onLine && !queuing) return;  // sent by htmx, with a key (below)
      event.preventDefault();
      event.stopPropagation();
      if (queuing) return;
      keep(form, how, payloadOf(new FormData(form))).catch(function () { notKept(form, {}); });
    }, true);

    // Sent with a key, as the outbox sends what it keeps: the server claims it, so the copy
    // queued when the answer is lost (below) gets that answer, not a second contact. Sent
    // as it would be queued (trimmed), since the key stands for exactly what was sent.
    document.addEventListener("htmx:configRequest", function (event) {
      var config = event.detail;
      if (!queued(config.elt) || config.verb !== "post") return;
      var payload = payloadOf(config.formData);
      Object.keys(payload).forEach(function (name) { config.formData.set(name, payload[name]); });
      var key = window.ReachoutNewKey();
      config.formData.set("key", key);
      // The account this page is for, as its queued copy names it (outbox.js): signed in to
      // another since (in another tab), the server refuses it rather than swap as that one,
      // and a copy queued for this account, sent once it signs in again, is no second swap.
      config.formData.set("account", (document.body && document.body.dataset.signedIn) || "");
      if (!config.timeout) config.timeout = ANSWER_WITHIN_MS;
      config.keptAs = { key: key, made_at: Date.now(), payload: payload };
    });

    // No answer (no network, or none in time): into the outbox, under the same key, as if
    // the phone had said it was offline; not "nothing was sent" (app.js), which may be
    // untrue. An answer that came, even a refusal (4xx), shows in the page as always.
    // Whether it was taken.
    function keepUnanswered(form, detail) {
      var how = queued(form);
      var sent = detail.requestConfig && detail.requestConfig.keptAs;
      if (!how || !sent || detail.notKept || !form.isConnected) return false;
      keep(form, how, sent.payload, { key: sent.key, made_at: sent.made_at }).catch(function () {
        notKept(form, detail);
      });
      return true;
    }
    function unanswered(event) {
      var detail = event.detail || {};
      if (keepUnanswered(detail.elt, detail)) event.stopPropagation();
    }
    document.addEventListener("htmx:sendError", unanswered, true);
    document.addEventListener("htmx:timeout", unanswered, true);

    // A gateway that gave up (a proxy's 502 or 504), or our own 503 while the database is
    // away, is no answer either: the swap may have been made before it came (a guest saved,
    // then the proxy's 502), so it is kept under the same key, not shown and typed again.
    // Cancelled here, so app.js says nothing of it (it shows other 5xx answers).
    document.addEventListener("htmx:beforeSwap", function (event) {
      var detail = event.detail;
      var status = detail.xhr ? detail.xhr.status : 0;
      if (NO_ANSWER.indexOf(status) < 0) return;
      var form = detail.requestConfig && detail.requestConfig.elt;
      if (keepUnanswered(form, detail)) event.preventDefault();
    }, true);

    document.addEventListener("reachout:outbox", sayOutcomes);
  }

  function setup() {
    setupBump();
    setupKeeping();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();

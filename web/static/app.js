// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";

  function reveal(selector, supported, onClick) {
    document.querySelectorAll(selector).forEach(function (button) {
      if (!supported) return;
      button.hidden = false;
      button.addEventListener("click", function () { onClick(button); });
    });
  }

  function setup() {
    phoneZone(document);
    reveal("[data-copy]", !!(navigator.clipboard && window.isSecureContext), copy);
    attemptKeys(document);
    offlineMark();
    shownOnce();
    badge();
    useTimeZone();
    // A page that came back with a form's errors (a form sent without htmx): focus on the
    // first field marked, so that it is on screen and read with its error, not on <body>.
    var invalid = document.querySelector('main [aria-invalid="true"]');
    if (invalid && (!document.activeElement || document.activeElement === document.body)) invalid.focus();
    else focusOnLoad();
    if (window.ReachoutReminders) window.ReachoutReminders.setup();
    expire();
    codeExpiry();
    nothingKept();
    reveal("[data-print]", typeof window.print === "function", function () { window.print(); });
    reveal("[data-share]", typeof navigator.share === "function", function (button) {
      navigator.share({ title: button.dataset.shareTitle, url: button.dataset.share }).catch(function () {});
    });
  }

  // "Copy link": said in #flash (a screen reader hears nothing of a button renamed under
  // it), the button's words back after a while, for the next copy; and said when the
  // browser refuses, so nobody pastes a link that was never copied.
  var COPIED_FOR_MS = 4000;
  function copy(button) {
    var words = button.dataset.copyWords || (button.dataset.copyWords = button.textContent);
    clearTimeout(Number(button.dataset.copyTimer));
    navigator.clipboard.writeText(button.dataset.copy).then(function () {
      button.textContent = "Link copied";
      var note = say("Link copied.");
      button.dataset.copyTimer = String(setTimeout(function () {
        button.textContent = words;
        if (note && note.isConnected) note.remove();
      }, COPIED_FOR_MS));
    }, function () {
      button.textContent = words;
      say("The link could not be copied. Copy it from its box on this page instead.", "notice bad");
    });
  }

  // A notice ("Swapped!") says what just happened, once: a reload, or Back to the page, shows
  // it without. Taken out of the address only then, as the page loaded by the redirect keeps it.
  function shownOnce() {
    var entry = performance.getEntriesByType ? performance.getEntriesByType("navigation")[0] : null;
    if (entry && (entry.type === "reload" || entry.type === "back_forward")) forgetNotice();
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) forgetNotice();
    });
  }

  function forgetNotice() {
    document.querySelectorAll("[data-notice]").forEach(function (notice) { notice.remove(); });
    var url = new URL(window.location.href);
    if (!url.searchParams.has("notice")) return;
    url.searchParams.delete("notice");
    history.replaceState(history.state, "", url.pathname + url.search + url.hash);
  }

  // A page whose one next step is a control ("Undo" after Remove, the code's field after
  // "Send me a code"): focus on it, or on the first field inside the element marked, so a
  // keyboard or screen reader starts there, not at the top (and the page, loaded whole, says
  // nothing of itself otherwise: a notice in it at load is not read out).
  // Else a page that opens saying what just happened (a notice, "Swapped!", which a reload or
  // Back takes away: shownOnce; the welcome page's "Done!", an email button's outcome: marked
  // data-said-on-load): focus on that, so that it is read out, and a keyboard goes on from it.
  function focusOnLoad() {
    if (document.activeElement && document.activeElement !== document.body) return;
    var marked = document.querySelector("main [data-focus-on-load]");
    var control = !marked || marked.closest("[hidden]") ? null
      : marked.matches("input, select, textarea, button") ? marked
      : marked.querySelector("input:not([type=hidden]), select, textarea, button");
    if (control) { control.focus(); return; }
    var said = document.querySelector("main [data-notice], main [data-said-on-load]");
    if (!said || said.closest("[hidden]")) return;
    said.tabIndex = -1;
    said.focus();
  }

  // "Undo" works for a few seconds: the button goes when it stops working (without this
  // file it stays, and the server answers that it is too late). Its notice then says so
  // (data-expired-said, read out: it is a status); a person on the button, whose focus
  // would fall to the top of the page with it, is taken to the notice instead.
  function expire() {
    document.querySelectorAll("[data-expires-in]").forEach(function (element) {
      var seconds = parseFloat(element.dataset.expiresIn) || 0;
      setTimeout(function () {
        var focused = element.contains(document.activeElement);
        element.hidden = true;
        var notice = element.closest("[data-expired-said]");
        if (!notice) return;
        var said = document.createElement("p");
        said.textContent = notice.dataset.expiredSaid;
        notice.appendChild(said);
        if (focused) {
          notice.tabIndex = -1;
          notice.focus();
        }
      }, seconds * 1000);
    });
  }

  // The Follow-ups tab's number (follow-ups due and people waiting for an answer), on the
  // app icon where the browser can (Badging API).
  // Signed out (or the account deleted), the page has no count: the icon must not keep the
  // last account's. The offline page names nobody either, but whoever is signed in still is.
  function badge() {
    if (!("setAppBadge" in navigator) || !("clearAppBadge" in navigator)) return;
    var body = document.body;
    var count = body.dataset.badge;
    if (count === undefined && (body.hasAttribute("data-signed-in") || body.hasAttribute("data-offline-page"))) return;
    var n = parseInt(count, 10) || 0;
    try {
      Promise.resolve(n > 0 ? navigator.setAppBadge(n) : navigator.clearAppBadge()).catch(function () {});
    } catch (e) {}
  }

  // Also for a form htmx swapped in (Settings after Save): the button came back hidden.
  function useTimeZone(root) {
    (root || document).querySelectorAll("[data-use-time-zone]").forEach(function (button) {
      var zone = "";
      try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) {}
      if (!zone || button.dataset.zoneReady) return;
      // Only a zone the field suggests (its datalist): the server takes no other as typed
      // (an offset zone such as Etc/GMT-3 reads backwards), and a button to a refusal helps
      // nobody; the field is there to type a city in.
      var field = document.querySelector(button.dataset.useTimeZone);
      var offered = field && field.list ? Array.prototype.some.call(field.list.options, function (option) {
        return option.value === zone;
      }) : true;
      if (!offered) return;
      button.dataset.zoneReady = "1";
      button.hidden = false;
      button.textContent = "Use this phone's time zone (" + zone + ")";
      button.addEventListener("click", function () {
        var input = document.querySelector(button.dataset.useTimeZone);
        if (!input) return;
        input.value = zone;
        fixedByHand(input);
        // Focus on the field: a screen reader reads the zone it now holds (the button says
        // nothing of it), and the field is where to change it.
        input.focus();
      });
    });
  }

  // A field the server refused, filled anew by a button: its error ("Type a city, like
  // London") no longer says what it holds, and is no longer read with it. The form's
  // "Please fix the field marked below" stays: nothing is saved until Save.
  function fixedByHand(input) {
    var box = input.closest(".field");
    var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
      var part = id && document.getElementById(id);
      if (part && part.classList.contains("error") && box && box.contains(part)) {
        part.remove();
        return false;
      }
      return !!id;
    });
    if (described.length) input.setAttribute("aria-describedby", described.join(" "));
    else input.removeAttribute("aria-describedby");
    input.removeAttribute("aria-invalid");
    if (box) box.classList.remove("invalid");
  }

  document.addEventListener("htmx:load", function (event) {
    if (event.target instanceof Element) {
      phoneZone(event.target);
      useTimeZone(event.target);
      attemptKeys(event.target);
    }
  });

  // The phone's time zone in a form that makes an account, so that "next morning" is the
  // person's own. Also in one htmx swapped back in with an error: sent empty, the account
  // was made in UTC, and "tomorrow at 09:00" came at 18:00 in Tokyo.
  function phoneZone(root) {
    var zone = "";
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) {}
    root.querySelectorAll("[data-time-zone]").forEach(function (input) {
      if (!input.value) input.value = zone;
    });
  }

  // One key per form and visit (this tab), sent with each try: when the venue's network loses
  // the answer and Send is tapped again, the server knows it is the same try, not a second
  // person (the form, back with an error, gets the same key again).
  function attemptKeys(root) {
    if (root === document && document.body && document.body.hasAttribute("data-signed-in")) {
      // Signed in: a try that made the account is over, and a later visit is a new one.
      try {
        Object.keys(sessionStorage).forEach(function (name) {
          if (name.indexOf("reachout-attempt ") === 0) sessionStorage.removeItem(name);
        });
      } catch (e) {}
    }
    root.querySelectorAll("[data-attempt]").forEach(function (input) {
      var form = input.closest("form");
      if (input.value || !form) return;
      var name = "reachout-attempt " + form.getAttribute("action");
      var key = null;
      try { key = sessionStorage.getItem(name); } catch (e) {}
      if (!key) {
        key = newKey();
        try { sessionStorage.setItem(name, key); } catch (e) {}
      }
      input.value = key;
    });
  }

  // A random key, as a UUID where the page may make one (randomUUID wants a secure context:
  // not plain http from a LAN address), else the same 128 bits as 32 hex digits, which the
  // server reads as a UUID too. The outbox and Tap's forms key what they send with it.
  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }
  window.ReachoutNewKey = newKey;

  // A request sent from one list of matches: the same person in the other list (someone who
  // can help me and whom I can help) says so too, not "Request to connect" (a 409).
  document.addEventListener("reachout:requested", function (event) {
    var person = event.detail && event.detail.person;
    document.querySelectorAll("form[data-connect='" + Number(person) + "']").forEach(function (form) {
      var sent = document.createElement("p");
      sent.className = "ok";
      sent.textContent = "Request sent.";
      form.replaceWith(sent);
    });
  });

  // "Reach out": the server marked the follow-up done; now open the mail/SMS/LinkedIn link.
  document.addEventListener("reachout:open", function (event) {
    // Only the schemes the server builds: a stored link is never a javascript: URL.
    if (event.detail && /^(mailto|sms|https?):/i.test(event.detail.value || "")) window.location.href = event.detail.value;
  });

  // The "Offline" mark: shown while the phone has no network, on every page; and on a page the
  // service worker served from what this phone saved (data-kept-at, sw-cache.js), with when:
  // a venue's Wi-Fi that reaches nothing still says the phone is online.
  function offlineMark() {
    var keptAt = document.body ? document.body.getAttribute("data-kept-at") : null;
    var offline = navigator.onLine === false || keptAt !== null;
    document.querySelectorAll("[data-offline]").forEach(function (mark) {
      if (mark.dataset.plain === undefined) mark.dataset.plain = mark.textContent;
      mark.textContent = mark.dataset.plain + (keptAt ? savedWhen(keptAt) : "");
      mark.hidden = !offline;
    });
  }

  // " at 2:05 PM" (today), " on Mon, Mar 3, 2:05 PM" (another day), in the phone's own words.
  function savedWhen(iso) {
    var at = new Date(iso);
    if (isNaN(at.getTime())) return "";
    var time = at.toLocaleTimeString([], { hour: "numeric", minute: "2-digit" });
    if (at.toDateString() === new Date().toDateString()) return " at " + time;
    return " on " + at.toLocaleDateString([], { weekday: "short", month: "short", day: "numeric" }) + ", " + time;
  }

  // The offline page tells of My QR and the pages opened online, saved on this phone: on one
  // that keeps none (signed out, or nothing opened yet) it says so instead. The service worker
  // keeps them in one cache, "reachout-pages" (sw-cache.js), and marks the offline page when
  // someone is signed in here: "sign in" would be wrong for them (a guest on her welcome page).
  function nothingKept() {
    var line = document.querySelector("[data-nothing-kept]");
    if (!line || !window.caches) return;
    var someone = document.body && document.body.hasAttribute("data-someone-signed-in");
    caches.has("reachout-pages").then(function (has) {
      return has ? caches.open("reachout-pages").then(function (cache) { return cache.keys(); }) : [];
    }).then(function (kept) {
      if (!kept.length) line.textContent = someone ? line.dataset.nothingKeptSignedIn : line.dataset.nothingKept;
    }).catch(function () {});
  }

  // My QR opened past the time its code works until (the copy saved on this phone, or the page
  // left open overnight): a visitor scanning it would be told it no longer works. The code
  // goes, with the link it carries (Copy link, Share, the link to send), and the person is told
  // what to do instead (politely: #flash).
  var CODE_EXPIRED = "This code has expired. Open My QR online for a new one; meanwhile use Tap (a code) or scan theirs.";
  function codeExpiry() {
    var qr = document.getElementById("qr");
    var until = document.querySelector("time[data-code-until]");
    var end = until ? Date.parse(until.getAttribute("datetime") || "") : NaN;
    if (!qr || isNaN(end)) return;
    var check = function () {
      if (qr.hidden || Date.now() < end) return;
      qr.hidden = true;
      document.querySelectorAll("[data-code-link]").forEach(function (part) { part.hidden = true; });
      say(CODE_EXPIRED, "notice bad");
    };
    check();
    // Timers sleep with the phone: looked at again whenever the page is seen.
    if (!qr.hidden) setTimeout(check, Math.min(end - Date.now() + 1000, 2147483647));
    document.addEventListener("visibilitychange", function () { if (!document.hidden) check(); });
    window.addEventListener("pageshow", check);
  }
  window.addEventListener("online", function () {
    // The network is back: what the page does goes through again (its lists, its forms), so it
    // is no longer marked for the copy it came as. A Wi-Fi that reaches nothing never says so.
    if (document.body) document.body.removeAttribute("data-kept-at");
    offlineMark();
    document.querySelectorAll("[data-send-error]").forEach(function (note) { note.remove(); });
  });
  window.addEventListener("offline", offlineMark);

  // What an answer put elsewhere on the page, out of band (Settings' Save puts right the line
  // under "Reminders on this phone"): htmx settles it too, before the request's own target,
  // but it is not where the person was. Focus that followed it went 2,000 px down the page.
  var outOfBand = new WeakSet();
  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    var fragment = event.detail.fragment;
    if (fragment && fragment.children) {
      Array.prototype.forEach.call(fragment.children, function (part) { outOfBand.add(part); });
    }
  });

  // A form sent back with its errors: the button that was tapped went with the old form, so
  // focus was nowhere, and the errors may be above the screen. Take the person to the first
  // one (focus scrolls to it, and a screen reader reads its label and its error). Only
  // after a submit: a field checked on "change" must not pull focus from the next field.
  document.addEventListener("htmx:afterSettle", function (event) {
    var config = event.detail && event.detail.requestConfig;
    var trigger = config && config.triggeringEvent;
    if (!trigger || trigger.type !== "submit") return;
    // In what came back only: another form on the page may still show an old error.
    var root = event.target;
    if (!(root instanceof Element) || outOfBand.has(root)) return;
    var invalid = '[aria-invalid="true"]';
    var field = root.matches(invalid) ? root : root.querySelector(invalid);
    if (field) { field.focus(); return; }
    var alert = root.querySelector('.notice.bad[role="alert"], .error[role="alert"]');
    if (alert) alert.scrollIntoView({ block: "center" });
  });

  // Focus after any other swap. htmx puts it back on an element with the same id; most of
  // our controls have none, and the one tapped went out with the part it was in: focus fell
  // to <body>, so a keyboard or screen reader was sent back to the top of the page (a second
  // Space on a switch scrolled it). Now it goes to the same control in what came back (same
  // tag, name and value, a button's same words, in a form with the same action); after "Show
  // more", to the first row it added; else to the first control in what came back, or to
  // what came back itself (a "Request sent." read out). Kept with its request: another
  // answer may be swapped in before this one settles.
  //
  // The control a form was sent from, kept with its request: the form's buttons are turned
  // off while it is on its way (below), and a button turned off loses focus, to <body>,
  // before the answer comes.
  document.addEventListener("htmx:beforeSend", function (event) {
    var active = document.activeElement;
    var elt = event.detail.elt;
    var config = event.detail.requestConfig;
    if (config && elt instanceof Element && active instanceof HTMLElement && elt.contains(active)) {
      config.sentFrom = active;
    }
  });
  function sentFrom(event) {
    var config = event.detail.requestConfig;
    var control = config && config.sentFrom;
    return control instanceof HTMLElement && control.isConnected ? control : null;
  }
  // No answer to swap in (offline): focus back on the control, not left on <body>.
  document.addEventListener("htmx:afterRequest", function (event) {
    var control = sentFrom(event);
    if (control && (!document.activeElement || document.activeElement === document.body)) {
      setTimeout(function () { if (document.activeElement === document.body && !control.disabled) control.focus(); });
    }
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    var active = document.activeElement;
    var target = event.detail.target;
    var config = event.detail.requestConfig;
    if (!config) return;
    config.focusWas = null;
    if (!active || active === document.body) active = sentFrom(event);
    if (!(active instanceof HTMLElement) || active === document.body) return;
    if (!(target instanceof Element) || !target.contains(active)) return;
    var more = active.closest("li.more");
    config.focusWas = {
      // The control that follows the one tapped, where that one goes with what it did
      // ("Undo" → "Mark done"): by its id, in what came back.
      then: active.getAttribute("data-then-focus"),
      tag: active.tagName,
      name: active.getAttribute("name"),
      value: active.getAttribute("value"),
      words: active.tagName === "BUTTON" ? active.textContent.trim() : null,
      action: active.form ? active.form.getAttribute("action") : null,
      rowBefore: more ? more.previousElementSibling : null,
    };
  });
  var CONTROLS = "a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), select, textarea, summary";
  function firstControl(root) {
    return root.matches(CONTROLS) ? root : root.querySelector(CONTROLS);
  }
  function sameControl(was, root) {
    var found = Array.prototype.slice.call(root.querySelectorAll(was.tag));
    if (root.tagName === was.tag) found.unshift(root);
    return found.filter(function (control) {
      return control.getAttribute("name") === was.name && control.getAttribute("value") === was.value
        && (was.words === null || control.textContent.trim() === was.words)
        && (!was.action || (control.form && control.form.getAttribute("action") === was.action));
    })[0] || null;
  }
  document.addEventListener("htmx:afterSettle", function (event) {
    var config = event.detail.requestConfig;
    var was = config && config.focusWas;
    var root = event.target;
    // Only in the request's own target: what came back out of band settles first.
    if (!was || !(root instanceof HTMLElement) || outOfBand.has(root)) return;
    config.focusWas = null;
    if (!root.isConnected) return;
    if (document.activeElement && document.activeElement !== document.body) return;  // placed already
    var next;
    if (was.rowBefore) {
      var row = was.rowBefore.isConnected ? was.rowBefore.nextElementSibling : null;
      next = row && firstControl(row);
    } else {
      var then = was.then ? document.getElementById(was.then) : null;
      next = (then && root.contains(then) ? then : null) || sameControl(was, root) || firstControl(root);
    }
    if (!next) {
      next = root;
      if (!next.hasAttribute("tabindex")) next.setAttribute("tabindex", "-1");
    }
    next.focus();
  });

  // A field checked as it is left (the card editor) gets back the whole field, its value as
  // the server read it. On slow Wi-Fi the person may be back in it, fixing a typo, when the
  // answer comes: swapped in, it put the typo back, and Save saved it. Such an answer is
  // dropped; the field's next check, as it is left again, is about what it holds now.
  document.addEventListener("htmx:beforeSend", function (event) {
    var field = event.detail.elt;
    var config = event.detail.requestConfig;
    if (config && (field instanceof HTMLInputElement || field instanceof HTMLTextAreaElement)) {
      config.valueSent = field.value;
    }
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    var config = event.detail.requestConfig;
    var field = config && config.elt;
    var target = event.detail.target;
    if (!config || typeof config.valueSent !== "string" || !(target instanceof Element)) return;
    // Only an answer that replaces the field itself (a search's list of results does not).
    if (target.contains(field) && field.value !== config.valueSent) event.detail.shouldSwap = false;
  });

  // The same for a form sent as a choice is made (a switch, What they see): flipped again
  // before the first answer came, that answer put the switch back as the first tap left it,
  // and the second tap's post, which htmx queues behind the first, went with the form it
  // replaced. Such an answer is dropped: the queued post then sends what the form holds now,
  // after the first was answered, so the server keeps the last choice too, and its answer
  // is the one shown.
  function formState(form) {
    var parts = [];
    new FormData(form).forEach(function (value, name) {
      parts.push(name + "=" + (typeof value === "string" ? value : value.name + ":" + value.size + ":" + value.lastModified));
    });
    return parts.join("&");
  }
  document.addEventListener("htmx:beforeSend", function (event) {
    var form = event.detail.elt;
    var config = event.detail.requestConfig;
    var trigger = config && config.triggeringEvent;
    if (form instanceof HTMLFormElement && trigger && trigger.type === "change") config.formSent = formState(form);
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    var config = event.detail.requestConfig;
    var form = config && config.elt;
    var target = event.detail.target;
    if (!config || typeof config.formSent !== "string" || !(target instanceof Element)) return;
    if (form.isConnected && target.contains(form) && formState(form) !== config.formSent) event.detail.shouldSwap = false;
  });

  // Near its limit a long text says what is left (read with the field, not at every key);
  // text the limit cuts (a paste, a drop, a word an input method commits) is said to be cut:
  // the browser drops the end without a word, and a bio pasted into "I can help with" lost
  // its end unseen.
  function limited(field) {
    return field instanceof HTMLElement && !!field.id && field.maxLength >= 0;
  }
  function countLeft(field) {
    var left = document.getElementById(field.id + "-left");
    if (!left) return;
    // Over the limit already (a note two merged cards joined whole): how much to take out,
    // not "0 characters left", which reads as full and fine.
    var over = field.value.length - field.maxLength;
    if (over > 0) {
      left.hidden = false;
      left.textContent = (over === 1 ? "1 character" : over.toLocaleString("en-US") + " characters") +
        " too many: shorten it to save.";
      return;
    }
    var room = Math.max(0, field.maxLength - field.value.length);
    var near = room <= Math.max(20, field.maxLength / 10);
    left.hidden = !near;
    left.textContent = !near ? "" : room === 1 ? "1 character left" : room + " characters left";
  }
  function keptLength(field) {
    var start = field.selectionStart, end = field.selectionEnd;
    return field.value.length - (start === null || end === null ? 0 : end - start);
  }
  function sayIfCut(field, kept, added) {
    var cut = document.getElementById(field.id + "-cut");
    if (!cut || !added) return;
    if (kept + added.length <= field.maxLength) { cut.textContent = ""; return; }
    cut.textContent = kept >= field.maxLength
      ? "This field is full (" + field.maxLength + " characters): nothing more was added."
      : "Only the first " + field.maxLength + " characters fit here: the end of what you added was left out.";
  }
  function countAll(root) {
    root.querySelectorAll("textarea[maxlength]").forEach(function (field) {
      if (limited(field)) countLeft(field);
    });
  }
  document.addEventListener("htmx:load", function (event) {
    if (event.target instanceof Element) countAll(event.target);
  });
  document.addEventListener("input", function (event) {
    var field = event.target;
    if (!limited(field) || event.isComposing) return;  // a word being composed may run over
    countLeft(field);
    var cut = document.getElementById(field.id + "-cut");
    if (cut && field.value.length < field.maxLength) cut.textContent = "";  // room again
  });
  document.addEventListener("paste", function (event) {
    var field = event.target;
    if (limited(field) && event.clipboardData) {
      sayIfCut(field, keptLength(field), event.clipboardData.getData("text/plain"));
    }
  });
  document.addEventListener("drop", function (event) {
    var field = event.target;
    if (limited(field) && event.dataTransfer) {
      sayIfCut(field, field.value.length, event.dataTransfer.getData("text/plain"));
    }
  });
  var composedInto = null;
  document.addEventListener("compositionstart", function (event) {
    if (limited(event.target)) composedInto = { field: event.target, kept: keptLength(event.target) };
  });
  document.addEventListener("compositionend", function (event) {
    if (composedInto && composedInto.field === event.target) {
      sayIfCut(event.target, composedInto.kept, event.data || "");
      countLeft(event.target);
    }
    composedInto = null;
  });

  // A double tap (or a second tap while the venue's network is slow) sends a form once: its
  // submit buttons wait for the answer. htmx would queue the second tap's post behind the
  // first: a guest typed in once was saved twice. beforeSend, not beforeRequest: a request
  // the offline outbox takes instead (tap.js) is never sent, and has no answer to wait for.
  document.addEventListener("htmx:beforeSend", function (event) {
    var form = event.detail.elt;
    if (!(form instanceof HTMLFormElement)) return;
    form.querySelectorAll("button:not([type=button]):not(:disabled)").forEach(function (button) {
      button.disabled = true;
      button.dataset.waiting = "";
    });
  });
  function answered(event) {
    var form = event.detail.elt;
    // Going to the next page (HX-Redirect, a refresh): they stay off until it has loaded,
    // or a tap meanwhile, on a slow network, would post again.
    if (!(form instanceof HTMLFormElement) || event.detail.keepIndicators) return;
    form.querySelectorAll("button[data-waiting]").forEach(function (button) {
      button.disabled = false;
      delete button.dataset.waiting;
    });
  }
  document.addEventListener("htmx:afterRequest", answered);
  document.addEventListener("htmx:onLoadError", answered);  // the answer could not be shown

  // A form that takes a while (a photo on the venue's Wi-Fi) says so in #flash, a live region
  // there from the start, and says when it is done: the part it replaces is new to a screen
  // reader, which reads nothing of it. data-sending, data-sent on the form (either alone).
  // One note in #flash at a time ("" clears it); returned, for a mark to find it by.
  function say(text, className) {
    var flash = document.getElementById("flash");
    if (!flash) return null;
    var note = document.createElement("p");
    note.className = className || "small muted";
    note.textContent = text;
    flash.replaceChildren(text ? note : "");
    return note;
  }
  document.addEventListener("htmx:beforeSend", function (event) {
    var form = event.detail.elt;
    if (form instanceof HTMLFormElement && form.dataset.sending) say(form.dataset.sending);
  });
  // Before the swap, which the part with the form in it may not outlive.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var form = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (!(form instanceof HTMLFormElement) || !(form.dataset.sending || form.dataset.sent)) return;
    var status = event.detail.xhr.status;
    say(status >= 200 && status < 300 && form.dataset.sent ? form.dataset.sent : "");
  });

  // htmx says nothing when a request never reaches the server: say it in #flash. Not for a
  // request the page makes on its own that the person does not wait on (a poll every few
  // seconds; a part marked data-quiet-offline, which says itself what it lacks offline):
  // they sent nothing. A bump's "Swap with …?" wait is waited on, and still says it.
  var QUIET = "[hx-trigger^='every '], [data-quiet-offline]";
  document.addEventListener("htmx:sendError", function (event) {
    var elt = event.detail.elt;
    if (elt instanceof Element && elt.matches(QUIET)) return;
    var offline = navigator.onLine === false;
    var note;
    if (elt instanceof HTMLFormElement && elt.hasAttribute("data-keep-draft") && keepDraft(elt, "failed")) {
      note = say(offline
        ? "You're offline: what you typed is kept on this phone, and saved when you're back online."
        : "The server could not be reached: what you typed is kept on this phone. Try again in a moment.", "notice");
    } else {
      note = say(offline
        ? "You're offline: nothing was sent. Try again when you're back online."
        : "The server could not be reached: nothing was sent. Try again in a moment.", "notice bad");
    }
    unsent(note, sentFrom(event));
  });
  // A note of something not sent: shown over the page above the tab bar (app.css), gone once
  // back online or once a request gets through, and closed by hand (it may cover a control).
  function unsent(note, control) {
    if (!note) return;
    var box = document.createElement("div");
    box.className = note.className;
    box.dataset.sendError = "";
    box.dataset.shownAt = String(performance.now());
    note.className = "";
    note.replaceWith(box);
    var close = document.createElement("button");
    close.type = "button";
    close.className = "ghost";
    close.textContent = "Dismiss";
    // Closed, focus goes back to where the person was, not to the top of the page.
    close.addEventListener("click", function () {
      box.remove();
      if (control && control.isConnected) control.focus();
    });
    box.append(note, close);
  }
  // A 5xx is not swapped (responseHandling in base.html): it would replace the form, and
  // what was typed with it. Ours carries a notice and where it goes (server/web/errors.py:
  // HX-Retarget #flash; "Back in a moment" while the database is away): shown as asked.
  // One without (a proxy's 502 or 504 page, not ours to show) is said in a few words.
  // Before this, neither said anything, the button came back, and people tapped again.
  // Not for a request nobody waits on (QUIET), nor one a listener took (tap.js keeps a
  // Tap form's, cancelling its swap).
  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    var status = detail.xhr ? detail.xhr.status : 0;
    if (status < 500 || event.defaultPrevented) return;
    var elt = detail.requestConfig && detail.requestConfig.elt;
    if (elt instanceof Element && elt.matches(QUIET)) return;
    if (detail.xhr.getResponseHeader("HX-Retarget")) {
      detail.shouldSwap = true;
      return;
    }
    unsent(say("Reachout didn't answer just now. Nothing was lost: try again in a moment.", "notice bad"), sentFrom(event));
  });
  // Sent after all (the network came back before the browser said so): the note goes. Only
  // a note shown before this request was sent: one sent earlier and answered late (a field's
  // check after a save's 502) says nothing of what the note is about.
  var sentAt = new WeakMap();
  document.addEventListener("htmx:beforeSend", function (event) {
    if (event.detail.xhr) sentAt.set(event.detail.xhr, performance.now());
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (!event.detail.successful) return;
    var sent = sentAt.get(event.detail.xhr);
    document.querySelectorAll("[data-send-error]").forEach(function (note) {
      if (sent === undefined || Number(note.dataset.shownAt) < sent) note.remove();
    });
  });
  // A plain form (not sent by htmx) tapped offline: the browser would leave the page for its
  // own "No internet" page, and Back might not bring the typed words back. It stays, and says so.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || navigator.onLine !== false) return;
    if (!(form instanceof HTMLFormElement) || (form.getAttribute("method") || "get").toLowerCase() !== "post") return;
    event.preventDefault();
    unsent(say("You're offline: nothing was sent. Try again when you're back online.", "notice bad"), event.submitter);
  });

  // A form that opens the next page (Remove, Undo, Block, Delete my account, a Move code),
  // like an htmx one above: a second tap while the first was on its way posted again, and
  // the page shown was the second answer ("That contact is not in your list", the Undo
  // lost). Its buttons stay enabled (one that is disabled sends no name, and a choice is its button's value):
  // further taps are dropped until this page shows again (Back, from the browser's cache) or
  // the first has had time to fail. After the handler above, which keeps such a form on
  // the page offline (defaultPrevented: nothing was sent, so nothing to wait for).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || event.defaultPrevented) return;
    if (form.method !== "post" || form.hasAttribute("hx-post")) return;
    if (form.hasAttribute("data-submitted")) {
      event.preventDefault();
      return;
    }
    form.setAttribute("data-submitted", "");
    setTimeout(function () { form.removeAttribute("data-submitted"); }, 10000);
  });
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("form[data-submitted]").forEach(function (form) {
      form.removeAttribute("data-submitted");
    });
  });

  // What is typed into a form marked data-keep-draft (a contact's note, give and get) outlives
  // a save the venue's network never carried, and the page itself: it is kept on this phone
  // (localStorage, which signing out clears) with what the form's [data-as-of] fields say it
  // was typed over, and put back in its fields when the page opens again. A kept text is in
  // one state: "sending" (from the tap until the server answers: a page that dies meanwhile
  // sends it again next time), "failed" (never reached the server: sent once the phone is
  // back online, or when the page next opens online), or "unsaved" (typed, never saved, the
  // page left: put back saying so, sent only when the person saves). The server's answer ends
  // it: it saved the text, or sent the form back with it and what is wrong (too long; saved
  // elsewhere since, which the [data-as-of] fields tell it: never overwritten unseen).
  var DRAFT = "reachout-draft:";
  function typedFields(form) { return form.querySelectorAll("textarea, input[type=text]"); }
  function values(fields) {
    var kept = {};
    fields.forEach(function (field) { kept[field.name] = field.value; });
    return kept;
  }
  function draftKey(form) { return DRAFT + form.getAttribute("action"); }
  // Whose text it is: another account signed in on this browser (without signing out, or
  // after its session ended) neither sees nor sends it.
  function signedIn() { return document.body ? document.body.dataset.signedIn || "" : ""; }
  function keptDraft(form) {
    try {
      var draft = JSON.parse(localStorage.getItem(draftKey(form)) || "null");
      if (draft && draft.account !== signedIn()) { dropDraft(form); return null; }
      return draft && draft.typed && draft.asOf ? draft : null;
    } catch (e) { return null; }
  }
  function keepDraft(form, state) {
    var draft = { typed: values(typedFields(form)), asOf: values(form.querySelectorAll("[data-as-of]")), state: state, account: signedIn() };
    try {
      localStorage.setItem(draftKey(form), JSON.stringify(draft));
      return true;
    } catch (e) { return false; }  // storage full or refused: say nothing was sent
  }
  function dropDraft(form) {
    try { localStorage.removeItem(draftKey(form)); } catch (e) {}
  }
  function showsDraft(form, draft) {
    return Array.prototype.every.call(typedFields(form), function (field) {
      return !(field.name in draft.typed) || field.value === draft.typed[field.name];
    });
  }
  // When the page opens (a form swapped in later is the answer to its own save, which says
  // what became of the text).
  function restoreDrafts() {
    document.querySelectorAll("form[data-keep-draft]").forEach(function (form) {
      var draft = keptDraft(form);
      if (!draft) return;
      if (showsDraft(form, draft)) { dropDraft(form); return; }
      typedFields(form).forEach(function (field) {
        if (field.name in draft.typed) field.value = draft.typed[field.name];
        if (limited(field)) countLeft(field);
      });
      form.querySelectorAll("[data-as-of]").forEach(function (field) {
        if (field.name in draft.asOf) field.value = draft.asOf[field.name];
      });
      if (draft.state === "unsaved") {
        say("Not saved yet: what you typed before is back in its field. Save it to keep it.", "notice");
        return;
      }
      keepDraft(form, "failed");
      if (navigator.onLine === false) {
        unsent(say("What you typed offline is kept on this phone, and saved when you're back online.", "notice"));
      } else {
        form.requestSubmit();
      }
    });
  }
  function keepUnsaved() {
    document.querySelectorAll("form[data-keep-draft]").forEach(function (form) {
      var draft = keptDraft(form);
      if (draft && showsDraft(form, draft)) return;  // kept as it is
      var changed = Array.prototype.some.call(typedFields(form), function (field) {
        return field.value !== field.defaultValue;
      });
      if (changed) keepDraft(form, "unsaved");
      else if (draft) dropDraft(form);
    });
  }
  window.addEventListener("pagehide", keepUnsaved);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") keepUnsaved();
  });
  document.addEventListener("htmx:load", function (event) {
    if (event.target === document.body) restoreDrafts();
  });
  // What each form sent, to tell what was typed while its save was on its way (slow venue
  // Wi-Fi: Save tapped, then a few more words): the answer's form would replace it.
  var sentValues = new WeakMap();
  var typedSince = {};  // by form action: the fields typed on since the save was sent
  document.addEventListener("htmx:beforeSend", function (event) {
    var form = event.detail.elt;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-keep-draft")) return;
    keepDraft(form, "sending");
    sentValues.set(form, values(typedFields(form)));
  });
  // Saved: nothing to keep. Refused (too long; saved elsewhere since): the answer shows the
  // text with what is wrong, and it is kept as unsaved, for when the page is left. Before
  // the swap: afterRequest fires on the form the answer replaced, out of the page by then,
  // and never reaches this listener.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var form = event.detail.requestConfig && event.detail.requestConfig.elt;
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-keep-draft") || status === 0) return;
    if (status >= 200 && status < 300) {
      dropDraft(form);
      var sent = sentValues.get(form) || {};
      var since = {};
      typedFields(form).forEach(function (field) {
        if (field.name in sent && field.value !== sent[field.name]) since[field.name] = field.value;
      });
      if (Object.keys(since).length) typedSince[form.getAttribute("action")] = since;
    } else keepDraft(form, "unsaved");
  });
  // The answer's form is in: what was typed meanwhile goes back in its field, not saved yet
  // (the form now carries the saved text's version, so the next Save is checked against it).
  document.addEventListener("htmx:afterSettle", function () {
    Object.keys(typedSince).forEach(function (action) {
      var since = typedSince[action];
      delete typedSince[action];
      var form = Array.prototype.filter.call(document.querySelectorAll("form[data-keep-draft]"), function (found) {
        return found.getAttribute("action") === action;
      })[0];
      if (!form) return;
      typedFields(form).forEach(function (field) {
        if (!(field.name in since)) return;
        field.value = since[field.name];
        if (limited(field)) countLeft(field);
      });
      keepDraft(form, "unsaved");
      say("Saved what was there when you tapped Save. What you typed since is in its field, not saved yet.", "notice");
    });
  });
  window.addEventListener("online", function () {
    document.querySelectorAll("form[data-keep-draft]").forEach(function (form) {
      var draft = keptDraft(form);
      if (draft && draft.state === "failed" && showsDraft(form, draft)) form.requestSubmit();
    });
  });

  // Who is signed in on this page, told to the worker before it keeps it: a phone signed in
  // to another account without signing out keeps none of the other's pages (sw-cache.js).
  function sayWhoIsSignedIn(worker) {
    if (worker && signedIn()) worker.postMessage({ type: "signed-in", account: signedIn() });
  }

  // A page that names nobody (signed out, the account deleted): the worker forgets every kept
  // page, even where the browser ignores Clear-Site-Data (iOS before 17). Only from a page
  // that came as it should (200): an error page names nobody either, and a 503 while the
  // database is away must not take the copies the person needs just then.
  function sayNobodyIsSignedIn(worker) {
    var entry = performance.getEntriesByType ? performance.getEntriesByType("navigation")[0] : null;
    if (worker && entry && entry.responseStatus === 200) worker.postMessage({ type: "signed-in", account: "" });
  }

  // ``form``: the address of a form just sent in place, whose change the worker looks for on
  // other pages it keeps (sw-cache.js keepAlso).
  function keepThisPage(worker, changed, form) {
    if (worker) worker.postMessage({ type: "keep-page", url: window.location.href, changed: !!changed, form: form || "" });
  }

  // Saved in place (my card edited, its photo, Ask first): the copy kept for offline is the
  // page as it was, so it is kept again, at once; and so is another kept page showing what
  // changed (a follow-up done on Follow-ups: that contact's page, named by the form's address).
  document.addEventListener("htmx:afterRequest", function (event) {
    var config = event.detail.requestConfig;
    var xhr = event.detail.xhr;
    if (!config || config.verb === "get" || !event.detail.successful || !xhr || xhr.status >= 300) return;
    if ("serviceWorker" in navigator) keepThisPage(navigator.serviceWorker.controller, true, config.path);
  });

  // The Follow-ups tab's number sent again with an answer in place (a Block on an event's
  // list of people: _tab_count.html, out of band): the app icon follows it, as on a page load.
  document.addEventListener("htmx:load", function (event) {
    var count = event.target;
    if (!(count instanceof HTMLElement) || count.id !== "tab-count" || count.dataset.badge === undefined) return;
    if (!document.body.hasAttribute("data-signed-in")) return;
    document.body.dataset.badge = count.dataset.badge;
    badge();
  });

  // A new version waits (sw.js never skips waiting on its own) until the person taps Reload.
  var reloadOnChange = false;

  function offerUpdate(registration) {
    var notice = document.querySelector("[data-update]");
    if (!notice || !registration.waiting || !navigator.serviceWorker.controller) return;
    notice.hidden = false;
    notice.querySelector("button").onclick = function () {
      reloadOnChange = true;
      if (registration.waiting) registration.waiting.postMessage({ type: "skip-waiting" });
    };
  }

  function registerWorker() {
    var container = navigator.serviceWorker;
    var firstVisit = !container.controller;
    container.addEventListener("controllerchange", function () {
      // The first worker taking charge is no reason to reload; a new version the person asked for is.
      if (reloadOnChange) { reloadOnChange = false; window.location.reload(); return; }
      if (firstVisit) {
        sayWhoIsSignedIn(container.controller);
        keepThisPage(container.controller);
      }
    });
    keepThisPage(container.controller);
    container.register(JSON.parse(document.documentElement.dataset.urls).service_worker).then(function (registration) {
      offerUpdate(registration);
      // A page whose navigation began while the first worker was still activating stays
      // uncontrolled (clients.claim() ran before it existed): ask the worker to claim it,
      // or this very page would not be kept for offline.
      container.ready.then(function (ready) {
        if (!container.controller && ready.active) ready.active.postMessage({ type: "claim" });
      });
      registration.addEventListener("updatefound", function () {
        var worker = registration.installing;
        if (!worker) return;
        worker.addEventListener("statechange", function () {
          if (worker.state === "installed") offerUpdate(registration);
        });
      });
    }).catch(function () {});
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }

  // Web NFC is Android Chrome only: elsewhere its script is not even fetched.
  function loadNfc() {
    var holder = document.querySelector("[data-nfc-src]");
    if (!holder || !("NDEFReader" in window)) return;
    var script = document.createElement("script");
    script.src = holder.dataset.nfcSrc;
    document.head.appendChild(script);
  }

  // Swaps queued offline: the Scan and Tap screens load outbox.js and send them
  // themselves; on any other page the service worker, which has it anyway, does.
  function flushOutbox() {
    if (window.ReachoutOutbox || !("serviceWorker" in navigator)) return;
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.active) registration.active.postMessage({ type: "flush" });
    }).catch(function () {});
  }

  // Swaps made on this phone that Reachout refused once back online (a guest's email
  // mistyped, a code or a scan no longer good): the service worker names them after each try
  // (sw.js, outbox.js unresolved()). Tap and Scan list them; any other page says so in #flash
  // (polite: it is read out after whatever is being read), with the way to the list: a
  // guest's details until typed again or dismissed there (the guest has long gone by then),
  // a code or a scan until seen there or told of by a notification.
  function sayUnswapped(event) {
    var data = event.data || {};
    if (data.type !== "outbox-changed" || !Array.isArray(data.failed)) return;
    if (document.querySelector("[data-outbox]")) return;
    var flash = document.getElementById("flash");
    var said = flash && flash.querySelector("[data-unswapped]");
    if (!data.failed.length) { if (said) said.remove(); return; }
    var first = data.failed[0];
    var more = data.failed.length - 1;
    var text = "Not swapped: " + first.label + (more ? " and " + more + " more" : "") + ". " +
      (first.message || "") + " ";
    if (said && said.dataset.unswapped === text) return;  // said already: not again each try
    var note = say(text, "notice bad");
    if (!note) return;
    note.dataset.unswapped = text;
    if (first.url) {
      var link = document.createElement("a");
      link.href = first.url;
      link.textContent = first.link || "Type it again on Tap";
      note.appendChild(link);
    }
  }

  // The app installs itself for the people who have a card; a visitor who only opened
  // someone's card on venue Wi-Fi should not download the whole app shell for it.
  if ("serviceWorker" in navigator && document.body && document.body.hasAttribute("data-signed-in")) {
    // At once, not at "load": the worker also reads it off the page as it comes (sw-cache.js).
    sayWhoIsSignedIn(navigator.serviceWorker.controller);
    window.addEventListener("load", registerWorker);
  } else if ("serviceWorker" in navigator && document.body && !document.body.hasAttribute("data-offline-page")) {
    sayNobodyIsSignedIn(navigator.serviceWorker.controller);
  }
  // The offline page names nobody (kept for whoever is signed in here, sw-cache.js), but the
  // worker knows whose swaps wait, and sends them as the network comes back.
  var workerKnows = document.body &&
    (document.body.hasAttribute("data-signed-in") || document.body.hasAttribute("data-offline-page"));
  if ("serviceWorker" in navigator && workerKnows) {
    window.addEventListener("load", flushOutbox);
    window.addEventListener("online", flushOutbox);
    navigator.serviceWorker.addEventListener("message", sayUnswapped);
  }
  window.addEventListener("load", loadNfc);
})();

// Passkeys: "Add a passkey" in Settings and "Sign in with a passkey" on the sign-in page.
// A refusal that names where to confirm it's you first ("confirm": a URL) goes there.
// The server's options come as JSON with base64url fields; the browser wants bytes, and its
// answer goes back as JSON with base64url fields (the shape the webauthn package reads).
(function () {
  "use strict";

  function toBytes(text) {
    var b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    b64 += "===".slice((b64.length + 3) % 4);
    var raw = atob(b64);
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out.buffer;
  }

  function toText(buffer) {
    var bytes = new Uint8Array(buffer);
    var raw = "";
    for (var i = 0; i < bytes.length; i++) raw += String.fromCharCode(bytes[i]);
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  // As the server says it (passkeys.ON_THE_PHONE) when it refuses a passkey the phone made.
  var ON_THE_PHONE = "Your phone may now list a passkey for Reachout that doesn't work: you can"
    + " delete it in your phone's settings.";

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(body || {}),
    });
  }

  function say(status, text) {
    if (!status) return;
    status.textContent = text;
    status.hidden = false;
  }

  // What an answer that is no JSON means: a guard in front of the passkey endpoints answered
  // with a page (this browser signed out elsewhere, the merge offer's hour over, the database
  // away). A page out of date says so, with a way to reload it (which then shows why).
  var OUT_OF_DATE = "This page is out of date";
  var BY_STATUS = {
    403: OUT_OF_DATE + ": you may have been signed out on this browser. Reload the page to see.",
    404: OUT_OF_DATE + ": what it offered is no longer there. Reload the page to see.",
    410: OUT_OF_DATE + ": what it offered is no longer there. Reload the page to see.",
    429: "Too many tries just now. Please wait a moment and try again.",
    502: "We can't reach Reachout right now. Nothing was changed: please try again in a moment.",
    503: "We can't reach Reachout right now. Nothing was changed: please try again in a moment.",
    504: "We can't reach Reachout right now. Nothing was changed: please try again in a moment.",
  };

  // The answer's JSON; for a page instead, ``error`` says what its status means (``reload``:
  // whether reloading shows why), and ``unread`` marks it: never taken for options.
  async function read(answer) {
    var text = await answer.text();
    try {
      var said = JSON.parse(text);
      if (said && typeof said === "object") return said;
    } catch (notJson) { /* a page: said by its status below */ }
    return {
      error: BY_STATUS[answer.status] || "Something went wrong. Please try again in a moment.",
      reload: [403, 404, 410].indexOf(answer.status) >= 0,
      unread: true,
    };
  }

  // Said in the status, with "Reload the page" where reloading it shows why.
  function sayRead(status, said) {
    say(status, said.error);
    if (!status || !said.reload) return;
    var link = document.createElement("a");
    link.className = "btn";
    link.href = location.href;
    link.textContent = "Reload the page";
    status.append(" ", link);
  }

  // Refused: to "Confirm it's you" when the answer says so, else said in the status.
  function refused(status, said) {
    if (said.confirm) location.assign(said.confirm);
    else sayRead(status, said);
  }

  // A passkey the phone made was refused: said first, and the way to confirm is a link. Going
  // there at once would leave the phone holding a passkey nobody said was not saved.
  function notSaved(status, said, button) {
    if (!status || !said.confirm) return refused(status, said);
    say(status, said.error);
    var link = document.createElement("a");
    link.className = "btn";
    link.href = said.confirm;
    link.textContent = "Confirm it's you";
    status.append(" ", link);
    // "It's you: confirmed" and the button no longer hold.
    var proven = button.dataset.proven && document.querySelector(button.dataset.proven);
    if (proven) proven.hidden = true;
    button.hidden = true;
    link.focus();
  }

  // The options asked for, or null when they were refused.
  async function optionsFor(button, status) {
    var asked = await post(button.dataset.optionsUrl);
    var options = await read(asked);
    if (asked.ok && !options.unread) return options;
    refused(status, options);
    return null;
  }

  async function add(button, status) {
    var options = await optionsFor(button, status);
    if (!options) return;
    options.challenge = toBytes(options.challenge);
    options.user.id = toBytes(options.user.id);
    (options.excludeCredentials || []).forEach(function (c) { c.id = toBytes(c.id); });
    var credential = await navigator.credentials.create({ publicKey: options });
    var response = credential.response;
    var answer = await post(button.dataset.url, {
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      response: {
        clientDataJSON: toText(response.clientDataJSON),
        attestationObject: toText(response.attestationObject),
        transports: response.getTransports ? response.getTransports() : [],
      },
      clientExtensionResults: credential.getClientExtensionResults(),
    });
    var said = await read(answer);
    // Added: Settings again, saying so (its notice; focus on it, below). In place of this
    // page, whose "It's you: confirmed, you can add a passkey" Back would show again.
    if (answer.ok && !said.unread) return said.redirect ? location.replace(said.redirect) : location.reload();
    // The phone made it, and nothing says it was saved: the phone may list it regardless.
    if (said.unread) said.error += " " + ON_THE_PHONE;
    notSaved(status, said, button);
  }

  async function signIn(button, status) {
    var options = await optionsFor(button, status);
    if (!options) return;
    options.challenge = toBytes(options.challenge);
    (options.allowCredentials || []).forEach(function (c) { c.id = toBytes(c.id); });
    var credential = await navigator.credentials.get({ publicKey: options });
    var response = credential.response;
    var answer = await post(button.dataset.url, {
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      response: {
        clientDataJSON: toText(response.clientDataJSON),
        authenticatorData: toText(response.authenticatorData),
        signature: toText(response.signature),
        userHandle: response.userHandle ? toText(response.userHandle) : null,
      },
      clientExtensionResults: credential.getClientExtensionResults(),
    });
    var said = await read(answer);
    if (answer.ok && !said.unread) location.assign(said.redirect);
    else sayRead(status, said);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-passkey]");
    if (!button) return;
    var status = document.querySelector(button.dataset.status);
    var action = button.dataset.passkey === "add" ? add : signIn;
    button.disabled = true;
    action(button, status)
      .catch(function (error) {
        var name = error && error.name;
        say(status, name === "InvalidStateError" && button.dataset.passkey === "add"
          ? "This phone already has a passkey for your account: nothing to add."
          : name === "NotAllowedError"
            // A proof (deleting, merging, adding a way) needs a face, fingerprint or PIN: a
            // phone whose passkey cannot ask gives no answer at all, so the button says so.
            ? button.dataset.cancelled || "No passkey was used: it was cancelled, or this phone has none for Reachout."
            : navigator.onLine === false
              ? "You're offline: a passkey needs the network. Try again when you're back online."
              : "Passkeys did not work here. Please try another way in.");
      })
      .finally(function () {
        button.disabled = false;
        // Turned off while it worked, the button lost focus to <body>: a keyboard or screen
        // reader would start again from the top of the page. Back on it (not when focus went
        // on, to the "Confirm it's you" link, or the button has gone).
        var active = document.activeElement;
        if ((!active || active === document.body) && button.isConnected && !button.hidden) button.focus();
      });
  });

  // Back from adding a passkey, Settings says it was added (server/web/notices.py): focus on
  // that notice, so that a screen reader reads it (a notice in a page at load is not read
  // out) and a keyboard goes on from there. Not on a reload or Back, which take it away (app.js).
  var ADDED = "passkey_added";
  function saidAdded() {
    if (new URLSearchParams(location.search).get("notice") !== ADDED) return;
    var entry = performance.getEntriesByType ? performance.getEntriesByType("navigation")[0] : null;
    if (entry && entry.type !== "navigate") return;
    var notice = document.querySelector("main [data-notice]");
    if (!notice) return;
    notice.tabIndex = -1;
    notice.focus();
  }
  saidAdded();

  // Shown where passkeys work: the page's buttons, and those in what htmx swaps in later,
  // which come hidden too (htmx:load, as app.js does for what it shows).
  function reveal(root) {
    if (!window.PublicKeyCredential) return;
    var selector = "[data-passkey], [data-passkey-link]";
    var found = Array.prototype.slice.call(root.querySelectorAll(selector));
    if (root instanceof Element && root.matches(selector)) found.push(root);
    found.forEach(function (b) { b.hidden = false; });
  }
  reveal(document);
  document.addEventListener("htmx:load", function (event) {
    if (event.target instanceof Element) reveal(event.target);
  });
})();

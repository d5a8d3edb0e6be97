// Turning push reminders on and off on this device, from the settings page.
(function () {
  "use strict";
  var SUBSCRIBE_TIMEOUT_MS = 15000;

  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  // PushManager.subscribe() can hang forever on some browsers: give up with a message.
  function withTimeout(promise, ms) {
    return new Promise(function (resolve, reject) {
      var timer = setTimeout(function () { reject(new Error("timeout")); }, ms);
      promise.then(function (v) { clearTimeout(timer); resolve(v); }, function (e) { clearTimeout(timer); reject(e); });
    });
  }

  function send(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
  }

  function deviceName() {
    var ua = navigator.userAgent;
    var os = /iPhone|iPad/.test(ua) ? "iPhone" : /Android/.test(ua) ? "Android" : /Mac/.test(ua) ? "Mac" : /Windows/.test(ua) ? "Windows" : /Linux/.test(ua) ? "Linux" : "";
    var browser = /Edg\//.test(ua) ? "Edge" : /Firefox\//.test(ua) ? "Firefox" : /Chrome\//.test(ua) ? "Chrome" : /Safari\//.test(ua) ? "Safari" : "Browser";
    return browser + (os ? " on " + os : "");
  }

  var UNREACHED = "Reminders are not on yet: Reachout could not be reached. Check your connection and try again.";

  // Our own words, said as they are (not taken for the browser's failure).
  function ours(text) {
    var error = new Error(text);
    error.ours = true;
    return error;
  }

  function setup() {
    var box = document.getElementById("push");
    if (!box) return;
    var on = box.querySelector("[data-push-subscribe]");
    var off = box.querySelector("[data-push-unsubscribe]");
    var status = box.querySelector("[data-push-status]");
    var ios = box.querySelector("[data-push-ios]");

    function say(text) { status.hidden = false; status.textContent = text; }

    var standalone = window.matchMedia("(display-mode: standalone)").matches || navigator.standalone === true;
    var isIOS = /iPhone|iPad|iPod/.test(navigator.userAgent);
    if (!("serviceWorker" in navigator) || !("PushManager" in window)) {
      if (isIOS && !standalone) { ios.hidden = false; } else { say("This browser cannot show reminders. Use “Add to calendar” on the follow-ups page instead."); }
      return;
    }

    navigator.serviceWorker.register(JSON.parse(document.documentElement.dataset.urls).service_worker).then(function () { return navigator.serviceWorker.ready; }).then(function (registration) {
      return registration.pushManager.getSubscription().then(function (current) {
        // On only while we still send to it: a phone removed from the list below, or a
        // browser that signed in to another account since, keeps its subscription but gets
        // nothing. Then "Turn on" shows, and hands the same subscription over again.
        var listed = !!current && markThisDevice(current.endpoint);
        on.hidden = listed && Notification.permission === "granted";
        off.hidden = !listed;
        on.addEventListener("click", function () { subscribe(registration); });
        off.addEventListener("click", function () { unsubscribe(registration); });
      });
    });

    function refreshDevices() {
      return fetch(window.location.href, { credentials: "same-origin" }).then(function (response) {
        return response.text();
      }).then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("devices-section");
        var current = document.getElementById("devices-section");
        if (fresh && current) current.replaceWith(fresh);
      }).catch(function () {});
    }

    // Whether this phone is in the list of devices we send reminders to (marked if so).
    function markThisDevice(endpoint) {
      var found = false;
      document.querySelectorAll(".device").forEach(function (row) {
        if (row.dataset.endpoint !== endpoint) return;
        row.querySelector(".this-device").hidden = false;
        found = true;
      });
      return found;
    }

    // A button turned off while it works loses focus to <body>: when done, focus goes back
    // to it, or to the one shown in its place ("Turn off reminders on this phone" once on),
    // not left at the top of the page. Not taken from where the person went meanwhile.
    function focusBack(button, other) {
      var active = document.activeElement;
      if (active && active !== document.body) return;
      var shown = button.hidden ? other : button;
      if (!shown.hidden) shown.focus();
    }

    function subscribe(registration) {
      on.disabled = true;
      say("Asking your phone…");
      Notification.requestPermission().then(function (permission) {
        if (permission !== "granted") throw new Error("denied");
        return withTimeout(registration.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: keyBytes(box.dataset.vapidKey),
        }), SUBSCRIBE_TIMEOUT_MS);
      }).then(function (subscription) {
        // The browser subscribed; Reachout has yet to hear of it. No answer (the venue's
        // Wi-Fi), or a proxy's 5xx page, is no fault of this browser's: said as such.
        // The account this page is for (as tap.js sends it): from a page of another card
        // than the one signed in now (switched in another tab), the server refuses it.
        var account = (document.body && document.body.dataset.signedIn) || "";
        return send(box.dataset.subscribeUrl, { subscription: subscription.toJSON(), device: deviceName(), account: account }).catch(function () {
          throw ours(UNREACHED);
        }).then(function (response) {
          if (!response.ok) return response.json().catch(function () { return {}; }).then(function (body) {
            throw ours(body && body.error ? body.error
              : response.status >= 500 ? UNREACHED
              : "The server refused this phone's reminders. Try again.");
          });
          // "By email" or "Neither" chosen: this phone gets requests to connect, no reminder.
          var when = document.getElementById("reminded-when");
          say(when && when.dataset.on ? when.dataset.on : "Reminders are on for this phone.");
          on.hidden = true; off.hidden = false;
          // Show the new device in the list below (the server made the row).
          refreshDevices().then(function () { markThisDevice(subscription.endpoint); });
        });
      }).catch(function (error) {
        // The browser's own words ("Registration failed - permission denied") mean nothing
        // to the person: said in ours, by what kind of failure it was.
        var text = error.ours ? error.message
          : error.message === "denied" || error.name === "NotAllowedError" ? "Reminders are blocked for this site. Allow notifications in your browser's site settings, then try again."
          : error.message === "timeout" ? "Your browser did not answer. Check your connection and try again, or use “Add to calendar”."
          : "This browser could not turn on reminders here (a private window can't). Try again in a normal window, or use “Add to calendar”.";
        say(text);
      }).then(function () { on.disabled = false; focusBack(on, off); });
    }

    function unsubscribe(registration) {
      off.disabled = true;
      registration.pushManager.getSubscription().then(function (subscription) {
        if (!subscription) return;
        return send(box.dataset.unsubscribeUrl, { endpoint: subscription.endpoint }).then(function (response) {
          // Until we have forgotten it (or never knew it: 404), we would go on sending to
          // it: the phone keeps its subscription, and the person hears it did not work.
          if (!response.ok && response.status !== 404) throw new Error("refused");
          return subscription.unsubscribe();
        });
      }).then(function () {
        say("Reminders are off for this phone.");
        on.hidden = false; off.hidden = true;
        document.querySelectorAll(".this-device").forEach(function (el) { el.hidden = true; });
        return refreshDevices();
      }).catch(function () {
        say("Reminders are still on: Reachout could not be reached. Check your connection and try again.");
      }).then(function () { off.disabled = false; focusBack(off, on); });
    }
  }

  window.ReachoutReminders = { setup: setup };
})();

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
    var zone = "";
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) {}
    document.querySelectorAll("[data-time-zone]").forEach(function (input) {
      if (!input.value) input.value = zone;
    });
    reveal("[data-copy]", !!(navigator.clipboard && window.isSecureContext), function (button) {
      navigator.clipboard.writeText(button.dataset.copy).then(function () {
        button.textContent = "Link copied";
      });
    });
    badge();
    useTimeZone();
    if (window.ReachoutReminders) window.ReachoutReminders.setup();
    reveal("[data-print]", typeof window.print === "function", function () { window.print(); });
    reveal("[data-share]", typeof navigator.share === "function", function (button) {
      navigator.share({ title: button.dataset.shareTitle, url: button.dataset.share }).catch(function () {});
    });
  }

  // The number of follow-ups due, on the app icon where the browser can (Badging API).
  function badge() {
    var count = document.body.dataset.badge;
    if (count === undefined || !("setAppBadge" in navigator)) return;
    var n = parseInt(count, 10) || 0;
    (n > 0 ? navigator.setAppBadge(n) : navigator.clearAppBadge()).catch(function () {});
  }

  function useTimeZone() {
    document.querySelectorAll("[data-use-time-zone]").forEach(function (button) {
      var zone = "";
      try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) {}
      if (!zone) return;
      button.hidden = false;
      button.textContent = "Use this phone's time zone (" + zone + ")";
      button.addEventListener("click", function () {
        document.querySelector(button.dataset.useTimeZone).value = zone;
      });
    });
  }

  // "Reach out": the server marked the follow-up done; now open the mail/SMS/LinkedIn link.
  document.addEventListener("reachout:open", function (event) {
    if (event.detail && event.detail.value) window.location.href = event.detail.value;
  });

  var installPrompt = null;
  window.addEventListener("beforeinstallprompt", function (event) {
    event.preventDefault();
    installPrompt = event;
    document.querySelectorAll("[data-install]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { if (installPrompt) installPrompt.prompt(); });
    });
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }

  if ("serviceWorker" in navigator) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register("/sw.js").catch(function () {});
    });
  }
})();

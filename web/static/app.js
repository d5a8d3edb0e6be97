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
    reveal("[data-share]", typeof navigator.share === "function", function (button) {
      navigator.share({ title: button.dataset.shareTitle, url: button.dataset.share }).catch(function () {});
    });
  }

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

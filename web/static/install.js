// Offering to install the app, once: Chromium's own prompt behind an "Install Reachout" button,
// or, on iOS Safari (which has no prompt), the two taps that add it to the Home Screen.
(function () {
  "use strict";
  var DISMISSED = "reachout-install-dismissed";
  var prompt = null;

  function dismissed() {
    try { return localStorage.getItem(DISMISSED) === "1"; } catch (e) { return false; }
  }

  function dismiss() {
    try { localStorage.setItem(DISMISSED, "1"); } catch (e) {}
    var banner = document.querySelector("[data-install-banner]");
    if (banner) hide(banner);
  }

  // A control that hides itself (or the banner it is in) would drop a keyboard's or screen
  // reader's focus to the top of the page: it goes to the heading of the part the control
  // was in instead, the last one before it on the page.
  function hide(part) {
    var had = document.activeElement && part.contains(document.activeElement);
    part.hidden = true;
    if (had) focusHeadingBefore(part);
  }

  function focusHeadingBefore(part) {
    var headings = Array.prototype.filter.call(document.querySelectorAll("main h1, main h2, main h3"), function (heading) {
      return heading.getClientRects().length && (heading.compareDocumentPosition(part) & Node.DOCUMENT_POSITION_FOLLOWING);
    });
    var heading = headings[headings.length - 1];
    if (!heading) return;
    if (!heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
    heading.focus();
  }

  function standalone() {
    return navigator.standalone === true || window.matchMedia("(display-mode: standalone)").matches;
  }

  function isIOSSafari() {
    var ua = navigator.userAgent;
    var ios = /iPhone|iPad|iPod/.test(ua) || (/Macintosh/.test(ua) && navigator.maxTouchPoints > 1);
    return ios && /Safari\//.test(ua) && !/CriOS|FxiOS|EdgiOS|OPiOS/.test(ua);
  }

  // A page with its own install button (the welcome page) needs no banner as well.
  function banner() {
    var box = document.querySelector("[data-install-banner]");
    if (!box || dismissed() || standalone()) return null;
    var own = Array.prototype.some.call(document.querySelectorAll("[data-install]"), function (button) {
      return !box.contains(button);
    });
    return own ? null : box;
  }

  function show(part) {
    var box = banner();
    if (!box) return;
    box.querySelector(part).hidden = false;
    box.hidden = false;
  }

  function installButtons(shown) {
    document.querySelectorAll("[data-install]").forEach(function (button) { button.hidden = !shown; });
  }

  // Offered again by the browser (another visit, after a "Cancel"): a page's own button
  // shows again with a prompt behind it; the banner stays dismissed.
  window.addEventListener("beforeinstallprompt", function (event) {
    event.preventDefault();
    prompt = event;
    installButtons(true);
    show("[data-install-android]");
  });

  window.addEventListener("appinstalled", dismiss);

  function setup() {
    document.querySelectorAll("[data-install]").forEach(function (button) {
      button.addEventListener("click", function () {
        if (!prompt) return;
        prompt.prompt();
        // Asked once, whatever the answer: the banner does not come back. A prompt can be
        // shown only once, so no button stays that a second tap would find dead.
        prompt.userChoice.then(dismiss, dismiss);
        prompt = null;
        var focused = document.activeElement === button;
        installButtons(false);
        if (focused) focusHeadingBefore(button);
      });
    });
    document.querySelectorAll("[data-install-dismiss]").forEach(function (button) {
      button.addEventListener("click", dismiss);
    });
    if (isIOSSafari()) show("[data-install-ios]");
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();

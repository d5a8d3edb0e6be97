// Offering to install the app, once: Chromium's own prompt behind an "Install Reachout" button,
// or, on iOS Safari (which has no prompt), the two taps that add it to the Home Screen.
(function () {
  "use strict";
  var DISMISSED = "reachout-install-dismissed";
  var prompt = null;

  function dismissed() {
    try { return localStorage.getItem(DISMISSED) === "1"; } catch (e) { return false; }
  }

  function dismiss(event) {
    try { localStorage.setItem(DISMISSED, "1"); } catch (e) {}
    var banner = document.querySelector("[data-install-banner]");
    if (!banner) return;
    // Tapped (a click from inside it): Safari on iOS does not focus a tapped button, so
    // whether focus was in it cannot tell.
    var inside = event && event.currentTarget instanceof Node && banner.contains(event.currentTarget);
    var had = inside || banner.contains(document.activeElement);
    banner.hidden = true;
    if (had) focusJustBefore(banner);
  }

  // A control that hides itself (or the banner it is in) would drop a keyboard's or screen
  // reader's focus to the top of the page: it goes to what was just before it instead, the
  // last link, control or heading above it (a heading made focusable for it), so a long
  // list scrolled to its end stays where it was.
  var BEFORE = "main a[href], main button, main input, main select, main textarea, main h1, main h2, main h3";
  function focusJustBefore(part) {
    var before = Array.prototype.filter.call(document.querySelectorAll(BEFORE), function (found) {
      return !part.contains(found) && found.getClientRects().length && !found.disabled &&
        (found.compareDocumentPosition(part) & Node.DOCUMENT_POSITION_FOLLOWING);
    });
    var target = before[before.length - 1];
    if (!target) return;
    if (/^H[1-3]$/.test(target.tagName) && !target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
    target.focus();
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
        prompt.userChoice.then(function () { dismiss(); }, function () { dismiss(); });
        prompt = null;
        installButtons(false);
        focusJustBefore(button);
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

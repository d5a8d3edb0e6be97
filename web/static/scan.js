// The Scan screen: read the other person's QR code with the camera (BarcodeDetector where the
// browser has it, the vendored jsQR otherwise), or from a photo where the camera cannot be
// opened (some installed iOS apps). A Reachout card asks "Swap with Dana Lee?" first (a poster
// or a screen behind someone may be in view), then swaps through the outbox, so it also works
// with no network; any other code is shown, never followed on its own.
(function () {
  "use strict";
  var FRAME_MS = 200;
  var FRAME_SIDE = 800;
  var PHOTO_SIDE = 1600;
  var TOKEN = /^[A-Za-z0-9_-]{38}$/;
  // Whose card it is, asked for this long: venue Wi-Fi with nothing behind it never answers,
  // and until then the camera is off and nothing is asked. A working network answers in well
  // under a second; after this the question is asked without the name, as with no network.
  var PREVIEW_WITHIN_MS = 5000;
  var box, video, canvas, say, prefix, stream, timer, detector = null, handling = false;
  var tapUrl = "";  // the Tap screen, where a code is typed: the way round a missing reader
  var lookup = null;  // the AbortController of the card being looked up, for reset() to stop
  var photos = 0;  // counted by reset(): a photo still waiting for the reader gives way to what came since

  function $(selector) { return document.querySelector(selector); }

  function setup() {
    box = $("[data-scanner]");
    if (!box) return;
    video = box.querySelector("video");
    canvas = document.createElement("canvas");
    prefix = box.dataset.cardPrefix || "";
    tapUrl = box.dataset.tapUrl || "";
    var status = $("[data-scan-status]");
    say = function (text) { status.textContent = text; };

    $("#scan-photo").addEventListener("change", function (event) {
      var file = event.target.files && event.target.files[0];
      event.target.value = "";
      if (file) fromPhoto(file);
    });
    $("[data-scan-again]").addEventListener("click", again);
    $("[data-confirm-cancel]").addEventListener("click", again);
    $("[data-confirm-swap]").addEventListener("click", function () {
      var token = this.dataset.token;
      // The box stays where it is until the answer, its buttons off: a second tap on slow
      // Wi-Fi lands on nothing, not on whatever the page moved up under the thumb. Focus
      // stays in the box, on its question, not dropped to the page with the button.
      if (!token || this.disabled) return;
      $("[data-confirm-question]").focus();
      confirming(true);
      swap(token);
    });
    // What nfc.js read from a tag is handled like a scanned code.
    document.addEventListener("reachout:scanned", function (event) { handle(event.detail.text); });
    document.addEventListener("visibilitychange", function () {
      if (document.hidden) stopCamera();
      else if (!handling) startCamera();
    });
    readerReady = loadReader();
    Promise.race([readerReady, new Promise(function (resolve) { setTimeout(resolve, JSQR_WAIT_MS); })])
      .then(function () { startCamera(); });
  }

  function nativeDetector() {
    if (!("BarcodeDetector" in window)) return Promise.resolve(null);
    return Promise.resolve(window.BarcodeDetector.getSupportedFormats()).then(function (formats) {
      return formats.indexOf("qr_code") >= 0 ? new window.BarcodeDetector({ formats: ["qr_code"] }) : null;
    }).catch(function () { return null; });
  }

  // jsQR is 56 KB: fetched (or taken from the service worker's cache) only where needed.
  // Venue Wi-Fi that never answers would keep the camera closed with nothing said: after a
  // few seconds it opens anyway, and frames are read once jsQR is there (withJsQR looks for
  // it at each); a photo waits for it. Not loaded at all, it is said, with the way that
  // needs no reader.
  var JSQR_WAIT_MS = 4000;
  var TAP_WAY = "type their code on Tap";  // a link to Tap where the alert says it (notice)
  var READER_MISSING = "The QR reader did not load, so codes cannot be read here. Open Scan again when you're online, or " + TAP_WAY + ".";
  var PHOTO_UNREAD = "That photo was not read: a photo needs the QR reader too. The link above goes to Tap, where you can type their code.";
  var readerReady = Promise.resolve(true);  // true once codes can be read, false if they never can
  var readerLoading = false;
  var readerMissing = null;  // what the alert says then, left in it from then on
  function loadReader() {
    return nativeDetector().then(function (made) {
      detector = made;
      var src = $("[data-scanner]").dataset.jsqrSrc;
      if (made || typeof window.jsQR === "function" || !src) return true;
      readerLoading = true;
      return new Promise(function (resolve) {
        var script = document.createElement("script");
        script.src = src;
        // A page from a captive portal in its place loads too, and brings no jsQR.
        script.onload = function () { resolve(typeof window.jsQR === "function"); };
        script.onerror = function () { resolve(false); };
        document.head.appendChild(script);
      });
    }).then(function (ready) {
      readerLoading = false;
      if (!ready) {
        readerMissing = notice(READER_MISSING);
        // A camera that did not open is said again, with a way round that needs no reader.
        alertSays(cameraFailed ? notice(cameraWords(cameraFailed)) : null);
      }
      return ready;
    });
  }

  // The text of the first QR code in a video frame or picture, or null.
  function decode(source, width, height, side, thorough) {
    if (detector) {
      return detector.detect(source).then(function (codes) {
        return codes.length ? codes[0].rawValue : null;
      }).catch(function () { return withJsQR(source, width, height, side, thorough); });
    }
    return Promise.resolve(withJsQR(source, width, height, side, thorough));
  }

  function withJsQR(source, width, height, side, thorough) {
    if (typeof window.jsQR !== "function" || !width || !height) return null;
    var scale = Math.min(1, side / Math.max(width, height));
    var w = Math.round(width * scale), h = Math.round(height * scale);
    canvas.width = w;
    canvas.height = h;
    var context = canvas.getContext("2d", { willReadFrequently: true });
    context.drawImage(source, 0, 0, w, h);
    var code = window.jsQR(context.getImageData(0, 0, w, h).data, w, h,
      { inversionAttempts: thorough ? "attemptBoth" : "dontInvert" });
    return code ? code.data : null;
  }

  // The alert's words, with "type their code on Tap" in them a link to Tap: one hand, one
  // tap, and a screen reader lists it by where it goes. Built as nodes, never as HTML.
  function notice(text) {
    var note = document.createElement("p");
    note.className = "notice bad";
    var at = tapUrl ? text.toLowerCase().indexOf(TAP_WAY.toLowerCase()) : -1;
    if (at < 0) {
      note.textContent = text;
      return note;
    }
    var link = document.createElement("a");
    link.href = tapUrl;
    link.textContent = text.slice(at, at + TAP_WAY.length);
    note.appendChild(document.createTextNode(text.slice(0, at)));
    note.appendChild(link);
    note.appendChild(document.createTextNode(text.slice(at + TAP_WAY.length)));
    return note;
  }

  // Into the alert there from the start, empty: a screen reader reads what is put in it
  // (an element shown with its words already in it is not read). The reader that did not
  // load stays said, first, and is not put in again (it would be read out again each time
  // the camera opens, as on coming back to the app); `note`, if any, follows it.
  function alertSays(note) {
    var said = $("[data-camera-error]");
    while (said.lastChild && said.lastChild !== readerMissing) said.removeChild(said.lastChild);
    if (readerMissing && readerMissing.parentNode !== said) said.appendChild(readerMissing);
    if (note) said.appendChild(note);
  }

  var NO_GET_USER_MEDIA = "no getUserMedia";  // not a DOMException's name
  var cameraFailed = null;  // why the camera did not open, until it does
  function cameraError(name) {
    box.hidden = true;
    cameraFailed = name || "unknown";
    alertSays(notice(cameraWords(cameraFailed)));
  }

  function startCamera() {
    if (stream || handling) return;
    var media = navigator.mediaDevices;
    if (!media || !media.getUserMedia) {
      cameraError(NO_GET_USER_MEDIA);
      return;
    }
    media.getUserMedia({ video: { facingMode: "environment" }, audio: false }).then(function (opened) {
      if (handling || document.hidden) { opened.getTracks().forEach(function (t) { t.stop(); }); return; }
      stream = opened;
      video.srcObject = opened;
      box.hidden = false;
      cameraFailed = null;
      alertSays(null);
      return Promise.resolve(video.play()).catch(function () {}).then(nextFrame);
    }).catch(function (error) { cameraError(error && error.name); });
  }

  // Why the camera did not open, so she knows whether a setting, another app or this phone
  // is in the way; a photo works in every case, but for a reader that did not load, which a
  // photo needs too: then the way round is their code typed on Tap.
  function cameraWords(name) {
    var way = readerMissing ? TAP_WAY : "take a photo of the code";
    var Way = way.charAt(0).toUpperCase() + way.slice(1);
    if (name === NO_GET_USER_MEDIA) return "This browser cannot open the camera here. " + Way + " instead.";
    if (name === "NotAllowedError" || name === "SecurityError") {
      return "The camera is blocked for this site: Reachout may not use it. Allow the camera in your browser's site settings, or " + way + " instead.";
    }
    if (name === "NotFoundError" || name === "OverconstrainedError") {
      return "This phone has no camera we can open. " + Way + " instead.";
    }
    if (name === "NotReadableError") {
      return "The camera is in use by another app. Close that app and open Scan again, or " + way + " instead.";
    }
    return "The camera could not be opened. " + Way + " instead.";
  }

  function stopCamera() {
    clearTimeout(timer);
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
    if (video) video.srcObject = null;
  }

  // A few frames a second is plenty for a code held still, and spares the battery.
  function nextFrame() {
    clearTimeout(timer);
    timer = setTimeout(function () {
      if (!stream || handling) return;
      if (video.readyState < 2) { nextFrame(); return; }
      decode(video, video.videoWidth, video.videoHeight, FRAME_SIDE, false).then(function (text) {
        if (text) handle(text);
        else nextFrame();
      }, nextFrame);
    }, FRAME_MS);
  }

  // A photo taken while the reader is on its way waits for it (read without it, it would
  // be "No QR code found" however close); with no reader at all, that is what is said:
  // what became of the photo, pointing to the alert's link, whose words are not repeated
  // (a screen reader would read them twice, the second time with no link in them).
  // A camera that was open gives way to the photo, and opens again by itself when the
  // photo brings no code: she need not find "Scan another code" to point it again.
  function fromPhoto(file) {
    var cameraWasOpen = !!stream;
    reset();
    var turn = photos;
    function current() { return turn === photos && !handling; }
    var waited = readerLoading;
    say(waited ? "Getting the QR reader…" : "Reading the photo…");
    readerReady.then(function (ready) {
      if (!current()) return;
      if (!ready) { say(PHOTO_UNREAD); return; }
      if (waited) say("Reading the photo…");
      var nothingRead = function (words) {
        say(words);
        if (cameraWasOpen) startCamera();
      };
      return picture(file).then(function (image) {
        return decode(image.source, image.width, image.height, PHOTO_SIDE, true);
      }).then(function (text) {
        if (!current()) return;
        if (text) handle(text);
        else nothingRead("No QR code found in that photo. Try again, a little closer.");
      }).catch(function () { if (current()) nothingRead("That photo could not be read. Try another one."); });
    });
  }

  // createImageBitmap needs no <img>; the data: URL fallback is what the CSP allows for images.
  function picture(file) {
    if (window.createImageBitmap) {
      return createImageBitmap(file).then(function (bitmap) {
        return { source: bitmap, width: bitmap.width, height: bitmap.height };
      });
    }
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () {
        var img = new Image();
        img.onload = function () { resolve({ source: img, width: img.naturalWidth, height: img.naturalHeight }); };
        img.onerror = reject;
        img.src = reader.result;
      };
      reader.onerror = reject;
      reader.readAsDataURL(file);
    });
  }

  function cardToken(text) {
    if (!prefix || text.indexOf(prefix) !== 0) return null;
    var rest = text.slice(prefix.length);
    return TOKEN.test(rest) ? rest : null;
  }

  function handle(raw) {
    if (handling) return;
    handling = true;
    stopCamera();
    var text = String(raw).trim();
    var token = cardToken(text);
    if (token) confirmSwap(token);
    else showOther(text);
  }

  // Whose card this is, then a tap to swap. With no network, or none that answers in time,
  // the name cannot be looked up: the question is asked all the same, and the swap waits in
  // the outbox.
  function confirmSwap(token) {
    say("");
    var box = $("[data-scan-confirm]");
    var question = box.querySelector("[data-confirm-question]");
    var headline = box.querySelector("[data-confirm-headline]");
    var photo = box.querySelector("[data-confirm-photo]");
    var button = box.querySelector("[data-confirm-swap]");
    button.dataset.token = token;
    photo.hidden = true;
    headline.textContent = "";
    question.textContent = "Swap with this person?";
    var url = $("[data-scanner]").dataset.previewUrl.replace("TOKEN", token);
    // AbortController, not AbortSignal.timeout: iOS before 16 has no timeout(), and there
    // this lookup would hang as before. Aborting also stops a body that trickles in.
    var stop = new AbortController();
    var late = false;
    lookup = stop;
    var deadline = setTimeout(function () { late = true; stop.abort(); }, PREVIEW_WITHIN_MS);
    fetch(url, { headers: { accept: "application/json" }, credentials: "same-origin", signal: stop.signal }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (answer) {
      if (lookup !== stop) return;  // another code, or "Scan another code", since
      if (!answer.ok || answer.body.own) {
        box.hidden = true;
        say(answer.body.message || "That code does not open a card.");
        offerAgain();
        return;
      }
      question.textContent = "Swap with " + answer.body.name + "?";
      headline.textContent = answer.body.headline || "";
      if (answer.body.photo) { photo.src = answer.body.photo; photo.hidden = false; }
      ask(box, question);
    }).catch(function () {
      if (lookup !== stop) return;
      headline.textContent = late
        ? "Reachout did not answer: their name shows once the swap is sent."
        : "No network: their name shows once the swap is sent.";
      ask(box, question);
    }).then(function () { clearTimeout(deadline); });
  }

  // The question appears where the camera was, after a decode no one tapped for: focused,
  // so a screen reader says it (the status went quiet with the scan), and its buttons follow.
  function ask(box, question) {
    box.hidden = false;
    question.focus();
  }

  function twoDigits(n) { return (n < 10 ? "0" : "") + n; }

  // The swap kept on this phone while offline: once sent, the status says so, not "No
  // network" above a list that already says "Swapped with Omar".
  var keptKey = null;  // the last one: the status line is about the last scan
  document.addEventListener("reachout:outbox", function (event) {
    if (!keptKey) return;
    var kept = (event.detail || []).filter(function (record) { return record.key === keptKey; })[0];
    if (!kept || kept.status === "pending") return;
    keptKey = null;
    say(kept.status === "done" ? (kept.message || "Swapped.") + " (sent now that the network is back)"
      : "Not swapped: " + window.ReachoutOutbox.failedWords(kept));
  });

  // The question's buttons while a swap is on its way (on), or asked anew (off).
  function confirming(on) {
    var swapButton = $("[data-confirm-swap]");
    swapButton.disabled = on;
    $("[data-confirm-cancel]").disabled = on;
    swapButton.textContent = on ? "Swapping…" : "Swap";
  }

  // The swap is answered without leaving the page: the question goes, and focus with it to
  // what comes next (the status says what became of the swap).
  function answered() {
    $("[data-scan-confirm]").hidden = true;
    confirming(false);
    offerAgain();
    $("[data-scan-again]").focus();
  }

  function swap(token) {
    var now = new Date();
    var label = "Card scanned at " + twoDigits(now.getHours()) + ":" + twoDigits(now.getMinutes());
    say("Swapping…");
    window.ReachoutOutbox.send("scan", { token: token }, label).then(function (record) {
      if (record.status === "done" && record.url) {
        say(record.message || "Swapped.");
        window.location.assign(record.url);
        return;
      }
      answered();
      if (record.status === "pending") {
        keptKey = record.key;
        say(keptWords(record));
      }
      else say(record.status === "failed" ? window.ReachoutOutbox.failedWords(record) : record.message || "Swapped.");
      offerAgain();
    }).catch(function () {
      answered();
      say("This phone could not keep the swap. Try again.");
      offerAgain();
    });
  }

  // Why a swap is kept on this phone: "No network" only when the request itself failed;
  // a limit reached (429) in the server's words, with when it goes again; kept for another
  // card (409) in its words; a busy server as such.
  function keptWords(record) {
    var waiting = window.ReachoutOutbox.waitingWords(record);
    if (waiting) return "Not swapped yet: " + waiting + " The swap is kept on this phone.";
    if (record.held) return record.held;
    if (record.unreached || navigator.onLine === false) {
      return "No network: the swap is kept on this phone and sent when it's back.";
    }
    return "Reachout did not answer: the swap is kept on this phone and tried again by itself.";
  }

  function showOther(text) {
    say("");
    $("[data-scan-text]").textContent = text;
    var link = $("[data-scan-link]");
    link.hidden = !isWebLink(text);
    link.href = link.hidden ? "#" : text;
    $("[data-scan-result]").hidden = false;
    offerAgain();
  }

  function isWebLink(text) {
    try { return /^https?:$/.test(new URL(text).protocol); } catch (e) { return false; }
  }

  function offerAgain() { $("[data-scan-again]").hidden = false; }

  function reset() {
    photos += 1;
    stopCamera();
    if (lookup) lookup.abort();
    lookup = null;
    handling = false;
    say("");
    $("[data-scan-confirm]").hidden = true;
    confirming(false);
    $("[data-scan-result]").hidden = true;
    $("[data-scan-again]").hidden = true;
  }

  // Asked again from a button that goes with what it hides ("Not now", "Scan another
  // code"): focus goes to the top of the screen, not to the page's body.
  function again() {
    var active = document.activeElement;
    var lost = active && active.closest && active.closest("[data-scan-confirm], [data-scan-again]");
    reset();
    startCamera();
    if (!lost) return;
    var top = $("h1");
    top.tabIndex = -1;
    top.focus();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();

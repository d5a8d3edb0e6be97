// Web NFC (Android Chrome only): write my card link onto a blank tag from /share, so any phone
// that touches it opens my card with no app; and read a tag on /scan. The buttons stay hidden
// wherever the browser has no NDEFReader.
(function () {
  "use strict";
  if (!("NDEFReader" in window)) return;

  function say(text) {
    document.querySelectorAll("[data-nfc-status]").forEach(function (status) {
      status.textContent = text;
      status.hidden = false;
    });
  }

  function problem(error, fallback) {
    return error && error.name === "NotAllowedError"
      ? "NFC is not allowed for this site. Allow it in the browser's site settings, then try again."
      : error && error.name === "NotSupportedError" ? "This phone has no NFC, or it is turned off." : fallback;
  }

  function write(button) {
    say("Hold a blank NFC tag against the back of your phone.");
    new window.NDEFReader().write({ records: [{ recordType: "url", data: button.dataset.nfcWrite }] }).then(function () {
      say("Card written to the tag.");
    }).catch(function (error) {
      say(problem(error, "The tag could not be written. Try again and hold it still."));
    });
  }

  function read() {
    var reader = new window.NDEFReader();
    var stop = new AbortController();
    reader.onreading = function (event) {
      var decoder = new TextDecoder();
      var records = event.message.records;
      for (var i = 0; i < records.length; i++) {
        var type = records[i].recordType;
        if (type === "url" || type === "absolute-url" || type === "text") {
          stop.abort();
          say("Tag read.");
          document.dispatchEvent(new CustomEvent("reachout:scanned", { detail: { text: decoder.decode(records[i].data) } }));
          return;
        }
      }
      say("That tag has no link on it.");
    };
    reader.onreadingerror = function () { say("That tag could not be read. Try again."); };
    reader.scan({ signal: stop.signal }).then(function () {
      say("Hold their NFC tag against the back of your phone.");
    }).catch(function (error) { say(problem(error, "NFC could not be started. Try again.")); });
  }

  function setup() {
    document.querySelectorAll("[data-nfc-write]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { write(button); });
    });
    document.querySelectorAll("[data-nfc-note]").forEach(function (note) { note.hidden = false; });
    document.querySelectorAll("[data-nfc-read]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", read);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();

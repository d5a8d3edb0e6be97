// Reminders: show a pushed follow-up, and act on a tap or on its buttons.
var ReachoutPush = (function () {
  "use strict";

  function show(data) {
    var message = {};
    try { message = data ? data.json() : {}; } catch (e) { message = {}; }
    var title = message.title || "Time to follow up";
    var options = {
      body: message.body || "",
      // The same tag replaces a reminder about the same person that is still shown.
      tag: message.tag || "reachout",
      // A request replaces the one shown silently (the server says so); a reminder alerts.
      renotify: message.renotify !== false,
      icon: REACHOUT_URLS.static + "icons/icon-192.png",
      // Android draws the badge from its alpha alone: an opaque icon is a solid square there.
      badge: REACHOUT_URLS.static + "icons/badge-96.png",
      data: { url: message.url || REACHOUT_URLS.followups, actions: message.actions || {}, followup: message.followup },
    };
    if (message.actions && "actions" in Notification.prototype) {
      options.actions = [
        { action: "done", title: "Done" },
        // It snoozes until the next morning (followup_from_notification, server/followups/
        // routes.py): the title says when, as the email's "Snooze a week" does.
        { action: "snooze", title: "Remind me tomorrow" },
      ];
    }
    return self.registration.showNotification(title, options);
  }

  function post(url) {
    return fetch(url, { method: "POST", credentials: "same-origin" });
  }

  function open(url) {
    var target = new URL(url, self.location.origin).href;
    return self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (windows) {
      // A window already on that contact only needs focus.
      for (var i = 0; i < windows.length; i++) {
        if (windows[i].url === target && "focus" in windows[i]) return windows[i].focus();
      }
      for (var j = 0; j < windows.length; j++) {
        if ("focus" in windows[j]) {
          // Focus the open app and take it to the contact, rather than opening a second one.
          // navigate() fails for a window this worker does not control: open one instead.
          return windows[j].focus().then(function (client) {
            return client && "navigate" in client ? client.navigate(target) : self.clients.openWindow(target);
          }).catch(function () { return self.clients.openWindow(target); });
        }
      }
      return self.clients.openWindow(target);
    });
  }

  function click(notification, action) {
    var data = notification.data || {};
    var links = data.actions || {};
    if ((action === "done" || action === "snooze") && links[action]) {
      // Refused (the buttons expired, or it was already done or snoozed), or never sent (no
      // signal: the reminder is gone from the screen, so it must not look done): show the
      // follow-up, to do it from there.
      return post(links[action]).then(function (response) {
        return response.ok ? response : open(data.url || REACHOUT_URLS.followups);
      }, function () {
        return open(data.url || REACHOUT_URLS.followups);
      });
    }
    return open(data.url || REACHOUT_URLS.followups);
  }

  return { show: show, click: click };
})();

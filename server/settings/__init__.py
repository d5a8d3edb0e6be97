"""``/settings``: time zone, when to be reminded, and the devices that get push reminders."""

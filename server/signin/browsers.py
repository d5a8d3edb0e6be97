"""A signed-in browser in words, from its User-Agent: "Safari on iPhone", "Chrome on Android".

Only what a person recognises their own devices by; no version numbers. The order of the
checks matters: most browsers' strings also name the ones they descend from.
"""

from __future__ import annotations

BROWSERS = (
    ("EdgA/", "Edge"),
    ("EdgiOS/", "Edge"),
    ("Edg/", "Edge"),
    ("SamsungBrowser/", "Samsung Internet"),
    ("FxiOS/", "Firefox"),
    ("Firefox/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
PLATFORMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("CrOS", "ChromeOS"),
    ("Macintosh", "Mac"),
    ("Windows", "Windows"),
    ("Linux", "Linux"),
)
SIGNED_IN_BY = {
    "card": "made the card here",
    "email_code": "signed in with an email code",
    "passkey": "signed in with a passkey",
    "move": "moved here from another device",
}


def describe(user_agent: str) -> str:
    browser = next((name for mark, name in BROWSERS if mark in user_agent), "A browser")
    platform = next((name for mark, name in PLATFORMS if mark in user_agent), "")
    return f"{browser} on {platform}" if platform else browser

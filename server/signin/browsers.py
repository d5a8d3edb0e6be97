"""A signed-in browser in words, from its User-Agent: "Safari on iPhone", "Chrome on Android".

Only what a person recognises their own devices by; no version numbers. The order of the
checks matters: most browsers' strings also name the ones they descend from. Reachout added to
an iPhone's or iPad's home screen runs apart from Safari (its own cookies) and says so only by
what its string lacks: WebKit on a phone, no ``Safari/`` nor any other browser's name.
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
# Apps showing a web page in a browser of their own: their strings lack "Safari/" too, but
# they are not our installed app.
IN_APP = ("FBAN/", "FBAV/", "Instagram", "LinkedInApp", "Twitter", "Line/", "GSA/")
INSTALLED_ON = ("iPhone", "iPad")
SIGNED_IN_BY = {
    "card": "made the card here",
    "email_code": "signed in with an email code",
    "passkey": "signed in with a passkey",
    "move": "moved here from another device",
}


def describe(user_agent: str) -> str:
    browser = next((name for mark, name in BROWSERS if mark in user_agent), None)
    platform = next((name for mark, name in PLATFORMS if mark in user_agent), "")
    if browser is None:
        browser = "Reachout app" if _installed(user_agent, platform) else "A browser"
    return f"{browser} on {platform}" if platform else browser


def _installed(user_agent: str, platform: str) -> bool:
    """Reachout from the home screen of an iPhone or iPad (no browser named: checked first)."""
    return (
        platform in INSTALLED_ON
        and "AppleWebKit/" in user_agent
        and "Mobile/" in user_agent
        and not any(mark in user_agent for mark in IN_APP)
    )

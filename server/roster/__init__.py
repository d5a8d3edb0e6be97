"""Who else is at an event: the roster, matches by give and get, and requests to connect."""

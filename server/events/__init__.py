"""Events: the organizer creates and runs one; attendees join it by QR or code."""

"""Swapping cards: by QR (``/c/<token>``), six-digit code, bump, a guest typed in, offline sync."""

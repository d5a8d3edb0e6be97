"""Swapping cards by QR: a card opened from its link (``/c/<token>``), the Scan screen, the one
connect operation every way of swapping uses, and ``/sync/actions`` for swaps queued offline."""

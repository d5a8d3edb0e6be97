"""Reachout: swap contact details phone to phone, then get reminded to reach out."""

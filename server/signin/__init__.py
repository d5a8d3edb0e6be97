"""Signing in and out: one account on every device, sessions a person can see and end."""

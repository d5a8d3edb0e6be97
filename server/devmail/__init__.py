"""`/dev/mail`: in development, the mail the app sent, as the local mail sink kept it."""

"""Your data: deleting my account, what is deleted on a schedule (retention), and ``/privacy``."""

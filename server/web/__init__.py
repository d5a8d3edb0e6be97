"""HTTP plumbing shared by every area: sessions, CSRF, forms, htmx, templating, errors, URLs."""

-- A full mailbox (an enhanced code 5.2.2, RFC 3463's "persistent transient failure") is no
-- bounce since review r75: the email is tried again and the address keeps getting mail
-- (server/mail/smtp.py, refusal). Addresses marked bouncing for one before then would stay so
-- until their owner confirms them again: they are marked bouncing no longer. The rule is
-- smtp.py's: the reply's text (kept in bounce_reason by mail.mark_bounced) starts with 5.2.2,
-- a word ending there (5.2.22 is another code). A bounce for any other reason stays.
UPDATE email_addresses SET bounced_at = NULL, bounce_reason = ''
WHERE bounced_at IS NOT NULL AND bounce_reason ~ '^5\.2\.2\M';

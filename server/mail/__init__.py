"""Email: the outbox the worker sends from, the messages, and the links in them."""

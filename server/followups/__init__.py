"""Follow-ups: who to reach out to, and the worker that reminds by Web Push."""

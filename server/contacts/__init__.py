"""The people I swapped with: the list and its search, a contact's page, my note and what we
promised, what they see of me, their vCard, removing (with Undo), blocking and unblocking."""

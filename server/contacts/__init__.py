"""The people I swapped with: the list, a contact's page, my private note, their vCard."""

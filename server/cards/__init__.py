"""My card: its fields, photo, vCard, and the share code and QR that open it on another phone."""

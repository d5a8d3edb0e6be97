"""The Tap screen: swap by a six-digit code, by bumping phones, or by typing a guest's details."""

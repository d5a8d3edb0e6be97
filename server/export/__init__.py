"""Take it with you: my contacts and everything about me, as files made when I ask."""

"""People: accounts, passwords, the roster import."""

"""Group sessions: join codes, votes, freeze / reveal / replay, roles, attendance."""

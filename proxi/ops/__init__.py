"""Operations: backup and restore, retention, privacy (RGPD), demo data, the production server."""

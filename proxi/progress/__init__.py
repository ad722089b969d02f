"""Progress: the database opener and migrations, the event log, derived progress, reports."""

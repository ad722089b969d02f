"""What leaves the app: CSV for French Excel, xAPI statements, attestations."""

"""Monitors as a network manages them: onboarding from a roster, credentials, phone swaps and
station moves. Shared by the command line and the API; ingest only reads monitors."""

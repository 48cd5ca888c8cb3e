"""The election-day simulator and real-election replay: clients of ingest, never of its code."""

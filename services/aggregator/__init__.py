"""Aggregator: faust agents turning reports into rolling stats, roll-ups and alerts."""

"""pollwatch: a real-time backend for independent election-monitoring networks."""

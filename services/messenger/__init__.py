"""The messenger: sends broadcasts to monitors by SMS through the configured gateway, each
recipient once, at the gateway's rate, and records each delivery's status from its callbacks."""

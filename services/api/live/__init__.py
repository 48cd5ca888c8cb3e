"""The live path: Kafka feed, hub, frames and the subscription stream (drawn in full below)."""

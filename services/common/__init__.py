"""What the services share: event values and codec, topic registry, settings, logging, clock, storage."""

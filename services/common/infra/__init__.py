"""Process plumbing every service shares: settings, logging, the PostgreSQL pool and
migrations, Kafka admin, health routes, clock, GC tuning, the error hierarchy."""

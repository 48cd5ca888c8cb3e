"""What the services share: `contracts` (events, codec, topics), `infra` (settings, logging, database,
Kafka admin, health, clock), `registry` (stations), and the network's shared domain (catalog,
monitors, notify, broadcasts, audit, checklists). Forensics is its own package, services.forensics."""

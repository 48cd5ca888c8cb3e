"""Ingest: monitors' reports in (HTTP JSON, protobuf, SMS), validated and durably onto Kafka."""

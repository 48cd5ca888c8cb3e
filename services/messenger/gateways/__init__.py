"""Outbound SMS gateways: sending one text, and reading the gateway's status callbacks."""

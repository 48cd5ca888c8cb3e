"""Alerts to the people on duty: signed webhooks and SMS to on-duty coordinators (docs/notify.md)."""

"""The station registry: the CSV format, storing it, telling services it changed, and the
demo network (stations and monitors)."""

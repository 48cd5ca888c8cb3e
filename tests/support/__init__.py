"""Helpers shared by the test suites: infrastructure, factories."""

"""Maintenance scripts run from a checkout (``python -m scripts.NAME``)."""

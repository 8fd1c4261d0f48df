"""Metrics and reports: retrieval now; generation and captioning metrics join them."""

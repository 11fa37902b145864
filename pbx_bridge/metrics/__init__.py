"""Prometheus metrics: what the daemon counts, and the endpoint that serves them."""

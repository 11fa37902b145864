"""Asterisk's own call records (CDR): reading them, reconciling the call log with them."""

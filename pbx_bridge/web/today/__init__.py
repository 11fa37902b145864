"""Today: per tenant calls, service level, ASA, abandon rate and callers waiting now."""

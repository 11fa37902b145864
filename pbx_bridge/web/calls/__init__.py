"""Calls: the call details a caller may see, filtered and paged."""

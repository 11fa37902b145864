"""Reports: the figures of docs/statistics.md for a period, with charts."""

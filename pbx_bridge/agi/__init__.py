"""Asterisk Gateway Interface adapters: the FastAGI front door and the process-AGI failsafe."""

"""History from the center's old system: call-log CSV exports and Asterisk's queue_log.

The readers here turn lines into call-log rows or `FILE:LINE: message` errors; they hold no
connection (the storage writes, the CLI decides).
"""

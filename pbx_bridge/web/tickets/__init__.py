"""Tickets: the callbacks owed (open, overdue, done), and marking one done with a note."""

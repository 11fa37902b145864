"""Accounts, passwords, API tokens, sessions, form tokens and the audit log."""

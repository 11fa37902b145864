"""The Asterisk Manager Interface connection (panoramisk, made robust) and call tracking."""

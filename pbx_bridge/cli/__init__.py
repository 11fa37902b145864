"""The `pbx-bridge` command line: one module per subcommand, wired in main.py."""

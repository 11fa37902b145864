"""Export: a report or calls as CSV for German Excel and as XLSX, each one audited."""

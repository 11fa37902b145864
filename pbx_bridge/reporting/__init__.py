"""Monthly reports: the figures, rendered as HTML, PDF, CSV and XLSX, and mailed."""

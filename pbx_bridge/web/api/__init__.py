"""The JSON API for the municipalities' own tools (calls and tickets live with their pages)."""

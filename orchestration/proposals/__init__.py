"""Figures proposed from a report's plain text, each with its quote, for a person to review before they become seed
rows (docs/proposals.md)."""

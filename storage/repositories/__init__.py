"""Repositories: typed reads and writes over one Session. They never commit."""

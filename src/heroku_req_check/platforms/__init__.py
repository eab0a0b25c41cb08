"""Platform models that read more of the repository than the requirements tree (Docker)."""

"""heroku-req-check: find requirements that deployment buildpacks miss."""

__version__ = "1.0.0"

"""IMDB Battlefield backend: REST API, run queue, metrics store and live events."""

__version__ = "0.1.0"

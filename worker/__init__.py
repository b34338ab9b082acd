"""IMDB Battlefield worker: contestants, datasets, the trainer, the CLI and the worker agent."""

"""Helpers shared by the tests: live backend and worker subprocesses."""

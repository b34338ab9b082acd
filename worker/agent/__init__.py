"""The worker agent: registers with the backend, claims runs over HTTP, trains them and reports."""

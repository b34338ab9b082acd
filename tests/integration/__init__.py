"""End-to-end tests: a real backend and real worker processes talking over HTTP."""

"""The capped exponential backoff of every retry loop of the agent (a tenacity wait strategy)."""

from tenacity import wait_exponential

BACKOFF = wait_exponential(multiplier=0.2, max=5.0)
"""Waits of 0.2, 0.4, 0.8, ... s, capped at 5 s: attempt n waits 0.2 * 2**(n - 1) s."""

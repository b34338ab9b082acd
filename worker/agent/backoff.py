"""Capped exponential backoff shared by every retry loop of the agent."""

from dataclasses import dataclass


@dataclass
class Backoff:
    """Delays that double from `initial` up to `cap` seconds; `reset()` after a success."""

    initial: float = 0.2
    cap: float = 5.0
    _next: float = 0.0

    def delay(self) -> float:
        """The delay to wait before the next attempt (0.2, 0.4, 0.8, ... capped)."""
        self._next = self.initial if self._next == 0 else min(self._next * 2, self.cap)
        return self._next

    def reset(self) -> None:
        """Start again from `initial` after a success."""
        self._next = 0.0

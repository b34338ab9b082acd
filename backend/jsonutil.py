"""JSON helpers: NaN and infinity become null, never invalid JSON (worker.wire.to_json, Pydantic's serialiser)."""

import math
from typing import Any

from worker.wire import to_json


def finite_or_none(value: float | None) -> float | None:
    """`value` unless it is None, NaN or infinite: what a metric column stores."""
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def dumps(data: Any) -> str:
    """Compact JSON text of `data` with non-finite floats written as null."""
    return to_json(data).decode()

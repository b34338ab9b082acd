"""JSON helpers: NaN and infinity become null, never invalid JSON."""

import json
import math
from typing import Any


def finite_or_none(value: float | None) -> float | None:
    """`value` unless it is None, NaN or infinite."""
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def dumps(data: Any) -> str:
    """Compact JSON of `data` (dicts, lists, numbers, strings) with non-finite floats written as null."""
    return json.dumps(_clean(data), separators=(",", ":"), allow_nan=False)


def _clean(data: Any) -> Any:
    if isinstance(data, float):
        return finite_or_none(data)
    if isinstance(data, dict):
        return {key: _clean(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [_clean(value) for value in data]
    return data

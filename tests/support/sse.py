"""The tests' one Server-Sent Events reader, over an httpx streaming response."""

import json
from collections.abc import Iterator
from dataclasses import dataclass

import httpx


@dataclass
class ServerEvent:
    """One event: its type, its JSON data and its id."""

    event: str
    data: object
    id: str | None = None


def read_events(response: httpx.Response) -> Iterator[ServerEvent]:
    """Yield the events of an open `text/event-stream` response (comments and keep-alives skipped)."""
    event, data, event_id = "message", [], None
    for line in response.iter_lines():
        if line == "":
            if data:
                yield ServerEvent(event, json.loads("\n".join(data)), event_id)
            event, data, event_id = "message", [], None
        elif line.startswith(":"):
            continue
        else:
            field, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if field == "event":
                event = value
            elif field == "data":
                data.append(value)
            elif field == "id":
                event_id = value

"""The tests' one Server-Sent Events reader, over an httpx streaming response."""

import json
from collections.abc import Iterable, Iterator
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
    return parse_lines(response.iter_lines())


def parse_frames(text: str) -> list[ServerEvent]:
    """The events of a piece of `text/event-stream` text that ends at a frame's end."""
    return list(parse_lines(text.splitlines()))


def parse_lines(lines: Iterable[str]) -> Iterator[ServerEvent]:
    """Yield the events of `text/event-stream` lines (line ends removed; comments and keep-alives skipped)."""
    event, data, event_id = "message", [], None
    for line in lines:
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

"""The tests' one SSE reader: named events with ids and JSON data; comments, retry and keep-alives skipped."""

import httpx

from tests.support.factories import sse_events
from tests.support.sse import read_events

STREAM = b'retry: 2000\n\n: ping\n\nid: 7\nevent: status\ndata: {"id": 1}\n\ndata: 3\n\nid: 8\nevent: end\ndata: {"id": 1,\ndata:  "x": 2}\n\n'


def test_read_events_yields_each_event_with_its_id_and_joined_data():
    events = list(read_events(httpx.Response(200, content=STREAM)))
    assert [(e.event, e.id, e.data) for e in events] == [
        ("status", "7", {"id": 1}), ("message", None, 3), ("end", "8", {"id": 1, "x": 2})]


def test_sse_events_keeps_the_named_events_as_dicts():
    assert list(sse_events(httpx.Response(200, content=STREAM))) == [
        {"id": "7", "event": "status", "data": {"id": 1}}, {"id": "8", "event": "end", "data": {"id": 1, "x": 2}}]

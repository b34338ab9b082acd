"""The SSE stream writes every event already queued in one chunk, and still ends where it must."""

import pytest

from backend.events import Broadcaster
from backend.routes.events import _stream
from tests.support.sse import parse_frames

pytestmark = pytest.mark.anyio


class _State:
    """The one attribute of AppState that `_stream` uses."""

    def __init__(self, broadcaster: Broadcaster):
        self.broadcaster = broadcaster


async def _chunks(stream, count: int) -> list[bytes]:
    return [await anext(stream) for _ in range(count)]


async def test_events_queued_together_go_out_in_one_chunk_in_order():
    broadcaster = Broadcaster()
    subscription, _ = broadcaster.subscribe(None, None)
    for fraction in (0.1, 0.2, 0.3):
        broadcaster.publish("progress", 7, f'{{"run_id":7,"fraction":{fraction}}}')
    stream = _stream(_State(broadcaster), subscription, [], False)
    retry, batch = await _chunks(stream, 2)
    assert retry.startswith(b"retry:")
    frames = parse_frames(batch.decode())
    assert [frame.data["fraction"] for frame in frames] == [0.1, 0.2, 0.3]
    assert [frame.event for frame in frames] == ["progress"] * 3
    broadcaster.publish("progress", 7, '{"run_id":7,"fraction":0.4}')   # later ones still arrive
    (single,) = await _chunks(stream, 1)
    assert [frame.data["fraction"] for frame in parse_frames(single.decode())] == [0.4]
    await stream.aclose()


async def test_a_run_stream_stops_at_end_even_when_more_was_queued_behind_it():
    broadcaster = Broadcaster()
    subscription, _ = broadcaster.subscribe(3, None)
    broadcaster.publish("epoch", 3, '{"run_id":3,"epoch":1}')
    broadcaster.publish("end", 3, '{"id":3,"status":"succeeded"}')
    broadcaster.publish("status", 3, '{"id":3,"status":"succeeded"}')
    stream = _stream(_State(broadcaster), subscription, [], False)
    chunks = [chunk async for chunk in stream]
    frames = parse_frames(b"".join(chunks[1:]).decode())
    assert [frame.event for frame in frames] == ["epoch", "end"]
    assert subscription not in broadcaster._subscribers


async def test_a_closed_broadcaster_ends_the_stream_after_what_was_queued():
    broadcaster = Broadcaster()
    subscription, _ = broadcaster.subscribe(None, None)
    broadcaster.publish("progress", 1, '{"run_id":1,"fraction":0.5}')
    subscription.queue.put_nowait(None)
    chunks = [chunk async for chunk in _stream(_State(broadcaster), subscription, [], False)]
    assert [frame.event for frame in parse_frames(b"".join(chunks[1:]).decode())] == ["progress"]

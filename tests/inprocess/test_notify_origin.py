"""EventRelay.receive skips the backend's own notifications (both payload forms) and applies another's."""

from types import SimpleNamespace

from backend.notify import MAX_PAYLOAD_BYTES, EventRelay


class _Recorder:
    def __init__(self):
        self.published: list[tuple] = []

    def publish(self, kind, run_id, data, relay=True):
        self.published.append((kind, run_id, data, relay))


def _relay() -> tuple[EventRelay, _Recorder]:
    recorder = _Recorder()
    state = SimpleNamespace(broadcaster=recorder, progress=SimpleNamespace(set=lambda *a: None, clear=lambda *a: None))
    return EventRelay(engine=None, state=state), recorder


def test_own_notifications_are_skipped_and_another_backends_are_published():
    ours, recorder = _relay()
    theirs, _ = _relay()
    small = SimpleNamespace(kind="epoch", run_id=4, data='{"run_id":4,"epoch":1}')
    large = SimpleNamespace(kind="status", run_id=4, data='"' + "x" * MAX_PAYLOAD_BYTES + '"')
    for event in (small, large):
        ours.receive(ours.encode(event))          # our own, back from the server: nothing happens
    assert recorder.published == []
    ours.receive(theirs.encode(small))
    assert recorder.published == [("epoch", 4, '{"run_id":4,"epoch":1}', False)]

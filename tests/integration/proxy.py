"""A TCP forwarder with a fixed port whose target can be switched, to restart a backend under a worker."""

import contextlib
import socket
import threading
from collections.abc import Iterator
from urllib.parse import urlsplit


class SwitchableProxy:
    """Listens on 127.0.0.1:<port> and forwards each connection to `target` ("host:port");
    with no target, connections are closed at once (the backend looks down)."""

    def __init__(self):
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._target: tuple[str, int] | None = None
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def point_to(self, url: str | None) -> None:
        """Forward new connections to `url` (None: refuse them); cut the connections open now."""
        parts = urlsplit(url) if url else None
        with self._lock:
            self._target = (parts.hostname, parts.port) if parts else None
            for sock in self._open:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
            self._open.clear()

    def close(self) -> None:
        """Stop listening and cut every connection."""
        self.point_to(None)
        self._listener.close()

    def _accept(self) -> None:
        """Accept connections until closed; pair each with one to the target."""
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                target = self._target
            try:
                if target is None:
                    raise OSError("no target")
                upstream = socket.create_connection(target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._open.update((client, upstream))
            threading.Thread(target=_pump, args=(client, upstream), daemon=True).start()
            threading.Thread(target=_pump, args=(upstream, client), daemon=True).start()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    """Copy bytes from source to sink until either side closes."""
    try:
        while chunk := source.recv(65536):
            sink.sendall(chunk)
    except OSError:
        pass
    finally:
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


@contextlib.contextmanager
def switchable_proxy() -> Iterator[SwitchableProxy]:
    """A SwitchableProxy closed on exit."""
    proxy = SwitchableProxy()
    try:
        yield proxy
    finally:
        proxy.close()

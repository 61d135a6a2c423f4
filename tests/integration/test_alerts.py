"""`quicktakes-etl alerts` on a real Prefect server: a failed run POSTs to a real webhook."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from flows.cli import main
from flows.storage import EmptySource

pytestmark = pytest.mark.usefixtures("prefect_server")
ALERT_TIMEOUT = 60.0


@dataclass
class Receiver:
    """An HTTP server on 127.0.0.1 that keeps every JSON body POSTed to it."""

    url: str
    posts: list[dict[str, Any]] = field(default_factory=list)
    posted: threading.Event = field(default_factory=threading.Event)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    found = Receiver(f"http://127.0.0.1:{server.server_port}/alert")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            found.posts.append(json.loads(body))
            self.send_response(200)
            self.end_headers()
            found.posted.set()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server.RequestHandlerClass = Handler
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield found
    server.shutdown()
    thread.join()


def test_a_failed_run_posts_its_name_state_and_error_to_the_webhook(
    tmp_path: Path, receiver: Receiver, capsys: pytest.CaptureFixture[str]
) -> None:
    from prefect.client.orchestration import get_client

    from flows.etl import quicktakes_etl

    argv = ["alerts", "--webhook", receiver.url, "--name", "test-alerts"]
    assert main(argv) == 0
    assert main(argv) == 0
    assert ", replacing 1, " in capsys.readouterr().out.splitlines()[-1]
    with get_client(sync_client=True) as client:
        assert len(client.read_automations_by_name("test-alerts")) == 1

    (tmp_path / "empty").mkdir()
    with pytest.raises(EmptySource):
        quicktakes_etl(source=str(tmp_path / "empty"), warehouse=str(tmp_path / "wh"))

    assert receiver.posted.wait(ALERT_TIMEOUT), f"no POST within {ALERT_TIMEOUT:.0f} s"
    (post,) = receiver.posts
    assert (post["flow"], post["state"]) == ("quicktakes-etl", "Failed")
    assert "no article files (*.md) under" in post["message"]
    assert post["flow_run"] and post["flow_run_id"]


def test_a_webhook_that_is_not_http_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["alerts", "--webhook", "ftp://example/x"]) == 2
    assert capsys.readouterr().err == (
        "quicktakes-etl: error: --webhook must be an http:// or https:// URL, "
        "got 'ftp://example/x'\n"
    )

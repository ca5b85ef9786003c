"""Web API calls over HTTPS: the bot's clients (one TLS context for the process) against slack_sdk's default.

A local HTTPS server plays Slack with a self-signed certificate. Every context trusts the system's CA bundle
with that certificate added (``SSL_CERT_FILE``), so one made afresh loads as many certificates as when
calling Slack. Timed, one call after another: ``auth.test`` through ``handlers.slack.client.web_client``
(its shared context), and through a ``WebClient`` given none (urllib then makes one a call). Both open a
connection a call (urllib keeps none alive), so the difference is the context. It prints CPU and wall
time a call and their ratios; a failed call exits 1.

Run: ``python -m benchmarks.tls_calls [--calls 200]``
"""

from __future__ import annotations

import argparse
import datetime
import ipaddress
import os
import ssl
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from rich.console import Console
from rich.table import Table
from slack_sdk import WebClient

TOKEN = "xoxb-tls-benchmark"  # noqa: S105 (the local server takes any)


def self_signed(folder: Path) -> tuple[Path, Path]:
    """(certificate, key) for 127.0.0.1, as PEM files in ``folder``."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    key_path.write_bytes(key_pem)
    return cert_path, key_path


class _Slack(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        body = b'{"ok": true, "team_id": "T0TLS", "user_id": "U0BOT"}'
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def https_slack(cert: Path, key: Path) -> Iterator[str]:
    """The API URL of a local HTTPS server answering every call as Slack would answer auth.test."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Slack)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}/api/"
    finally:
        server.shutdown()
        server.server_close()


@dataclass(frozen=True)
class Timing:
    name: str
    calls: int
    cpu_s: float
    wall_s: float


def timed(name: str, client: WebClient, calls: int) -> Timing:
    client.auth_test()  # the first connection aside
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(calls):
        if not client.auth_test().get("ok"):
            raise RuntimeError(f"{name}: a call failed")
    return Timing(name, calls, time.process_time() - cpu, time.perf_counter() - wall)


@contextmanager
def trusting(bundle: Path) -> Iterator[None]:
    """Within the block, every TLS context made reads ``bundle`` (``SSL_CERT_FILE``), the bot's one included;
    the environment and the bot's context are put back after."""
    from handlers.slack.client import tls

    saved = {name: os.environ.pop(name, None) for name in ("SSL_CERT_FILE", "SSL_CERT_DIR")}
    os.environ["SSL_CERT_FILE"] = str(bundle)
    tls.cache_clear()
    try:
        yield
    finally:
        tls.cache_clear()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def run(calls: int) -> tuple[Timing, Timing]:
    """(the bot's client, slack_sdk's default), ``calls`` each."""
    from handlers.slack.client import web_client

    system = ssl.get_default_verify_paths().cafile
    with tempfile.TemporaryDirectory() as tmp:
        cert, key = self_signed(Path(tmp))
        bundle = Path(tmp) / "bundle.pem"
        bundle.write_bytes((Path(system).read_bytes() if system else b"") + b"\n" + cert.read_bytes())
        with trusting(bundle), https_slack(cert, key) as url:
            shared = web_client(TOKEN, url)
            shared.retry_handlers = []
            bot = timed("ictbot (one TLS context)", shared, calls)
            default = timed("slack_sdk's default (a context a call)", WebClient(token=TOKEN, base_url=url), calls)
    return bot, default


def report(bot: Timing, default: Timing, console: Console) -> None:
    table = Table(title=f"auth.test over HTTPS, {bot.calls} calls one after another")
    for column in ("client", "CPU ms a call", "wall ms a call"):
        table.add_column(column, justify="left" if column == "client" else "right")
    for t in (bot, default):
        table.add_row(t.name, f"{1000 * t.cpu_s / t.calls:.2f}", f"{1000 * t.wall_s / t.calls:.2f}")
    console.print(table)
    cpu_ratio = default.cpu_s / bot.cpu_s if bot.cpu_s else float("nan")
    wall_ratio = default.wall_s / bot.wall_s if bot.wall_s else float("nan")
    console.print(f"RESULT calls={bot.calls} cpu_ratio={cpu_ratio:.2f} wall_ratio={wall_ratio:.2f}", soft_wrap=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.tls_calls", description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=200, help="calls timed for each client")
    a = parser.parse_args(argv)
    if a.calls < 1:
        parser.error("--calls must be 1 or more")
    try:
        bot, default = run(a.calls)
    except Exception as exc:  # noqa: BLE001  (a failed call fails the run, with its reason)
        print(f"tls_calls: {exc}", file=sys.stderr)
        return 1
    report(bot, default, Console())
    return 0


if __name__ == "__main__":
    sys.exit(main())

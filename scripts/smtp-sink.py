#!/usr/bin/env python3
"""A real SMTP server on loopback for the integration tests.

Usage: smtp-sink.py --port N --maildir DIR

Runs an aiosmtpd server on 127.0.0.1:N that accepts every message and writes
it, exactly as received, to DIR/<n>.eml (written to a temporary name first,
then renamed, so a reader never sees half a file). The envelope is saved
beside it as DIR/<n>.envelope ("MAIL FROM" on the first line, then one "RCPT
TO" per line). Prints "ready" on stdout once listening; stops on SIGTERM,
SIGINT or when stdin closes.

aiosmtpd comes from scripts/install-deps.sh (in .tools/venv).
"""

import argparse
import itertools
import os
import signal
import sys
import threading

from aiosmtpd.controller import Controller


class SaveToMaildir:
    def __init__(self, maildir):
        self.maildir = maildir
        self.counter = itertools.count(1)
        self.lock = threading.Lock()

    def _write(self, name, data):
        tmp = os.path.join(self.maildir, "." + name + ".tmp")
        with open(tmp, "wb") as f:
            f.write(data)
        os.rename(tmp, os.path.join(self.maildir, name))

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            n = next(self.counter)
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8")
        lines = [envelope.mail_from or ""] + list(envelope.rcpt_tos)
        self._write(f"{n}.envelope", ("\n".join(lines) + "\n").encode("utf-8"))
        self._write(f"{n}.eml", content)
        return "250 Message accepted for delivery"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--maildir", required=True)
    args = parser.parse_args()
    os.makedirs(args.maildir, exist_ok=True)

    controller = Controller(
        SaveToMaildir(args.maildir), hostname="127.0.0.1", port=args.port, enable_SMTPUTF8=True
    )
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())

    # Stop too when the parent goes away (its end of our stdin closes).
    def watch_stdin():
        try:
            while sys.stdin.buffer.read(1024):
                pass
        except (OSError, ValueError):
            pass
        stop.set()

    threading.Thread(target=watch_stdin, daemon=True).start()
    print("ready", flush=True)
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()

"""The chart renderer's own process: figures as JSON on stdin, images as JSON on stdout.

Run by :func:`exports.render.render_many` as ``python render_worker.py`` so that a renderer that
hangs (kaleido waiting forever on a browser) can be killed with the browser it started, without
touching the web server. Input ``{"items": [{"figure": {...}, "options": {...}}, ...]}``;
output a JSON list of base64 strings, one image per item, in order. If the process that
started it goes away (a web worker killed for its own timeout), it kills its browser and exits.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import sys
import threading
import time


async def _render(items: list[dict]) -> list[bytes]:
    import kaleido

    async with kaleido.Kaleido(n=1, mathjax=False) as k:
        return [await k.calc_fig(item["figure"], opts=item["options"]) for item in items]


def _exit_with(parent: int) -> None:
    """Wait until ``parent`` is no longer this process's parent; then kill every process this
    one started (the browser among them) and exit."""
    while os.getppid() == parent:
        time.sleep(0.5)
    import psutil

    for child in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):
            child.kill()
    os._exit(1)


def main() -> None:
    threading.Thread(target=_exit_with, args=(os.getppid(),), daemon=True).start()
    items = json.load(sys.stdin)["items"]
    images = asyncio.run(_render(items))
    json.dump([base64.b64encode(image).decode("ascii") for image in images], sys.stdout)


if __name__ == "__main__":
    main()

"""The chart renderer's own process: figures as JSON on stdin, images as JSON on stdout.

Run by :func:`exports.render.render_many` as ``python render_worker.py`` so that a renderer that
hangs (kaleido waiting forever on a browser) can be killed with the browser it started, without
touching the web server. Input ``{"items": [{"figure": {...}, "options": {...}}, ...]}``;
output a JSON list of base64 strings, one image per item, in order.
"""

from __future__ import annotations

import asyncio
import base64
import json
import sys


async def _render(items: list[dict]) -> list[bytes]:
    import kaleido

    async with kaleido.Kaleido(n=1, mathjax=False) as k:
        return [await k.calc_fig(item["figure"], opts=item["options"]) for item in items]


def main() -> None:
    items = json.load(sys.stdin)["items"]
    images = asyncio.run(_render(items))
    json.dump([base64.b64encode(image).decode("ascii") for image in images], sys.stdout)


if __name__ == "__main__":
    main()

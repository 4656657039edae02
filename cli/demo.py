"""``portfolio demo``: write the synthetic demo portfolio (byte for byte from its seed)."""

from __future__ import annotations

import argparse

from portfolio.demo import DEMO_SEED, write_demo


def run(args: argparse.Namespace) -> int:
    frame = write_demo(args.out, args.accounts, args.seed if args.seed is not None else DEMO_SEED)
    print(f"wrote {len(frame):,} synthetic accounts to {args.out}")
    return 0

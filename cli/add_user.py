"""``portfolio add-user``: add a dashboard user (a salted password hash) to a users file."""

from __future__ import annotations

import argparse
import getpass
import sys

from cli.errors import CliError
from storage.users import add_user


def run(args: argparse.Namespace) -> int:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"Password for {args.name}: ")
    try:
        add_user(args.users_file, args.name, password)
    except (ValueError, OSError) as exc:
        raise CliError(str(exc)) from None
    print(f"{args.name} can sign in; set STRATA_USERS_FILE={args.users_file}")
    return 0

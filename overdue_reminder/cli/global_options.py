"""Global options (`--json`, `--wide`, `--ids`, `--config PATH`, `-v`) accepted after the subcommand as well as
before it.

People type `overdue-reminder aging --json` as often as `overdue-reminder --json aging`. Click only
parses a group's options before its subcommand, so the root group moves the global options it finds
after the subcommand to the front before parsing: one rule for every command, none repeated per command.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import click

_GLOBAL_FLAGS = frozenset({"--json", "--wide", "--ids"})
_GLOBAL_VALUED = frozenset({"--config"})
_VERBOSE = re.compile(r"^(-v+|--verbose)$")


def _takes_value(command: click.Command, token: str) -> bool:
    """True when `token` is one of the command's own options that consumes the next word."""
    for param in command.params:
        if isinstance(param, click.Option) and token in (*param.opts, *param.secondary_opts):
            return not (param.is_flag or param.count)
    return False


def _own_option(command: click.Command, token: str) -> bool:
    return any(token in (*p.opts, *p.secondary_opts) for p in command.params if isinstance(p, click.Option))


def _subcommand_index(root: click.Command, args: Sequence[str]) -> int | None:
    """Where the subcommand's name is in `args` (skipping the root's own options and their values)."""
    i = 0
    while i < len(args):
        token = args[i]
        if token == "--":
            return None
        if not token.startswith("-"):
            return i
        i += 2 if _takes_value(root, token) else 1
    return None


def _is_global(token: str) -> bool:
    return token in _GLOBAL_FLAGS or bool(_VERBOSE.match(token)) or token.startswith("--config=")


def hoist_global_options(root: click.Group, ctx: click.Context, args: list[str]) -> list[str]:
    """`args` with the global options found after the subcommand moved in front of it.

    A word that is the value of a subcommand's option (`--note -v`) stays put, an option a subcommand
    defines itself stays with it, and nothing after `--` moves.
    """
    start = _subcommand_index(root, args)
    if start is None:
        return args
    command: click.Command | None = root.get_command(ctx, args[start])
    moved: list[str] = []
    kept: list[str] = [args[start]]
    i = start + 1
    while i < len(args):
        token = args[i]
        if token == "--":
            kept += args[i:]
            break
        local = command is not None and _own_option(command, token)
        if not local and _is_global(token):
            moved.append(token)
        elif not local and token in _GLOBAL_VALUED and i + 1 < len(args):
            moved += args[i:i + 2]
            i += 1
        elif command is not None and _takes_value(command, token) and i + 1 < len(args):
            kept += args[i:i + 2]
            i += 1
        else:
            kept.append(token)
            if isinstance(command, click.Group) and not token.startswith("-"):
                command = command.get_command(ctx, token) or command
        i += 1
    return [*args[:start], *moved, *kept]


class GlobalOptionsGroup(click.Group):
    """The root group: its global options may also follow the subcommand."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, hoist_global_options(self, ctx, args))

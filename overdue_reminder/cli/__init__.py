"""The `overdue-reminder` command: one group, thin subcommands that parse, call a service, print.

Exit codes (DESIGN.md): 0 done; 1 done with skipped records; 2 usage or configuration error;
3 the accounting system unreachable or refused the login; 4 another run holds the lock; 5 an unexpected
error (one line on stderr naming what failed; the traceback in the log at debug level, -vv).
"""

from __future__ import annotations

import logging
import sys

import click

from overdue_reminder import __version__
from overdue_reminder.cli.common import App, setup_logging
from overdue_reminder.cli.global_options import GlobalOptionsGroup
from overdue_reminder.errors import EXIT_UNEXPECTED, OverdueReminderError, describe
from overdue_reminder.run.gcpolicy import gc_tuned

log = logging.getLogger("overdue_reminder")
_apps: list[App] = []


@click.group(cls=GlobalOptionsGroup,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--config", "config_path", metavar="PATH", envvar="OVERDUE_REMINDER_CONFIG",
              help="Configuration file (default: $OVERDUE_REMINDER_CONFIG, else ./overdue-reminder.toml; also "
                   "accepted after the command).")
@click.option("--json", "as_json", is_flag=True,
              help="Print machine-readable JSON instead of tables (also accepted after the command).")
@click.option("--wide", is_flag=True,
              help="Tables at full width with every column, however wide the terminal (also after the command).")
@click.option("--ids", "show_ids", is_flag=True,
              help="Show Odoo ids beside client names and invoice numbers (also after the command).")
@click.option("-v", "--verbose", count=True, help="More log output on stderr (-vv for debug; also after the command).")
@click.option("--as", "login", metavar="LOGIN", envvar="OVERDUE_REMINDER_AS",
              help="Prove who you are with your own Odoo login (password or API key from the variable named by "
                   "[identity] secret_env, your owner-only secret file, or a prompt). Decisions need it unless "
                   "your operating-system account is mapped in [identity] os_users.")
@click.version_option(__version__, prog_name="overdue-reminder")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, as_json: bool, wide: bool, show_ids: bool, verbose: int,
        login: str | None) -> None:
    """A law firm's collections desk beside Odoo: sync, flag, draft, offer, escalate.

    Tables fit the terminal (COLUMNS, else its width, else 80 columns): low-value columns are hidden first
    and named under the table; --wide shows everything. Times are on the firm's clock, labelled with the zone.
    """
    setup_logging(verbose)
    app = App(config_path=config_path, as_json=as_json, verbose=verbose, login=login, wide=wide, ids=show_ids)
    ctx.obj = app
    _apps[:] = [app]  # main() names the store when an unexpected error came from it
    ctx.call_on_close(app.close)


def _register() -> None:
    from overdue_reminder.cli import (
        demo_cmd,
        jurisdiction_cmds,
        ledger_cmds,
        letter_cmds,
        matter_cmds,
        offer_cmds,
        policy_cmds,
        reminder_cmds,
        service_cmds,
        setup_cmds,
        web_cmd,
    )

    for module in (setup_cmds, ledger_cmds, policy_cmds, matter_cmds, letter_cmds, offer_cmds, reminder_cmds,
                   service_cmds, demo_cmd, web_cmd, jurisdiction_cmds):
        for command in module.COMMANDS:
            cli.add_command(command)


_register()


def main(argv: list[str] | None = None) -> None:
    """Run the CLI, turning the tool's own errors into a clear message and the right exit code."""
    try:
        with gc_tuned():  # the run's one garbage-collector switch (run/gcpolicy.py)
            rv = cli.main(args=argv, prog_name="overdue-reminder", standalone_mode=False)
    except OverdueReminderError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2 if exc.exit_code == 1 else exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except Exception as exc:
        log.debug("unexpected error", exc_info=True)
        where = ""
        if type(exc).__module__.startswith("sqlalchemy") and _apps and _apps[0].opened_store is not None:
            where = f" (store {_apps[0].opened_store.describe()})"
        click.echo(f"error: unexpected: {describe(exc)}{where} (run again with -vv for the traceback)", err=True)
        sys.exit(EXIT_UNEXPECTED)
    sys.exit(rv if isinstance(rv, int) else 0)

"""Secrets never live in the TOML: only the name of an environment variable or the path of an owner-only file."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from overdue_reminder.errors import ConfigError


def read_secret(env_name: str, file_path: str, config_path: str, section: str) -> str:
    """The secret from the environment, else from a file only its owner can read."""
    if env_name and os.environ.get(env_name):
        return os.environ[env_name]
    if file_path:
        p = Path(file_path)
        try:
            mode = p.stat().st_mode
        except OSError as exc:
            raise ConfigError(f"cannot read the password file {p}: {exc.strerror}.", path=config_path,
                              key=f"{section}.password_file", fix="point it at an existing file.") from exc
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise ConfigError(f"the password file {p} is readable by others (mode {stat.filemode(mode)}).",
                              path=config_path, key=f"{section}.password_file", fix=f"run: chmod 600 {p}")
        return p.read_text(encoding="utf-8").strip()
    raise ConfigError(f"no password: environment variable {env_name or '(none)'} is not set and no password file.",
                      path=config_path, key=f"{section}.password_env",
                      fix=f"export {env_name or 'OVERDUE_REMINDER_ODOO_PASSWORD'}=<API key> or set "
                          f"{section}.password_file to an owner-only file.")

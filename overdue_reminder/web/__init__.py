"""The attorney review page: a small server-rendered Flask application behind `overdue-reminder web`."""

from __future__ import annotations

from overdue_reminder.web.app import create_app

__all__ = ["create_app"]

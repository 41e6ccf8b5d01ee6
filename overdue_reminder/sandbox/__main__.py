"""`python -m overdue_reminder.sandbox`: the same as scripts/odoo-sandbox."""

from .cli import main

raise SystemExit(main())

"""overdue_reminder: a law firm's collections desk beside its accounting system (Odoo)."""

__version__ = "0.1.0"

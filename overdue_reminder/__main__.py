"""`python -m overdue_reminder` runs the same CLI as the console script."""

from overdue_reminder.cli import main

if __name__ == "__main__":
    main()

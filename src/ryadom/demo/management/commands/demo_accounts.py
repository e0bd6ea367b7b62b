from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, no_translations

from ryadom.demo.accounts import DEMO_PASSWORD, ensure_demo_accounts


class Command(BaseCommand):
    help = "Create (or refresh) one demo account per role and print how to sign in with them."

    @no_translations  # an operator's table: role names in English, like the headers
    def handle(self, *args: Any, **options: Any) -> None:
        accounts = ensure_demo_accounts()
        rows = [("username", "password", "role", "scope", "what to try")]
        rows += [(a.username, DEMO_PASSWORD, a.role, a.where, a.try_this) for a in accounts]
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        for row in rows:
            cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
            self.stdout.write("  ".join([*cells, row[4]]).rstrip())
        self.stdout.write("Sign in at /login/ (pages) or /admin/ (back office).")

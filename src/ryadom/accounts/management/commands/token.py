from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ryadom.accounts.models import TokenKind, User
from ryadom.accounts.services import api_token_issue
from ryadom.core.errors import ApplicationError


class Command(BaseCommand):
    help = (
        "Issue an API token for a user and print it (it is shown only once). With "
        "--integration, an integration client's token for a service account (no password; "
        "institution liaison or regional coordinator roles only), with its own rate limit."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="command line")
        parser.add_argument(
            "--integration",
            action="store_true",
            help="an integration client's token (a hospital's or a region's system)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist as exc:
            raise CommandError(f"No user named {options['username']!r}.") from exc
        kind = TokenKind.INTEGRATION if options["integration"] else TokenKind.PERSON
        try:
            _token, key = api_token_issue(actor=None, user=user, name=options["name"], kind=kind)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(key)

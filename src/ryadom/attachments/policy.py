"""Who may add and open a request's files: the people responsible for it, not every reader.

A volunteer who can see an open request in their region may not see its receipts.
"""

from __future__ import annotations

from ryadom.accounts.models import User
from ryadom.care.models import CareRequest
from ryadom.care.parties import Party, parties_of

FILE_PARTIES = frozenset({Party.COORDINATOR, Party.ASSIGNEE, Party.REQUESTER})


def may_handle_files(actor: User, request: CareRequest) -> bool:
    return bool(parties_of(actor, request) & FILE_PARTIES)

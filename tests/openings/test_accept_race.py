"""Accepting applications to the last places at the same moment: never more than needed.

Real threads on the real database, as in tests/care/test_claim_race.py: the accept locks
the opening row (on SQLite the write lock queues the transactions), so the count of
accepted places each one reads is the committed one.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ryadom.core.errors import ConflictError
from ryadom.openings import services
from ryadom.openings.models import Application, ApplicationStatus
from ryadom.volunteers.models import Check, CheckKind, CheckStatus
from tests import factories as f
from tests.care.test_claim_race import _race
from tests.conftest import Cast
from tests.openings.helpers import post_opening

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

THREADS = 6


def test_concurrent_accepts_fill_exactly_the_places_needed(care_cast: Cast) -> None:
    c = care_cast
    opening = post_opening(c, needed=2)
    ids = []
    for _ in range(THREADS):
        volunteer = f.VolunteerFactory(region=c.institution_a.region)
        f.MembershipFactory(volunteer=volunteer, organisation=c.ngo_a)
        for kind in (
            CheckKind.IDENTITY,
            CheckKind.AGREEMENT,
            CheckKind.TRAINING,
            CheckKind.MEDICAL,
        ):
            Check.objects.create(volunteer=volunteer, kind=kind, status=CheckStatus.PASSED)
        ids.append(services.application_create(actor=volunteer.user, opening=opening).pk)

    def contender(application_id: int) -> Callable[[], Callable[[], Application]]:
        def prepare() -> Callable[[], Application]:
            application = Application.objects.select_related("opening").get(pk=application_id)
            return lambda: services.application_accept(actor=c.liaison, application=application)

        return prepare

    results = _race([contender(i) for i in ids])
    won = [r for r in results if isinstance(r, Application)]
    lost = [r for r in results if isinstance(r, ConflictError)]
    assert (len(won), len(lost)) == (2, THREADS - 2), results
    assert all("All 2 places are taken" in e.message for e in lost)
    assert Application.objects.filter(status=ApplicationStatus.ACCEPTED).count() == 2

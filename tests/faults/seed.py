"""The drills' database: migrated, with one relative who may ask for a veteran in a Moscow
hospital and is reached by e-mail at any hour; prints what the drills need as JSON.

Run in the drills' environment (tests/faults/stack.py): `python -m tests.faults.seed`.
"""

from __future__ import annotations

import json
import os

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ryadom.config.settings")
    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from ryadom.accounts.models import Role
    from ryadom.accounts.services import api_token_issue, role_assign
    from ryadom.notifications.services import preference_set
    from ryadom.veterans.models import Consent, ConsentPurpose
    from tests import factories as f

    call_command("migrate", interactive=False, verbosity=0)
    institution = f.InstitutionFactory(region=f.region("77"), name="Госпиталь учений")
    relative = f.UserFactory(username="relative", email="relative@example.org", language="en")
    role_assign(actor=None, user=relative, role=Role.RELATIVE)
    veteran = f.VeteranFactory(home_region=f.region("77"))
    f.StayFactory(veteran=veteran, institution=institution)
    f.ProxyFactory(veteran=veteran, user=relative)
    for purpose, given_by in ((ConsentPurpose.CARE, None), (ConsentPurpose.PROXY, relative)):
        Consent.objects.create(
            veteran=veteran,
            purpose=purpose,
            given_by=given_by,
            recorded_by=relative,
            given_at=timezone.now(),
        )
    preference_set(
        actor=relative, user=relative, channels=["email"], quiet_from=None, quiet_until=None
    )
    _token, key = api_token_issue(actor=None, user=relative, name="fault drills")
    print(
        json.dumps(
            {
                "token": key,
                "veteran": veteran.pk,
                "institution": institution.pk,
                "user": relative.pk,
            }
        )
    )


if __name__ == "__main__":
    main()

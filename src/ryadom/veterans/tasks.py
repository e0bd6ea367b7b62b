"""Retention: personal data is anonymised once its purpose has ended. Safe to run twice."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task


@task()
def anonymise_expired() -> int:
    """Anonymise every veteran whose retention period has passed; returns how many."""
    from ryadom.veterans.erasure import veteran_anonymise
    from ryadom.veterans.selectors import veterans_due_for_anonymisation

    done = 0
    for veteran in veterans_due_for_anonymisation(now=timezone.now()):
        veteran_anonymise(actor=None, veteran=veteran, reason="retention period ended")
        done += 1
    return done

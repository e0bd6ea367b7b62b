"""Russian in the demo agrees with the person it is about: names, feedback, notes."""

from __future__ import annotations

import pytest
from faker.providers.person.ru_RU import Provider as RussianNames

from ryadom.accounts.models import User
from ryadom.care.models import CareRequest, Event, Feedback, Visit
from ryadom.demo import words
from ryadom.demo.accounts import ensure_demo_accounts
from ryadom.demo.people import patronymic
from ryadom.institutions.models import Institution
from ryadom.veterans.models import Proxy, Veteran
from ryadom.volunteers.models import Volunteer
from tests.demo.small import TODAY
from tests.factories import ProxyFactory, UserFactory, VeteranFactory, VolunteerFactory

pytestmark = pytest.mark.django_db

FIRST = {"m": set(RussianNames.first_names_male), "f": set(RussianNames.first_names_female)}
# Surname endings that belong to one gender only (Шевченко, Черных fit both).
SURNAME_ENDINGS = {"m": ("ов", "ев", "ёв", "ин", "ын", "ий", "ый", "ой"), "f": ("ва", "на", "ая")}
PATRONYMIC_ENDINGS = {"m": ("ич",), "f": ("на",)}
RELATIVE_GENDER = {
    "мать": "f", "жена": "f", "сестра": "f", "дочь": "f",
    "отец": "m", "муж": "m", "брат": "m", "сын": "m",
}  # fmt: skip
# The generated phrases whose two forms differ, and the gender each form speaks of.
FORMS = [(m, f) for m, f in words.GENDERED if m != f]


def other(gender: str) -> str:
    return "f" if gender == "m" else "m"


def name_disagrees(gender: str, *, first: str, last: str = "", middle: str = "") -> list[str]:
    """What in the name belongs to the other gender (empty: it all fits)."""
    wrong = []
    if first not in FIRST[gender]:
        wrong.append(first)
    if last and last.endswith(SURNAME_ENDINGS[other(gender)]):
        wrong.append(last)
    if middle and not middle.endswith(PATRONYMIC_ENDINGS[gender]):
        wrong.append(middle)
    return wrong


def genders_spoken_of(text: str) -> set[str]:
    """The genders of the gendered phrases found in the text."""
    found = {"m" for m, _f in FORMS if m in text}
    return found | {"f" for _m, f in FORMS if f in text}


@pytest.mark.usefixtures("small_demo")
def test_every_generated_name_agrees_in_gender() -> None:
    ensure_demo_accounts(today=TODAY)

    for v in Volunteer.objects.select_related("user"):
        assert not name_disagrees(v.gender, first=v.user.first_name, last=v.user.last_name), v.pk
    for veteran in Veteran.objects.select_related("user"):
        first, _, middle = veteran.addressed_as.partition(" ")
        assert not name_disagrees(veteran.gender, first=first, middle=middle), veteran.pk
        if veteran.user:
            last = veteran.user.last_name
            assert not name_disagrees(veteran.gender, first=veteran.user.first_name, last=last)
    proxies = Proxy.objects.select_related("user", "veteran")
    assert {"отец", "мать"} <= set(proxies.values_list("relation", flat=True))
    for proxy in proxies:
        gender = RELATIVE_GENDER[proxy.relation]
        user = proxy.user
        assert not name_disagrees(gender, first=user.first_name, last=user.last_name), proxy.pk
        if proxy.relation in ("жена", "муж"):
            assert gender != proxy.veteran.gender
        _first, _, middle = proxy.veteran.addressed_as.partition(" ")
        if proxy.relation == "отец" and middle:
            # The veteran's patronymic is made from their father's first name.
            assert patronymic(user.first_name, proxy.veteran.gender) == middle, proxy.pk
    for contact in Institution.objects.values_list("contact_name", flat=True):
        last, first, middle = contact.split(",")[0].split(" ")
        gender = "m" if middle.endswith("ич") else "f"
        assert not name_disagrees(gender, first=first, last=last, middle=middle), contact


@pytest.mark.usefixtures("small_demo")
def test_feedback_and_notes_agree_with_the_gender_of_whom_they_speak_of() -> None:
    ensure_demo_accounts(today=TODAY)
    said_of_volunteers = 0

    for feedback in Feedback.objects.select_related("request__volunteer"):
        spoken = genders_spoken_of(feedback.comment)
        assert spoken <= {feedback.request.volunteer.gender}, feedback.comment
        said_of_volunteers += bool(spoken)
    for visit in Visit.objects.select_related("volunteer").exclude(outcome=""):
        assert genders_spoken_of(visit.outcome) <= {visit.volunteer.gender}, visit.outcome
        said_of_volunteers += bool(genders_spoken_of(visit.outcome))
    for note, gender in Event.objects.filter(action="complete").values_list(
        "note", "request__volunteer__gender"
    ):
        assert genders_spoken_of(note) <= {gender}, note
    assert said_of_volunteers > 50  # the check above looked at gendered words, not none

    for veteran in Veteran.objects.all():
        about = f"{veteran.what_matters} {veteran.communication_needs}"
        assert genders_spoken_of(about) <= {veteran.gender}, about
    for request in CareRequest.objects.select_related("veteran"):
        notes = [request.details]
        notes += request.events.filter(action="cancel").values_list("note", flat=True)
        allowed = {request.veteran.gender} if request.veteran else set()
        for note in notes:
            assert genders_spoken_of(note) <= allowed, (request.pk, note)
    assert not Feedback.objects.filter(comment__contains="парень").exists()


def test_factories_give_people_names_of_their_own_gender() -> None:
    for _ in range(20):
        woman, man = UserFactory(gender="f"), UserFactory(gender="m")
        assert not name_disagrees("f", first=woman.first_name, last=woman.last_name)
        assert not name_disagrees("m", first=man.first_name, last=man.last_name)
    for gender in ("f", "m"):
        volunteer = VolunteerFactory(gender=gender)
        user: User = volunteer.user
        assert not name_disagrees(gender, first=user.first_name, last=user.last_name)
        veteran = VeteranFactory(gender=gender)
        assert not name_disagrees(gender, first=veteran.addressed_as)
    mother = ProxyFactory(relation="мать").user
    assert not name_disagrees("f", first=mother.first_name, last=mother.last_name)

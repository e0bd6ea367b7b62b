"""Russian people for the demo: names that agree with gender, usernames, phones."""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass

from faker import Faker
from faker.providers.person import ru_RU

from ryadom.demo import words


@dataclass(frozen=True)
class Person:
    first: str
    middle: str
    last: str
    gender: str  # "m" or "f", as in volunteers.Gender
    father: str  # the father's first name, which the patronymic is made from

    @property
    def full(self) -> str:
        return f"{self.last} {self.first} {self.middle}"


class NameBook:
    """Faker ru_RU's lists of names, drawn with weights so that common names are common.

    Patronymics are made from a father's common first name: Faker's own list of them
    misses the most frequent ones (Иванович, Сергеевич). Draws use the Faker instance's own
    seeded random, so a seed gives the same people.
    """

    COMMON_WEIGHT = 150.0

    def __init__(self, fake: Faker) -> None:
        self.random = fake.random
        names = ru_RU.Provider
        fathers = [n for n in names.first_names_male if n in words.COMMON_MALE_NAMES]
        self.lists = {
            "first_m": _weighted(names.first_names_male, words.COMMON_MALE_NAMES),
            "first_f": _weighted(names.first_names_female, words.COMMON_FEMALE_NAMES),
            "father": (fathers, list(itertools.accumulate(1.0 for _ in fathers))),
            # Faker lists surnames from the most frequent down: weigh them by rank.
            "last": (list(names.last_names_male), _ranked(len(names.last_names_male))),
        }

    def draw(self, which: str) -> str:
        names, cumulative = self.lists[which]
        return self.random.choices(names, cum_weights=cumulative)[0]


def _weighted(names: Sequence[str], common: frozenset[str]) -> tuple[list[str], list[float]]:
    weights = [NameBook.COMMON_WEIGHT if n in common else 1.0 for n in names]
    return list(names), list(itertools.accumulate(weights))


def _ranked(count: int) -> list[float]:
    return list(itertools.accumulate(1.0 / (rank + 20) for rank in range(count)))


def patronymic(father: str, gender: str) -> str:
    """Сергей → Сергеевич / Сергеевна, Юрий → Юрьевич, Илья → Ильич / Ильинична."""
    male = words.IRREGULAR_PATRONYMICS.get(father)
    if male is None:
        if father.endswith(("ей", "ай")):
            male = father[:-1] + "евич"
        elif father.endswith("ий"):
            male = father[:-2] + "ьевич"
        else:
            male = father + "ович"
    if gender == "m":
        return male
    if male.endswith("вич"):
        return male[:-2] + "на"
    return male[:-2] + ("инична" if male.endswith("льич") else "ична")


def person(
    book: NameBook,
    gender: str,
    *,
    last: str | None = None,
    first: str | None = None,
    father: str | None = None,
) -> Person:
    """A person with first name, patronymic and surname in the forms of their gender.

    `last` is the family's surname in any form; `first` and `father` fix the first name and
    the father's (for a veteran's father, brother or child).
    """
    first = first or book.draw(f"first_{gender}")
    father = father or book.draw("father")
    family = surname_for(last or book.draw("last"), gender)
    return Person(first, patronymic(father, gender), family, gender, father)


def surname_for(surname: str, gender: str) -> str:
    """The family's surname in the form of the given gender (Петров ↔ Петрова)."""
    male_surname = masculine_surname(surname)
    if gender == "m":
        return male_surname
    for ending, feminine in (("ский", "ская"), ("цкий", "цкая"), ("ой", "ая"), ("ый", "ая")):
        if male_surname.endswith(ending):
            return male_surname[: -len(ending)] + feminine
    if male_surname.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return male_surname + "а"
    return male_surname  # Шевченко, Черных: the same for everyone


def masculine_surname(surname: str) -> str:
    """Петрова → Петров, Лебединская → Лебединский; a masculine or invariable one unchanged."""
    for ending, masculine in (("ская", "ский"), ("цкая", "цкий"), ("ая", "ой")):
        if surname.endswith(ending):
            return surname[: -len(ending)] + masculine
    if surname.endswith(("ова", "ева", "ёва", "ина", "ына")):
        return surname[:-1]
    return surname


def mobile_phone(rng: random.Random) -> str:
    """A number in the unassigned +7 000 range: demo messages can never reach a real person."""
    b, c, d = rng.randint(0, 999), rng.randint(0, 99), rng.randint(0, 99)
    return f"+7 000 {b:03d}-{c:02d}-{d:02d}"

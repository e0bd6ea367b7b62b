"""How skills, checks, services, genders and urgency become the engine's bits and numbers.

Skills: bit i is the i-th skill by id; checks: bit i is the i-th `CheckKind`; service
numbers are the position of the service type by id (interests are bits of those numbers).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ryadom.care.models import Urgency
from ryadom.catalogue.models import Category, ServiceType, Skill
from ryadom.matching import FEMALE, MALE
from ryadom.volunteers.eligibility import REQUIRED_CHECKS
from ryadom.volunteers.models import CheckKind, Gender

URGENCY_LEVEL: dict[str, int] = {Urgency.NORMAL: 0, Urgency.URGENT: 2, Urgency.CRITICAL: 3}
GENDER_CODE: dict[str, int] = {Gender.FEMALE: FEMALE, Gender.MALE: MALE}
CHECK_BIT = {kind: 1 << i for i, kind in enumerate(CheckKind)}
# Service numbers 0..62 are positions; any further ones share 63, which no interest names.
OTHER_SERVICE = 63


def check_mask(kinds: Iterable[str]) -> int:
    """Bits of these check kinds."""
    mask = 0
    for kind in kinds:
        mask |= CHECK_BIT[CheckKind(kind)]
    return mask


REQUIRED_MASK = {level: check_mask(kinds) for level, kinds in REQUIRED_CHECKS.items()}
SCREENING_BIT = CHECK_BIT[CheckKind.SCREENING]


@dataclass(frozen=True)
class Catalogue:
    """Numbering of skills and services, and each service's rules, read once per load."""

    skill_bit: dict[int, int]  # skill id -> bit
    service_number: dict[int, int]  # service type id -> 0..63
    service_skills: dict[int, int]  # service type id -> required skill bits
    service_rules: dict[int, tuple[bool, bool, bool]]  # id -> same gender, hygiene, screening

    @classmethod
    def load(cls) -> Catalogue:
        """Two queries: skills, services with their required skills."""
        skill_ids = list(Skill.objects.order_by("pk").values_list("pk", flat=True))
        if len(skill_ids) > 64:
            raise ValueError("more than 64 skills: the engine's skill masks hold 64")
        skill_bit = {pk: 1 << i for i, pk in enumerate(skill_ids)}
        number: dict[int, int] = {}
        skills: dict[int, int] = {}
        rules: dict[int, tuple[bool, bool, bool]] = {}
        rows = ServiceType.objects.order_by("pk").values_list(
            "pk", "category", "same_gender_helper", "needs_security_screening"
        )
        for i, (pk, category, same, screening) in enumerate(rows):
            number[pk] = min(i, OTHER_SERVICE)
            skills[pk] = 0
            rules[pk] = (same, category == Category.HYGIENE, screening)
        through = ServiceType.required_skills.through.objects.values_list(
            "servicetype_id", "skill_id"
        )
        for service_id, skill_id in through:
            skills[service_id] |= skill_bit[skill_id]
        return cls(skill_bit, number, skills, rules)

    def interest_bits(self, service_id: int) -> int:
        number = self.service_number.get(service_id, OTHER_SERVICE)
        return 0 if number == OTHER_SERVICE else 1 << number

"""For each role: which volunteers and veterans it can list and open, and which it cannot."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import Cast

VOLUNTEERS = {"volunteer_a", "volunteer_b", "volunteer_other_ngo"}
VETERANS = {"veteran_a", "veteran_a2", "veteran_b"}

# actor → (volunteers it sees, veterans it sees). Everything else must be invisible.
MATRIX: dict[str, tuple[set[str], set[str]]] = {
    "federal": (VOLUNTEERS, VETERANS),
    "observer": (set(), set()),
    # Lives in region A, or (veterans) is treated there.
    "coord_a": ({"volunteer_a", "volunteer_other_ngo"}, {"veteran_a", "veteran_a2"}),
    # veteran_a2 comes from region B although treated in A: B's coordinator follows them.
    "coord_b": ({"volunteer_b"}, {"veteran_b", "veteran_a2"}),
    # Members of NGOs with a valid agreement with the institution; patients there now.
    "liaison": ({"volunteer_a"}, {"veteran_a", "veteran_a2"}),
    "ngo_manager": ({"volunteer_a"}, set()),
    "volunteer_user": ({"volunteer_a"}, set()),
    "veteran_user": (set(), {"veteran_a"}),
    "relative": (set(), {"veteran_a"}),
    "stranger": (set(), set()),
}


def _ids(cast: Cast, names: set[str]) -> set[int]:
    return {getattr(cast, n).pk for n in names}


@pytest.mark.parametrize("actor", sorted(MATRIX))
def test_each_role_lists_exactly_the_volunteers_and_veterans_in_its_scope(
    actor: str, cast: Cast, client: Client
) -> None:
    client.force_login(getattr(cast, actor))
    see_volunteers, see_veterans = MATRIX[actor]

    listed = client.get("/api/v1/volunteers?limit=100").json()["items"]
    assert {v["id"] for v in listed} == _ids(cast, see_volunteers)
    listed = client.get("/api/v1/veterans?limit=100").json()["items"]
    assert {v["id"] for v in listed} == _ids(cast, see_veterans)


@pytest.mark.parametrize("actor", sorted(MATRIX))
def test_each_role_opens_what_it_sees_and_gets_404_for_the_rest(
    actor: str, cast: Cast, client: Client
) -> None:
    client.force_login(getattr(cast, actor))
    see_volunteers, see_veterans = MATRIX[actor]
    for name in VOLUNTEERS:
        response = client.get(f"/api/v1/volunteers/{getattr(cast, name).pk}")
        assert response.status_code == (200 if name in see_volunteers else 404), name
    for name in VETERANS:
        response = client.get(f"/api/v1/veterans/{getattr(cast, name).pk}")
        assert response.status_code == (200 if name in see_veterans else 404), name


def test_a_missing_id_and_an_id_outside_the_scope_get_the_same_answer(
    cast: Cast, client: Client
) -> None:
    client.force_login(cast.coord_b)
    outside = client.get(f"/api/v1/veterans/{cast.veteran_a.pk}")
    missing = client.get("/api/v1/veterans/987654321")
    assert outside.status_code == missing.status_code == 404
    assert outside.json() == missing.json()


def test_anonymous_callers_get_401_for_personal_data_but_may_read_the_registries(
    cast: Cast, client: Client
) -> None:
    assert client.get("/api/v1/volunteers").status_code == 401
    assert client.get("/api/v1/veterans").status_code == 401
    assert client.get(f"/api/v1/veterans/{cast.veteran_a.pk}").status_code == 401
    for path in [
        "/api/v1/regions",
        "/api/v1/institutions",
        "/api/v1/organisations",
        "/api/v1/service-types",
        "/api/v1/settlements",
    ]:
        assert client.get(path).status_code == 200, path


def test_a_discharged_veteran_leaves_the_liaisons_list(cast: Cast, client: Client) -> None:
    stay = cast.veteran_a2.stays.get()
    stay.discharged_on = stay.admitted_on
    stay.save(update_fields=["discharged_on"])
    client.force_login(cast.liaison)
    listed = client.get("/api/v1/veterans").json()["items"]
    assert {v["id"] for v in listed} == {cast.veteran_a.pk}


def test_an_expired_agreement_hides_the_ngos_volunteers_from_the_liaison(
    cast: Cast, client: Client
) -> None:
    agreement = cast.ngo_a.agreements.get()
    agreement.valid_to = agreement.valid_from
    agreement.save(update_fields=["valid_to"])
    client.force_login(cast.liaison)
    assert client.get("/api/v1/volunteers").json()["items"] == []

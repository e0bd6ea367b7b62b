"""Files on a request: checked by content and size, kept outside the web root, handed out
only to those responsible for the request."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from ryadom.attachments.models import Attachment
from ryadom.attachments.services import MAX_SIZE
from ryadom.care.models import CareRequest
from ryadom.care.services.coordination import request_assign
from tests.conftest import Cast
from tests.security.privacy_helpers import as_user, ask

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + b"1 0 obj\n<<>>\nendobj\n"


@pytest.fixture
def uploads(settings: object, tmp_path: Path) -> Path:
    settings.RYADOM_UPLOADS_DIR = tmp_path  # type: ignore[attr-defined]
    return tmp_path


@pytest.fixture
def request_a(care_cast: Cast) -> CareRequest:
    request = ask(care_cast)
    request_assign(actor=care_cast.coord_a, request=request, volunteer=care_cast.volunteer_a)
    return request


def _upload(client: Client, request: CareRequest, name: str, content: bytes, ctype: str) -> str:
    response = client.post(
        f"/requests/{request.pk}/attachments/",
        {"file": SimpleUploadedFile(name, content, content_type=ctype)},
        follow=True,
    )
    return response.content.decode()


def test_photos_and_pdfs_are_accepted_and_served_back_to_the_assignee(
    care_cast: Cast, request_a: CareRequest, client: Client, uploads: Path
) -> None:
    as_user(client, care_cast.volunteer_user)
    for name, content, ctype in [
        ("чек.jpg", JPEG, "image/jpeg"),
        ("photo.png", PNG, "image/png"),
        ("справка.pdf", PDF, "application/pdf"),
    ]:
        assert "The file is attached." in _upload(client, request_a, name, content, ctype)
    kinds = list(Attachment.objects.values_list("kind", flat=True))
    assert kinds == ["jpeg", "png", "pdf"]
    first = Attachment.objects.first()
    assert first is not None
    # Stored under var/ (here: the test's directory), under a random name, not the person's.
    stored = Path(first.file.path)
    assert stored.is_relative_to(uploads) and "чек" not in stored.name
    assert not stored.is_relative_to(Path(settings.STATIC_ROOT))
    response = client.get(f"/attachments/{first.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content) == JPEG  # type: ignore[attr-defined]
    assert response["X-Content-Type-Options"] == "nosniff"
    # The request page lists the files for the coordinator.
    page = as_user(client, care_cast.coord_a).get(f"/requests/{request_a.pk}/").content.decode()
    assert f"/attachments/{first.pk}/" in page


@pytest.mark.parametrize(
    ("name", "content", "ctype"),
    [
        ("receipt.jpg", b"<script>alert(1)</script>", "image/jpeg"),  # the name lies
        ("invoice.pdf", b"MZ\x90\x00" + b"\x00" * 100, "application/pdf"),  # a program
        ("page.png", b"<html><body>hi</body></html>", "image/png"),
        ("doc.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml"),
    ],
)
def test_files_are_judged_by_their_content_not_their_name(
    care_cast: Cast,
    request_a: CareRequest,
    client: Client,
    uploads: Path,
    name: str,
    content: bytes,
    ctype: str,
) -> None:
    as_user(client, care_cast.coord_a)
    page = _upload(client, request_a, name, content, ctype)
    assert "Only photos (JPEG, PNG) and PDF documents." in page
    assert not Attachment.objects.exists()
    assert not any(p.is_file() for p in uploads.rglob("*"))


def test_a_file_over_5_mb_is_refused(
    care_cast: Cast, request_a: CareRequest, client: Client, uploads: Path
) -> None:
    as_user(client, care_cast.coord_a)
    page = _upload(client, request_a, "big.png", PNG + b"\x00" * MAX_SIZE, "image/png")
    assert "The file is larger than 5 MB." in page
    assert not Attachment.objects.exists()


def test_only_those_responsible_for_the_request_see_its_files(
    care_cast: Cast, request_a: CareRequest, client: Client, uploads: Path
) -> None:
    as_user(client, care_cast.coord_a)
    _upload(client, request_a, "чек.png", PNG, "image/png")
    attachment = Attachment.objects.get()
    url = f"/attachments/{attachment.pk}/"
    expected = {
        care_cast.coord_a: 200,
        care_cast.federal: 200,
        care_cast.liaison: 200,
        care_cast.veteran_user: 200,
        care_cast.relative: 200,
        care_cast.volunteer_user: 200,  # the assignee
        care_cast.coord_b: 404,
        care_cast.ngo_manager: 200,  # the assigned volunteer works for this NGO
        care_cast.observer: 404,
        care_cast.stranger: 404,
    }
    got = {user: as_user(client, user).get(url).status_code for user in expected}
    assert {u.username: s for u, s in got.items()} == {u.username: s for u, s in expected.items()}
    assert Client().get(url).status_code == 302  # to the sign-in page
    # An outsider cannot add files either.
    as_user(client, care_cast.coord_b)
    response = client.post(
        f"/requests/{request_a.pk}/attachments/",
        {"file": SimpleUploadedFile("x.png", PNG, content_type="image/png")},
    )
    assert response.status_code == 404
    assert Attachment.objects.count() == 1


def test_the_web_server_does_not_serve_the_upload_directory(
    care_cast: Cast, request_a: CareRequest, client: Client, uploads: Path
) -> None:
    as_user(client, care_cast.coord_a)
    _upload(client, request_a, "чек.png", PNG, "image/png")
    relative = Attachment.objects.get().file.name
    for prefix in ("/media/", "/static/", "/uploads/", "/var/uploads/"):
        assert client.get(prefix + relative).status_code == 404

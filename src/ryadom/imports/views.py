"""The import pages: templates, upload and dry run, the report, confirmation, progress."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from ryadom.accounts.models import User
from ryadom.core.errors import ApplicationError
from ryadom.core.pages import attempt, domain_errors
from ryadom.imports import export, report, selectors, services
from ryadom.imports.columns import current
from ryadom.imports.forms import UploadForm
from ryadom.imports.models import ImportBatch
from ryadom.imports.reader import MAX_BYTES
from ryadom.imports.runner import KINDS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_ROWS = 200


def _me(request: HttpRequest) -> User:
    """The signed-in actor (every view here requires signing in)."""
    return cast(User, request.user)


def _file(content: bytes, name: str, kind: str) -> HttpResponse:
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _kinds(request: HttpRequest) -> list[str]:
    kinds = services.kinds_for(_me(request))
    if not kinds:
        raise Http404
    return kinds


def _upload(request: HttpRequest, form: UploadForm) -> ImportBatch:
    upload = form.cleaned_data["file"]
    return services.batch_upload(
        actor=_me(request),
        kind=form.cleaned_data["kind"],
        filename=upload.name or "",
        content=upload.read(MAX_BYTES + 1) if (upload.size or 0) <= MAX_BYTES else b"",
        size=upload.size,
    )


@login_required
def start(request: HttpRequest) -> HttpResponse:
    """The templates to download, the upload form, and the files uploaded before."""
    form = UploadForm(request.POST or None, request.FILES or None, kinds=_kinds(request))
    if request.method == "POST" and form.is_valid():
        batch = attempt(form, lambda: _upload(request, form))
        if batch is not None:
            return redirect("imports:batch", batch_id=batch.pk)
    batches = selectors.batch_list(actor=_me(request))[:20]
    context = {"form": form, "kinds": export.kind_labels(_kinds(request)), "batches": batches}
    return render(request, "imports/start.html", context, status=422 if form.errors else 200)


@login_required
@require_GET
def template(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    if kind not in _kinds(request) or fmt not in ("xlsx", "csv"):
        raise Http404
    sheet, language = KINDS[kind].sheet, current()
    if fmt == "csv":
        return _file(report.template_csv(sheet, language), f"{kind}.csv", "text/csv; charset=utf-8")
    return _file(report.template_xlsx(sheet, language), f"{kind}.xlsx", XLSX)


@login_required
@require_GET
def directory(request: HttpRequest, kind: str) -> HttpResponse:
    """The actor's regions' directory as it is, in the template: to edit and import again."""
    if kind not in _kinds(request) or kind not in export.DIRECTORY:
        raise Http404
    rows = export.directory_rows(kind, actor=_me(request), language=current())
    return _file(report.template_xlsx(KINDS[kind].sheet, current(), rows), f"{kind}.xlsx", XLSX)


@login_required
@require_GET
@domain_errors
def batch(request: HttpRequest, batch_id: int) -> HttpResponse:
    """The dry run's report, the progress of a task, or the import's result."""
    found = selectors.batch_get(actor=_me(request), batch_id=batch_id)
    problems = export.problems_for_page(found, PAGE_ROWS)
    return render(request, "imports/batch.html", {"batch": found, "problems": problems})


@login_required
@require_POST
@domain_errors
def confirm(request: HttpRequest, batch_id: int) -> HttpResponse:
    found = selectors.batch_get(actor=_me(request), batch_id=batch_id)
    try:
        services.batch_confirm(actor=_me(request), batch=found)
    except ApplicationError as exc:
        return render(
            request,
            "imports/batch.html",
            {"batch": found, "refusal": exc.message},
            status=exc.status_code,
        )
    return redirect("imports:batch", batch_id=found.pk)


@login_required
@require_GET
@domain_errors
def report_view(request: HttpRequest, batch_id: int) -> HttpResponse:
    found = selectors.batch_get(actor=_me(request), batch_id=batch_id)
    return _file(report.problems_xlsx(found), f"report-{found.pk}.xlsx", XLSX)

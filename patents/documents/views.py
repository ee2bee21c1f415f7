"""Documents: upload on the matter page, the file itself (as an attachment), page images, the review queue.

Each view parses input, calls one service (``patents.documents.service``) and renders or redirects. Every
query goes through ``Document.objects.visible_to`` / ``Matter.objects.visible_to``: another client's
document is a 404 like any other page of theirs.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from ..dates import format_date, parse_date_input
from ..models import Document, EventType, Matter
from . import storage
from .service import (
    LOW_CONFIDENCE,
    FileRefused,
    Proposal,
    accept_document,
    read_again,
    receive_document,
    reject_document,
)

# Nothing the browser gets from these views may run: no script, no plugin, no same-origin access.
SANDBOX = "sandbox; default-src 'none'"


def _visible(request: HttpRequest):
    return Document.objects.visible_to(request.user)


@login_required
@require_POST
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    matter = get_object_or_404(Matter.objects.visible_to(request.user), pk=pk)
    if not request.user.has_perm("patents.add_document"):
        raise PermissionDenied("you may not upload documents")
    files = request.FILES.getlist("files")
    if not files:
        messages.error(request, "Choose one or more files to upload.")
    elif len(files) > settings.DOCUMENT_MAX_FILES_PER_UPLOAD:
        messages.error(request, f"{len(files)} files at once; the limit is {settings.DOCUMENT_MAX_FILES_PER_UPLOAD} "
                                "(DOCUMENT_MAX_FILES_PER_UPLOAD). Nothing was uploaded.")
        files = []
    for upload in files:
        name = upload.name or "file"
        try:
            storage.check_size(name, upload.size or 0, max_bytes=settings.DOCUMENT_MAX_BYTES)
            received = receive_document(data=upload.read(), filename=name, user=request.user, matter=matter,
                                        read_later=True)
        except FileRefused as exc:
            messages.error(request, f"Not uploaded: {exc}.")
            continue
        if received.created:
            messages.success(request, f"{received.message}; it is being read and will wait in the review queue.")
        else:
            messages.warning(request, f"{received.message}.")
    return redirect(f"{matter.get_absolute_url()}#documents")


def _secured(response: HttpResponseBase) -> HttpResponseBase:
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def document_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The stored file, always as a download: a PDF is never rendered in the page by the browser's viewer."""
    document = get_object_or_404(_visible(request), pk=pk)
    name = f"document-{document.pk}{storage.EXTENSIONS.get(document.content_type, ('.bin',))[0]}"
    # Streamed from the private storage, never loaded whole into the web process.
    response = FileResponse(storage.document_storage().open(document.storage_name, "rb"), as_attachment=True,
                            filename=name, content_type=document.content_type)
    return _secured(response)


@login_required
@require_GET
def document_page(request: HttpRequest, pk: int, page: int) -> HttpResponseBase:
    """One page as a PNG for the review page (rendered from the stored file, never from the user's browser)."""
    from .reading import DocumentRefused, render_page_png

    document = get_object_or_404(_visible(request), pk=pk)
    if not document.pages or not 1 <= page <= document.pages:
        raise Http404("no such page")
    try:
        png = render_page_png(storage.read_bytes(document.storage_name), page, filename=document.file_name)
    except DocumentRefused:
        raise Http404("this page cannot be shown")
    return _secured(HttpResponse(png, content_type="image/png"))


@login_required
@require_GET
def document_queue(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    documents = _visible(request).select_related("matter", "uploaded_by", "decided_by").defer("reading")
    if status == "open":
        documents = documents.waiting_for_review()
    elif status != "all":
        documents = documents.filter(status=status)
    return render(request, "patents/review/documents.html", {
        "documents": list(documents.order_by("-received_at", "-pk")[:200]),
        "status": status,
        "statuses": [("open", "Waiting for review"), *Document.Status.choices, ("all", "All")],
        "can_decide": request.user.has_perm("patents.change_document"),
    })


def _fields(document: Document) -> list[dict]:
    out = []
    for name, field in ((document.extraction or {}).get("fields") or {}).items():
        if field.get("value") is None and name in ("period_days", "references"):
            continue  # optional, and not stated in this document
        out.append({
            "name": name.removeprefix("date:").replace("_", " ") + (" date" if name.startswith("date:") else ""),
            "value": field.get("value"), "confidence": field.get("confidence") or 0.0,
            # Not found at all is shown as such ("—"); found but unsure is highlighted for checking.
            "low": field.get("value") is not None and (field.get("confidence") or 0.0) < LOW_CONFIDENCE,
            "evidence": field.get("evidence") or {},
        })
    return out


@login_required
@require_GET
def document_review(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_object_or_404(_visible(request).select_related("matter", "event", "decided_by"), pk=pk)
    try:
        proposal: Proposal | None = Proposal.of(document)
    except ValidationError:
        proposal = None
    page = request.GET.get("page", "")
    shown = int(page) if page.isdigit() else (proposal.page if proposal and proposal.page else 1)
    shown = min(max(shown, 1), document.pages or 1)
    matters = Matter.objects.visible_to(request.user)
    office = document.matter.office if document.matter else None
    return render(request, "patents/review/document.html", {
        "document": document,
        "proposal": proposal,
        "fields": _fields(document),
        "warnings": (document.extraction or {}).get("warnings") or [],
        "page": shown,
        "pages": range(1, (document.pages or 0) + 1),
        "text": next((p.get("text", "") for p in (document.reading or {}).get("pages", []) if p.get("number") == shown),
                     ""),
        "event_types": EventType.objects.filter(internal=False, **({"office": office} if office else {}))
        .order_by("office", "code"),
        "matters": [] if document.matter else list(matters.order_by("reference")[:500]),
        "low": LOW_CONFIDENCE,
        "can_decide": request.user.has_perm("patents.change_document"),
    })


@login_required
@require_POST
def document_decide(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_object_or_404(_visible(request), pk=pk)
    action = request.POST.get("action", "")
    note = request.POST.get("note", "")
    try:
        if action == "accept":
            raw = request.POST.get("matter", "")
            matter = (Matter.objects.visible_to(request.user).filter(pk=raw).first() if raw.isdigit() else None)
            if raw and matter is None:
                raise ValidationError("choose one of your matters")
            corrections = {k: request.POST.get(k, "") for k in ("code", "date", "period_months")}
            # Typed in the reviewer's date format (or ISO); the service reads ISO.
            typed = parse_date_input(corrections["date"])
            corrections["date"] = typed.isoformat() if typed else ""
            event = accept_document(document=document, user=request.user, corrections=corrections, matter=matter,
                                    note=note)
            messages.success(request, f"Document {document.pk} accepted: {event.event_type.code} of "
                                      f"{format_date(event.date)} recorded on {event.matter.reference}; its deadlines "
                                      "follow.")
            return redirect(f"{event.matter.get_absolute_url()}#documents")
        if action == "reject":
            reject_document(document=document, user=request.user, reason=note)
            messages.success(request, f"Document {document.pk} rejected; nothing was recorded.")
            return redirect("patents:document-queue")
        messages.error(request, "Choose accept or reject.")
    except PermissionDenied as exc:
        messages.error(request, str(exc) or "You may not decide this document.")
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    return redirect("patents:document-review", pk=document.pk)


@login_required
@require_POST
def document_read_again(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue the reading anew (a reading that failed, a refused file, nothing recognised)."""
    document = get_object_or_404(_visible(request), pk=pk)
    try:
        read_again(document=document, user=request.user)
        messages.success(request, f"Document {document.pk} is being read again; it will wait in the review queue.")
    except PermissionDenied as exc:
        messages.error(request, str(exc) or "You may not send this document to be read again.")
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    return redirect("patents:document-review", pk=document.pk)

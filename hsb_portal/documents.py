"""PDF documents: a record rendered to PDF bytes, and those bytes stored or sent safely.

``render_pdf`` turns a template under ``templates/documents/`` into a tagged PDF (PDF/UA-1)
with "OFFICIAL-SENSITIVE", "Page N of M" and who generated it on every page. The renderer may
read only the portal's own static files: ``StaticFilesOnlyFetcher`` refuses every other
resource (other hosts, cloud metadata addresses, ``file:`` and ``data:`` URLs), so a document
can never make the server fetch anything (security.md, V1.3.6 and V13.2.4).

``write_pdf_atomically`` stores bytes under a generated name, whole or not at all, and
``pdf_response`` sends them as a download that is never cached (V5.3.2, V5.4.1, V14.3.2).
"""

import hashlib
import logging
import mimetypes
import os
import posixpath
import re
import tempfile
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from hsb_portal.accounts.models import User

logger = logging.getLogger(__name__)

# Relative URLs in a document resolve against this origin. ".invalid" never resolves in DNS
# (RFC 6761), so even a fetch that slipped past the allow-list could reach no one.
DOCUMENT_ORIGIN = "https://documents.hsb-portal.invalid"
STATIC_SUFFIXES = frozenset({".css", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".woff2", ".ttf"})
PDF_MAGIC = b"%PDF-"
# Tagged, with the document's language and title: what screen readers need (security.md,
# "PDFs tagged, pdfua 0 errors"). WeasyPrint 70 sets PDF 1.7 and pdf_tags for this variant.
PDF_VARIANT = "pdf/ua-1"
FILENAME_PREFIX = re.compile(r"^[a-z][a-z0-9-]{0,39}$")
EXPORT_FAILED_MESSAGE = "The export failed. Try again."


class DocumentFailed(Exception):
    """The PDF could not be made or stored. Show ``EXPORT_FAILED_MESSAGE``; nothing was kept."""


class RefusedFetch(ValueError):
    """A resource outside the static allow-list. WeasyPrint logs it and leaves it out."""


class StaticFilesOnlyFetcher(URLFetcher):
    """WeasyPrint's URL fetcher, allowed to read only our own static files, from disk.

    ``/static/<path>`` on ``DOCUMENT_ORIGIN`` is found through the staticfiles finders and
    read; every other URL is refused without opening anything. What was asked for and what
    was served are kept, so a test (or an incident review) can see both.
    """

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("https",), allow_redirects=False, timeout=1)
        self.requested: list[str] = []
        self.served: list[str] = []

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse:
        self.requested.append(url)
        found = static_file_for(url)
        if found is None:
            logger.warning("PDF renderer refused a resource outside the static allow-list")
            raise RefusedFetch("Documents may use only the portal's own static files")
        content_type = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
        body = found.read_bytes()
        self.served.append(url)
        return URLFetcherResponse(url, body=body, headers={"Content-Type": content_type})


def static_file_for(url: str) -> Path | None:
    """The static file ``url`` names on ``DOCUMENT_ORIGIN``, or None if it names anything else."""
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != DOCUMENT_ORIGIN or parts.query:
        return None
    if not parts.path.startswith(settings.STATIC_URL):
        return None
    relative = unquote(parts.path[len(settings.STATIC_URL) :])
    if (
        not relative
        or relative != posixpath.normpath(relative)
        or relative.startswith(("/", ".."))
        or "\\" in relative
        or "\x00" in relative
        or PurePosixPath(relative).suffix.lower() not in STATIC_SUFFIXES
    ):
        return None
    try:
        found = finders.find(relative)
    except SuspiciousFileOperation:
        return None
    return Path(found) if isinstance(found, str) and Path(found).is_file() else None


def html_to_pdf(html: str, *, fetcher: StaticFilesOnlyFetcher | None = None) -> bytes:
    """Lay out ``html`` as a tagged PDF, fetching nothing but our static files."""
    document = HTML(
        string=html,
        base_url=f"{DOCUMENT_ORIGIN}/",
        url_fetcher=fetcher or StaticFilesOnlyFetcher(),
    )
    try:
        data = document.write_pdf(pdf_variant=PDF_VARIANT)
    except Exception as error:
        raise DocumentFailed("WeasyPrint could not lay out the document") from error
    if not isinstance(data, bytes) or not data.startswith(PDF_MAGIC):
        raise DocumentFailed("WeasyPrint returned something that is not a PDF")
    return data


def render_pdf(
    *, template_name: str, context: Mapping[str, Any], generated_by: User, title: str
) -> bytes:
    """Render ``template_name`` (which extends ``documents/base.html``) to PDF bytes.

    The context is autoescaped like any page, so text people typed comes out as text.
    """
    html = render_to_string(
        template_name,
        {
            **context,
            "document_title": title,
            "generated_by": generated_by.full_name or generated_by.email,
            "generated_at": timezone.localtime(),
        },
    )
    return html_to_pdf(html)


@dataclass(frozen=True)
class StoredDocument:
    path: Path
    sha256: str
    size: int


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stored:
        for block in iter(lambda: stored.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def _is_served(directory: Path) -> bool:
    served = [Path(settings.STATIC_ROOT), *(Path(d) for d in settings.STATICFILES_DIRS)]
    resolved = directory.resolve()
    return any(resolved.is_relative_to(root.resolve()) for root in served)


def write_pdf_atomically(
    data: bytes, directory: Path, *, filename_prefix: str = "minutes"
) -> StoredDocument:
    """Store a PDF as ``<prefix>-<uuid>.pdf`` in ``directory``, whole or not at all.

    The bytes go to a temporary file in the same directory, are flushed to disk, read back
    and checked (size and SHA-256), and only then renamed into place; ``os.replace`` within one
    directory is atomic. On any failure the temporary file is removed, so no half-written or
    orphan file is ever left (security.md, "When PDF generation fails").
    """
    if not FILENAME_PREFIX.match(filename_prefix):
        raise ValueError(f"Not a safe file name prefix: {filename_prefix!r}")
    if not data.startswith(PDF_MAGIC):
        raise DocumentFailed("Refusing to store something that is not a PDF")
    if _is_served(directory):
        # Stored documents reach people only through a view that checks access (V5.4.1).
        raise DocumentFailed("Refusing to store a document where the web server serves files")
    expected = hashlib.sha256(data).hexdigest()
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".partial-", suffix=".pdf")
    partial = Path(temporary)
    try:
        with os.fdopen(handle, "wb") as stored:
            stored.write(data)
            stored.flush()
            os.fsync(stored.fileno())
        size = partial.stat().st_size
        if size != len(data) or _sha256_of(partial) != expected:
            raise DocumentFailed("The stored document does not match what was rendered")
        final = directory / f"{filename_prefix}-{uuid.uuid4()}.pdf"
        os.replace(partial, final)
        _fsync_directory(directory)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return StoredDocument(path=final, sha256=expected, size=size)


def _fsync_directory(directory: Path) -> None:
    # The rename is durable only once the directory entry itself is on disk.
    handle = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def store_pdf(
    *,
    template_name: str,
    context: Mapping[str, Any],
    generated_by: User,
    title: str,
    directory: Path,
    filename_prefix: str,
) -> StoredDocument:
    """Render a document and store it; if either step fails, nothing is left in ``directory``."""
    data = render_pdf(
        template_name=template_name, context=context, generated_by=generated_by, title=title
    )
    return write_pdf_atomically(data, directory, filename_prefix=filename_prefix)


def pdf_response(data: bytes, *, filename_prefix: str) -> HttpResponse:
    """Send PDF bytes as a download named ``<prefix>-<uuid>.pdf``, never cached (V5.3.2)."""
    if not FILENAME_PREFIX.match(filename_prefix):
        raise ValueError(f"Not a safe file name prefix: {filename_prefix!r}")
    response = HttpResponse(data, content_type="application/pdf")
    filename = f"{filename_prefix}-{uuid.uuid4()}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response

"""Where document bytes live: the private ``documents`` storage, and what a file is, judged from its bytes.

The storage is Django's (``settings.STORAGES["documents"]``), looked up on every use so that a test or a
deployment can point it elsewhere. Files are named by their SHA-256: the same bytes are kept once, whichever
clients have a document of them (a document row per client and file, see ``service.same_file``; the bytes are
never served but through a row the user may see).
"""

from __future__ import annotations

import hashlib
from pathlib import PurePath

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages

# Magic numbers of the four accepted formats. The name a file was uploaded under decides nothing.
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)
EXTENSIONS = {
    "application/pdf": (".pdf",),
    "image/tiff": (".tif", ".tiff"),
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg", ".jpe"),
}
LABELS = {"application/pdf": "a PDF", "image/tiff": "a TIFF image", "image/png": "a PNG image",
          "image/jpeg": "a JPEG image"}


class FileRefused(ValueError):
    """The file is not taken in at all (wrong type, too large, empty): a clear reason, nothing stored."""


def sniff(data: bytes) -> str | None:
    """The content type the bytes are (PDF, TIFF, PNG or JPEG), or None. A PDF may start after a little junk
    (the PDF specification lets readers look in the first 1024 bytes)."""
    for magic, content_type in SIGNATURES:
        if data.startswith(magic):
            return content_type
    if b"%PDF-" in data[:1024]:
        return "application/pdf"
    return None


def check_file(data: bytes, *, filename: str, max_bytes: int) -> str:
    """The sniffed content type of an acceptable file; ``FileRefused`` with the reason otherwise."""
    name = PurePath(filename).name or "the file"
    if not data:
        raise FileRefused(f"{name} is empty")
    check_size(name, len(data), max_bytes=max_bytes)
    content_type = sniff(data)
    if content_type is None:
        raise FileRefused(f"{name} is not a PDF, TIFF, PNG or JPEG file (judged from its content, not its name)")
    suffix = PurePath(name).suffix.lower()
    claimed = next((t for t, suffixes in EXTENSIONS.items() if suffix in suffixes), None)
    if suffix and claimed != content_type:
        # A name that says one thing and bytes that say another is how disguised files arrive; the sender
        # must look at it, not us guessing which one is right.
        raise FileRefused(f"{name} is named {suffix} but its content is {LABELS[content_type]}: "
                          f"rename it to {EXTENSIONS[content_type][0]} if that is right, then upload it again")
    return content_type


def check_size(name: str, size: int, *, max_bytes: int) -> None:
    if size > max_bytes:
        raise FileRefused(f"{name} is {size / 1024 / 1024:.1f} MB; the limit is {max_bytes / 1024 / 1024:.1f} MB "
                          "(DOCUMENT_MAX_BYTES)")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def document_storage() -> Storage:
    return storages["documents"]


def storage_name(digest: str, content_type: str) -> str:
    return f"documents/{digest[:2]}/{digest}{EXTENSIONS[content_type][0]}"


def store_bytes(data: bytes, *, digest: str, content_type: str) -> tuple[str, bool]:
    """Save the bytes under their hash (kept as is when already there): the storage name, and whether this
    call wrote them (bytes already there may belong to another client's document: never discard those)."""
    storage = document_storage()
    name = storage_name(digest, content_type)
    if storage.exists(name):
        with storage.open(name, "rb") as existing:
            if sha256(existing.read()) == digest:
                return name, False
        storage.delete(name)  # a partial write of an earlier crash: replace it
    saved = storage.save(name, ContentFile(data))
    return saved, True


def read_bytes(name: str) -> bytes:
    with document_storage().open(name, "rb") as handle:
        return handle.read()


def discard(name: str) -> None:
    storage = document_storage()
    if name and storage.exists(name):
        storage.delete(name)

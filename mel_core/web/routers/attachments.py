"""``/attachments/{id}``: an attached file, downloaded (never shown inline), to those who may see what it belongs
to; and the list of a programme's, evaluation's or lesson's files that their pages and JSON twins show."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse
from sqlmodel import Session

from mel_core.access import Viewer, may_attach
from mel_core.attachments import stored_file
from mel_core.attachments.files import ascii_name, kind_of_media
from mel_core.attachments.record import Target, attachment, listed_attachments
from mel_core.limits import Limits
from mel_core.store import Attachment
from mel_core.web.deps import db, portal, require

router = APIRouter(tags=["attachments"])


def download_name(row: Attachment) -> str:
    """A file name for the download, ASCII only (diacritics dropped) and ending in the file's own kind."""
    return ascii_name(row.file_name, kind_of_media(row.media_type), f"attachment-{row.id}")


def attachment_list(session: Session, viewer: Viewer, entity: str, key: str) -> list[dict[str, Any]]:
    """The files of one programme, evaluation or lesson that ``viewer`` may see, as pages show them."""
    return [
        {**a, "url": f"/attachments/{a['id']}"}
        for a in listed_attachments(session, viewer, Target(entity, key))
    ]


def attach_form(
    viewer: Viewer, entity: str, *, author: str | None = None, status: str | None = None
) -> dict[str, Any]:
    """What a page says about attaching a file to it: whether ``viewer`` may (:func:`mel_core.access.may_attach`)
    and, if so, the largest file taken."""
    if not may_attach(viewer, entity, author=author, status=status):
        return {"can_attach": False}
    return {"can_attach": True, "attach_limit_bytes": Limits.from_environment().attachment_bytes}


@router.get("/attachments/{attachment_id}", include_in_schema=False)
def download(
    attachment_id: int,
    request: Request,
    viewer: Viewer = Depends(require("browse")),
    session: Session = Depends(db),
) -> FileResponse:
    """An attached file as a download (never shown inline), of its own media type; 404 when the viewer may not
    see it."""
    row = attachment(session, viewer, attachment_id)
    if row is None:
        raise HTTPException(status_code=404)
    path = stored_file(portal(request).settings.home, row)
    if not path.is_file():
        raise HTTPException(status_code=404)
    name = download_name(row)
    return FileResponse(
        path,
        media_type=row.media_type,
        # X-Content-Type-Options: nosniff is on every response (mel_core.web.security.HEADERS)
        headers={
            "Content-Disposition": f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(row.file_name)}"
        },
    )

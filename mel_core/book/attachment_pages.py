"""The book's pages about attached files: the page that lists them all by what they belong to, a page per file
(web edition) with its text, which the book's search finds, and the lists on lesson and evaluation pages.

The files themselves are copied into the book's source (:attr:`BookAttachment.copy`) and linked from the pages:
a link to a local file that is not a page is a download for MyST, which Sphinx copies to ``html/_downloads``,
so the website carries them and works offline. Everything shown is escaped by :mod:`mel_core.book.myst`.
"""

from __future__ import annotations

from mel_core.book import myst
from mel_core.book.common import docname
from mel_core.book.content import BookAttachment, BookContent
from mel_core.i18n import t

#: The order of the groups on the attachments page.
ENTITIES = ("programme", "evaluation", "lesson")


def page_name(attachment: BookAttachment) -> str:
    """The docname of an attachment's own page (web edition)."""
    return f"attachments/a{attachment.id}"


def size_text(size: int) -> str:
    """A file's size as a reader reads it: ``12 KB``, ``3.4 MB``."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def _owner(attachment: BookAttachment, lang: str) -> str:
    return attachment.owner if lang == "vi" else attachment.owner_en


def _download(attachment: BookAttachment, prefix: str) -> str:
    """A link that downloads the file (a local file that is not a page), named by the copy's safe name."""
    return f"[{myst.inline(attachment.file_name)}]({prefix}{attachment.copy})"


def _facts(attachment: BookAttachment) -> str:
    return myst.inline(f"{attachment.kind.upper()}, {size_text(attachment.size)}")


def attachment_items(
    attachments: list[BookAttachment], lang: str, prefix: str, web: bool = True
) -> list[str]:
    """A Markdown list of files: the title (linking to the file's page on the web), the download and its size.
    ``prefix`` leads from the page that holds the list to the book's root (``../../`` from a lesson page)."""
    lines = []
    for a in attachments:
        if web:
            title = f"[{myst.inline(a.title)}]({prefix}{page_name(a)}.md)"
            lines.append(f"- {title} · {_download(a, prefix)} ({_facts(a)})")
        else:
            lines.append(f"- {myst.inline(a.title)} ({myst.inline(a.file_name)}, {_facts(a)})")
    return lines


def attachments_section(
    attachments: list[BookAttachment], lang: str, prefix: str, level: int = 2
) -> list[str]:
    """The "Attachments" section of a lesson's or an evaluation's page (nothing when there are none)."""
    if not attachments:
        return []
    return [
        f"{'#' * level} {myst.inline(t('book.attachments', lang))}",
        "",
        *attachment_items(attachments, lang, prefix),
        "",
    ]


def _owner_link(attachment: BookAttachment, lang: str, content: BookContent, prefix: str) -> str:
    """What a file belongs to, linked to its page when the book has one."""
    name = myst.inline(_owner(attachment, lang))
    if attachment.entity == "lesson":
        return f"[{name}]({prefix}lessons/all/{attachment.key}.md)"
    if attachment.entity == "evaluation" and any(e.code == attachment.key for e in content.evaluations):
        return f"[{name}]({prefix}evaluations/{docname(attachment.key)}.ipynb)"
    return name


def attachments_page(content: BookContent, lang: str, web: bool) -> str:
    """Every file the book carries, grouped by programme, evaluation and lesson."""
    lines = [
        f"# {myst.inline(t('book.attachments', lang))}",
        "",
        myst.inline(t("book.attachments_intro", lang)),
        "",
    ]
    for entity in ENTITIES:
        mine = [a for a in content.attachments if a.entity == entity]
        if not mine:
            continue
        lines += [f"## {myst.inline(t(f'book.attachments_of_{entity}', lang))}", ""]
        owners: dict[str, list[BookAttachment]] = {}
        for a in mine:
            owners.setdefault(a.key, []).append(a)
        for group in sorted(owners.values(), key=lambda g: (_owner(g[0], lang).casefold(), g[0].key)):
            owner = _owner_link(group[0], lang, content, "") if web else myst.inline(_owner(group[0], lang))
            lines += [f"### {owner}", "", *attachment_items(group, lang, "", web), ""]
    return "\n".join(lines)


def attachment_page(attachment: BookAttachment, lang: str, content: BookContent) -> str:
    """One file's page (web edition, out of the navigation): what it is and belongs to, the download, and the
    text read from it, personal details blanked out, so that the book's search finds the file by its words."""
    lines = [f"# {myst.inline(attachment.title)}", ""]
    lines += [
        f"**{myst.inline(t('book.belongs_to', lang))}:** {_owner_link(attachment, lang, content, '../')}",
        "",
        f"**{myst.inline(t('book.download', lang))}:** {_download(attachment, '../')} ({_facts(attachment)})",
        "",
    ]
    if attachment.note:
        lines += [f"*{myst.inline(attachment.note)}*", ""]
    if attachment.text:
        lines += [f"## {myst.inline(t('book.attachment_text', lang))}", ""]
        # one paragraph per line of the file: its words stay text (escaped), whatever they spell
        for line in attachment.text.splitlines():
            if paragraph := myst.inline(line):
                lines += [paragraph, ""]
    lines += ["---", "", f"[{myst.inline(t('book.attachments', lang))}](../attachments.md)", ""]
    return "---\norphan: true\n---\n" + "\n".join(lines)

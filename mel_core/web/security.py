"""The portal's web security: signed cookies, CSRF tokens, response headers and safe Markdown.

- Cookies are signed with HMAC-SHA-256 under the portal's shared secret (kept in the store, so every process
  signs alike); a cookie whose signature does not match is ignored.
- A CSRF token is an HMAC of what binds a browser: its session token when signed in, else a random
  ``mel_csrf`` cookie. Every unsafe request (POST …) must send it as the form field ``csrf_token`` or the
  header ``X-CSRF-Token``; a cross-site page can read neither the cookie nor the token.
- Every response carries :data:`CSP` (no inline script or style, nothing from another origin) and the usual
  hardening headers.
- Lesson text is Markdown rendered by markdown-it-py with raw HTML off, then sanitised by nh3 (an allow-list
  of tags and attributes; ``javascript:`` and other schemes dropped from links).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from html import escape

import nh3
from markdown_it import MarkdownIt

#: The Content-Security-Policy of every page: scripts, styles, images and fonts from the portal only.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self';"
    " connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
#: The policy of an executed notebook's HTML (served as a document of its own): no script runs at all (``sandbox``
#: without ``allow-scripts``, ``default-src 'none'``). nbconvert writes the notebook's styles inline; they are
#: allowed here, and only here: a sandboxed document with no script and no network cannot use a style to act.
NOTEBOOK_CSP = (
    "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:;"
    " frame-ancestors 'none'"
)
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}

SESSION_COOKIE = "mel_session"
CSRF_COOKIE = "mel_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
LANG_COOKIE = "mel_lang"


def _mac(secret: str, purpose: str, value: str) -> str:
    return hmac.new(secret.encode(), f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def sign(secret: str, value: str) -> str:
    """``value`` with its signature appended (``value.signature``)."""
    return f"{value}.{_mac(secret, 'cookie', value)}"


def unsign(secret: str, signed: str | None) -> str | None:
    """The value of a signed cookie, or None when it is missing or its signature is wrong."""
    if not signed or "." not in signed:
        return None
    value, _, mac = signed.rpartition(".")
    return value if hmac.compare_digest(mac, _mac(secret, "cookie", value)) else None


def csrf_token(secret: str, binding: str) -> str:
    """The CSRF token of a browser bound by ``binding`` (its session token or its ``mel_csrf`` cookie)."""
    return _mac(secret, "csrf", binding)


def csrf_valid(secret: str, binding: str | None, sent: str | None) -> bool:
    """Whether ``sent`` is the CSRF token of ``binding``."""
    if not binding or not sent:
        return False
    return hmac.compare_digest(sent, csrf_token(secret, binding))


_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")
ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
    "hr",
    "h3",
    "h4",
    "h5",
    "h6",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}


#: Text with nothing Markdown would read as markup: letters, digits, spaces and plain punctuation, no line
#: indented or ending in a space, no line opening a list or a heading. Most sections of a lesson are such
#: paragraphs; they skip markdown-it's 30-odd rules (a property test holds both paths to the same output).
_PLAIN = re.compile(r"(?:[^\W_]|[ \n.,;:()%'\"/?–—…]|(?<=[^\W_.,;:)%'\"?–—…])-(?=[^\W_]))*", re.UNICODE)
#: What makes a text not :data:`_PLAIN`, searched for instead of matching every character against the plain
#: ones (one character class scanned in C, where the alternation is tried per character): a character that is
#: neither a letter or digit nor plain punctuation nor a hyphen, and a hyphen not between two letters or digits.
_NOT_PLAIN_CHAR = re.compile(r"[^\w \n.,;:()%'\"/?–—…-]|_")
_NOT_PLAIN_HYPHEN = re.compile(r"-(?:(?<![^\W_]-)|(?![^\W_]))")
_PLAIN_LINE_START = re.compile(r"^(?:[ \t]|\d+[.)]|[-+*#>=])", re.MULTILINE)


def is_plain(text: str) -> bool:
    """Whether every character of ``text`` is one that :data:`_PLAIN` admits (the same answer, found faster)."""
    return not _NOT_PLAIN_CHAR.search(text) and ("-" not in text or not _NOT_PLAIN_HYPHEN.search(text))


def _plain_paragraphs(text: str) -> str | None:
    """The safe HTML of plain paragraphs, as markdown-it then nh3 give it, or None when ``text`` may hold Markdown.

    Plain text holds no ``&``, ``<`` or ``>`` (``_PLAIN``), so the paragraphs' text is their HTML: nh3 would find
    only ``<p>`` and text to keep, and writes quotes as they are (escaping them too would change no meaning).
    """
    if not is_plain(text) or _PLAIN_LINE_START.search(text) or " \n" in text or text.endswith(" "):
        return None
    blocks = [b for b in re.split(r"\n{2,}", text.strip("\n")) if b]
    return "".join(f"<p>{escape(block, quote=False)}</p>\n" for block in blocks)


def render_markdown(text: str) -> str:
    """Markdown as safe HTML: raw HTML in the text is shown as text, then nh3 keeps only allowed markup."""
    text = text or ""
    plain = _plain_paragraphs(text)
    if plain is not None:  # already what nh3 would give (the property tests hold both paths to the same HTML)
        return plain
    return nh3.clean(
        _markdown.render(text),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )

"""Enterprise figures leave the store only as aggregates over enough enterprises.

An enterprise's turnover, exports, markets, customers and contracts are commercial data. A public output
(reports, the book, the portal's pages for anonymous visitors, the search index) may show a total only when it
adds up the figures of at least ``MEL_ENTERPRISE_MIN_COUNT`` enterprises (default 3, the usual threshold rule of
statistical disclosure control); a smaller cell is suppressed and marked, never shown. Activity counts rest on
no enterprise's figures and are always shown.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace

from mel_core.errors import ConfigurationError
from mel_core.i18n import message
from mel_core.trade.indicators import Figure

SETTING = "MEL_ENTERPRISE_MIN_COUNT"
DEFAULT = 3


def minimum(environ: Mapping[str, str] | None = None) -> int:
    """The fewest enterprises a published total may add up (``MEL_ENTERPRISE_MIN_COUNT``, default 3)."""
    env = os.environ if environ is None else environ
    text = env.get(SETTING, "").strip()
    if not text:
        return DEFAULT
    if not text.isdigit() or int(text) < 2:
        raise ConfigurationError(
            message("trade.disclosure.give_whole_number_least", setting=SETTING, text=text),
            hint=message("trade.disclosure.unset_default_set_3", setting=SETTING, default=DEFAULT),
        )
    return int(text)


def shown(figure: Figure, least: int | None = None) -> Figure:
    """``figure`` as a public output may show it: its value, or None when it rests on the figures of fewer
    than ``least`` enterprises (but at least one)."""
    least = minimum() if least is None else least
    if is_suppressed(figure, least):
        return replace(figure, value=None, by_type={})
    return figure


def is_suppressed(figure: Figure, least: int | None = None) -> bool:
    """True when ``figure`` adds up the figures of between 1 and ``least`` - 1 enterprises."""
    least = minimum() if least is None else least
    return figure.enterprises is not None and 0 < figure.enterprises < least


def suppressed_text(least: int | None = None) -> str:
    """The mark of a suppressed cell, in both languages."""
    n = minimum() if least is None else least
    return message("trade.disclosure.suppressed_fewer_than_enterprises", n=n)

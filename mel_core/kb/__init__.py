"""The searchable knowledge base: an index (Whoosh, under MEL_HOME) built from the store, and search.

Whoosh stays behind this package's small interface:

- :func:`mel_core.kb.index.build_index`, :func:`~mel_core.kb.index.update_index`,
  :func:`~mel_core.kb.index.update_lessons` write the index from the store (they never write the store);
- :func:`mel_core.kb.search.search` with :class:`~mel_core.kb.facets.Filters` reads it;
- :mod:`mel_core.kb.analysis` (the words of a text) and :mod:`mel_core.kb.glossary` (kb/glossary.yml) are
  shared with the book.
"""

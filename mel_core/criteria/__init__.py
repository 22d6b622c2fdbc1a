"""The evaluation criteria: one module per criterion, each a pure function over data read from the store.

Relevance, coherence, effectiveness, efficiency, impact and sustainability (Decree 131/2006/NĐ-CP and OECD-DAC),
and the synthesis. Each ``assess(data, portfolio, lang=…)`` returns a :class:`~mel_core.criteria.result.CriterionResult`
(scores, findings with their evidence, recommendations, tables); :mod:`mel_core.criteria.ratings` turns the scores
into a rating by documented, versioned rules. ``assess`` composes two halves tested apart: the module's ``score``
(figures and components, no words: a :class:`~mel_core.criteria.result.Scored`) and the ``findings`` of its
``*_text`` module (those figures worded in English or Vietnamese). The notebooks in ``notebooks/templates/``
call these functions; no analysis lives only in a notebook, and nothing here imports the runner.
"""

"""Evaluations: the template registry, the Papermill runner, and what notebooks use to show and emit results.

``mel_core.evaluations.notebook`` runs inside the kernel (it reads the store and displays); the runner
(``mel_core.evaluations.runner``) runs notebooks and writes their results to the store. Criteria never import
either.
"""

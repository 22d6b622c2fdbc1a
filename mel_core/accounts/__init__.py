"""Accounts of the portal: users and roles, passwords (Argon2id), signed-in sessions and the sign-in throttle.

Everything lives in the store (:mod:`mel_core.store.accounts`), never in a process's memory, so every
``mel serve`` process sees the same users, sessions and failed attempts. What a role may see and do is decided
in :mod:`mel_core.access`, not here.
"""

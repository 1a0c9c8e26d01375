"""The outcome log: every module that owns SQLite (``db``) or works on its rows.

Redaction, the replies sent and their outcomes, weekly figures, exports, users and tokens.
"""

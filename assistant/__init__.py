"""Reply assistant for e-commerce support agents.

Modules in reading order. The engine (pure: no SQLite, web or CLI), the flow of one complaint:

- ``config``      Settings (defaults, environment) and paths.
- ``errors``      the small exception family.
- ``taxonomy``    intents, escalation reasons, outcome results and their labels.
- ``normalize``   NFKC, Traditional to Simplified, noise folding, jieba segmentation.
- ``library``     load and validate the reply library under ``replies/``; lint.
- ``evidence``    hand-written recognition: keywords, patterns, rapidfuzz over example phrasings.
- ``model``       learned recognition: the trained intent and escalation models (``model.npz``).
- ``match``       combine both into ranked intents; praise and plain questions.
- ``escalate``    reasons to take a complaint offline, with evidence and action.
- ``draft``       fill templates from the complaint; offline invitation first.
- ``sincerity``   score any reply for hollow, evasive or non-compliant wording.
- ``engine``      ``Engine.suggest()`` calls the stages in order.
- ``evaluate``    accuracy and latency figures on a labelled file.
- ``triage``      batch reading, severity ranking and writing for the morning backlog.
- ``train``       ``assistant train``: fit the models (scikit-learn).

The log (owns SQLite): ``redact``, ``db``, ``outcomes``, ``stats``, ``export``, ``auth``.

The service the shells share: ``replying`` (suggest with history, log the reply sent, outcomes)
and ``reporting`` (weekly figures, exports, the library's use).

The shells: ``app``, ``deps`` and ``rendering`` (the web frame), ``api``, ``pages``,
``pages_lead``, and ``cli`` (the ``assistant`` command).
"""

__version__ = "0.1.0"

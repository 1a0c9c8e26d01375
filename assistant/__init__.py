"""Reply assistant for e-commerce support agents.

Modules in reading order (the flow of one complaint):

- ``config``      Settings (defaults, environment) and paths.
- ``errors``      the small exception family.
- ``taxonomy``    intents, escalation reasons, outcome results and their labels.
- ``normalize``   NFKC, Traditional to Simplified, noise folding, jieba segmentation.
- ``library``     load and validate the reply library under ``replies/``.
- ``match``       fuzzy intent matching (keywords + rapidfuzz over example phrasings).
- ``escalate``    reasons to take a complaint offline, with evidence and action.
- ``draft``       fill templates from the complaint; offline invitation first.
- ``sincerity``   score any reply for hollow, evasive or non-compliant wording.
- ``engine``      ``Engine.suggest()`` calls the stages in order.
- ``evaluate``    accuracy and latency figures on a labelled file.
- ``triage``      batch reading, severity ranking and writing for the morning backlog.
- ``replying``    the shells' service for agents: suggest with history, log the reply sent, outcomes.
- ``reporting``   the shells' service for leads: weekly figures, exports, the library's use.
- ``cli``         the ``assistant`` command.
"""

__version__ = "0.1.0"

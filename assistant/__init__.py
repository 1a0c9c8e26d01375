"""Reply assistant for e-commerce support agents.

The package in reading order (each part one folder, the shared and service modules beside them).

Shared by every layer, so kept at the top level: ``config`` (Settings and paths), ``errors`` (the
small exception family), ``taxonomy`` (intents, escalation reasons, outcome results and their labels).

``engine/``, pure (no SQLite, web or CLI), the flow of one complaint:

- ``normalize``   NFKC, Traditional to Simplified, noise folding, jieba segmentation.
- ``pii``         personal numbers (ID, bank card, phone): never an order number; the log masks them.
- ``library``     the reply library's data model: templates, keywords, placeholders.
- ``yamlfile``    line-aware YAML, so every error in ``replies/`` names its line.
- ``load``        read and validate the reply library under ``replies/``.
- ``policy``      ``policy.yaml`` read, and every template checked against it when the library loads.
- ``lint``        ``assistant lint``: each template's rendered text checked.
- ``evidence``    hand-written recognition: keywords, patterns, rapidfuzz over example phrasings.
- ``model``       learned recognition: the trained intent and escalation models (``model.npz``).
- ``match``       combine both into ranked intents; praise and plain questions.
- ``escalate``    reasons to take a complaint offline, with evidence and action.
- ``fields``      what the complaint names (order number, own name, regulator) and every placeholder's value.
- ``quote``       the complaint's own words a draft quotes as ``{{ issue }}``.
- ``draft``       pick and fill templates for the recognised intents; offline invitation first.
- ``sincerity``   score any reply for hollow, evasive or non-compliant wording.
- ``core``        ``Engine.suggest()`` calls the stages in order.
- ``evaluate``    accuracy and latency figures on a labelled file.
- ``triage``      batch reading, severity ranking and writing for the morning backlog.
- ``train``       ``assistant train``: fit the models (scikit-learn).
- ``selection``   what training chooses on out-of-fold predictions: weights, prior correction, thresholds.

``log/``, the only modules that run SQL: ``redact``, ``db``, ``shown`` (what was shown, the agent's verdict; no SQL),
``sent`` (the replies sent, as shown), ``outcomes`` (what happened to them), ``history`` (the reads), ``worksheet``
(我的回复's sheet out and back), ``stats``, ``readable`` (an export's columns and Chinese names; no SQL), ``export``,
``backlog`` (批量分拣's kept results), ``auth``.

The services the shells share: ``replying`` (suggest with history, log the reply sent, outcomes)
and ``reporting`` (the week's overview and trend, the library's use).

``web/``, the web shell: ``app``, ``serving``, ``deps`` and ``rendering`` (the web frame), ``messages``
(Chinese wording), ``api``, and the pages by family: ``pages`` (sign in, 我的账号, 帮助), ``pages_compose``
(写回复), ``pages_backlog`` (我的回复), ``pages_triage`` (批量分拣), ``pages_lead`` (数据统计, 模板库, 账号管理).

``cli/``, the ``assistant`` command, its commands by what they work on: ``drafts``, ``model``, ``service``,
``users`` (with ``common`` options).
"""

__version__ = "0.1.0"

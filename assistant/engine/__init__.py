"""The engine: pure recognition and drafting (no SQLite, web or CLI). ``core.Engine.suggest()`` calls the stages in order.

Modules are imported by their full path (``from assistant.engine.core import Engine``); this file imports
nothing, so loading one stage (``lint`` for ``assistant lint``) does not load the others.
"""

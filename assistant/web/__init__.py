"""The web shell: the FastAPI app (``app.create_app``), its dependencies and rendering, the JSON API and the HTML pages.

Templates and vendored assets live outside the package, in the repository's ``web/templates`` and ``web/static``.
"""

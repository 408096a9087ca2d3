"""Notebook runs, batches and the reports folder (``runner``, ``batch``, ``layout``, ``index``,
``browser``, ``kernel``).

Importing nbformat imports jsonschema, whose format checkers import ``rfc3987_syntax`` when it
is installed (JupyterLab's dependencies install it): it builds a grammar at import, over a
second on a busy machine, for the ``iri`` format that no notebook schema uses. The runs layer
imports jsonschema without it (``quick_jsonschema``); the module stays importable later.
"""

from __future__ import annotations

SLOW_FORMAT_MODULE = "rfc3987_syntax"
# Run in a kernel before its first import, for the same reason (``analysis.runs.kernel``).
QUICK_JSONSCHEMA_CODE = (
    "import sys as _sys\n"
    f"_blocked = {SLOW_FORMAT_MODULE!r} not in _sys.modules\n"
    f"if _blocked: _sys.modules[{SLOW_FORMAT_MODULE!r}] = None\n"
    "try:\n"
    "    import jsonschema\n"
    "except ImportError:\n"
    "    pass\n"
    f"if _blocked and _sys.modules.get({SLOW_FORMAT_MODULE!r}, 0) is None:\n"
    f"    del _sys.modules[{SLOW_FORMAT_MODULE!r}]\n"
    "del _sys, _blocked\n"
)


def quick_jsonschema() -> None:
    """Import jsonschema without the ``iri`` format checker's slow module."""
    exec(QUICK_JSONSCHEMA_CODE, {})


quick_jsonschema()

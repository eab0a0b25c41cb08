"""Lets the pips that Heroku's old releases shipped (1.5.6 to 9.0.x) import on Python 3.11.

Only names the standard library dropped since are put back (collections' ABC aliases,
the `symbol` module, platform.linux_distribution/dist, importlib._bootstrap's loaders);
pip's own code runs unchanged. Used by tests/pip_eras/run_pip.py through PYTHONPATH.
"""

import collections
import collections.abc
import importlib._bootstrap  # type: ignore[import-not-found]
import importlib.machinery
import platform
import sys
import types

for _name in (
    "Mapping",
    "MutableMapping",
    "Sequence",
    "Iterable",
    "Callable",
    "Set",
    "MutableSet",
    "Hashable",
):
    setattr(collections, _name, getattr(collections.abc, _name))
sys.modules.setdefault("symbol", types.ModuleType("symbol"))
for _name in ("linux_distribution", "dist"):
    if not hasattr(platform, _name):
        setattr(platform, _name, lambda *args, **kwargs: ("", "", ""))
for _name in ("FileFinder", "SourceFileLoader", "SourcelessFileLoader", "ExtensionFileLoader"):
    if not hasattr(importlib._bootstrap, _name):
        setattr(importlib._bootstrap, _name, getattr(importlib.machinery, _name))

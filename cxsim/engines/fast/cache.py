"""Keep numba's on-disk cache honest for the fast engine, and know whether it is compiled.

numba decides whether a cached function is stale from *its own* source file only. The fast
engine's entry points are compiled together with everything they call (the loop, the kernels,
the tallies), so an edit to a callee would leave a stale compiled engine in the cache. Before the
engine is imported, this hashes every source file it is built from and, when the hash changed
since the cache was written, drops cxsim's cached numba code (it is rebuilt on the next run).

After a run has compiled (or loaded) the engine, a second stamp records that the cache holds
code for these sources, so the command line can say "compiling…" exactly when it will.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2]  # the cxsim folder
SOURCES = ("engines/fast/*.py", "kernels/*.py", "tallies.py", "records.py", "codes.py", "layouts.py", "minutes.py",
           "streams.py", "quality_table.py")
STAMP = PACKAGE / "engines" / "fast" / "__pycache__" / "sources.sha1"
COMPILED = STAMP.with_name("compiled.sha1")


@lru_cache(maxsize=1)
def sources_digest() -> str:
    digest = hashlib.sha1()
    for pattern in SOURCES:
        for path in sorted(PACKAGE.glob(pattern)):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def refresh() -> None:
    """Drop cached numba code compiled from other sources than the ones installed now."""
    try:
        digest = sources_digest()
        if STAMP.exists() and STAMP.read_text() == digest:
            return
        for cached in list(PACKAGE.rglob("*.nbi")) + list(PACKAGE.rglob("*.nbc")):
            cached.unlink(missing_ok=True)
        COMPILED.unlink(missing_ok=True)
        STAMP.parent.mkdir(exist_ok=True)
        STAMP.write_text(digest)
    except OSError:  # a read-only installation: numba caches elsewhere or not at all
        pass


def is_compiled() -> bool:
    """Whether numba's cache holds the engine compiled from the sources installed now."""
    try:
        return COMPILED.read_text() == sources_digest()
    except OSError:
        return False


def mark_compiled() -> None:
    try:
        if not is_compiled():
            COMPILED.parent.mkdir(exist_ok=True)
            COMPILED.write_text(sources_digest())
    except OSError:
        pass

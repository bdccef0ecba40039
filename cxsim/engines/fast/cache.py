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
import os
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


def load_blas_alone() -> None:
    """Load SciPy's ``cython_blas`` (the BLAS that numba's compiled code calls) without the rest of
    ``scipy.linalg``.

    The first compiled call of a process (loading the engine from the cache included) installs
    numba's implementations, and one of them checks that BLAS is there by importing
    ``scipy.linalg.cython_blas``: Python imports the whole ``scipy.linalg`` package first, 0.15–0.2 s
    of every run's start-up, for one extension module that needs none of it (it imports nothing).
    Loaded here by itself, the module is the same one numba would have found (numba's ``np.dot``
    and the like call through it as before), and a later ``import scipy.linalg`` finds it in
    ``sys.modules``. Anything unexpected (another SciPy layout) leaves numba to import it its way.
    """
    import sys

    name = "scipy.linalg.cython_blas"
    if name in sys.modules or "scipy.linalg" in sys.modules:
        return
    try:
        import importlib.machinery
        import importlib.util

        import scipy

        folder = Path(scipy.__file__).parent / "linalg"
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            path = folder / f"cython_blas{suffix}"
            if path.exists():
                break
        else:
            return
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            return
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[name]
            raise
    except Exception:  # noqa: BLE001 - numba imports it the usual way
        return


def load_without_registries() -> None:
    """Load cxsim's compiled functions from numba's cache without first installing every numba
    implementation (the "registries": ~0.2 s of CPU, most of a tiny run's time in numba).

    numba's ``Cache.load_overload`` refreshes the target context before it loads a cached function;
    the refresh imports and installs the implementations of everything numba can compile (arrays,
    linear algebra, random numbers, typed containers, ...), which only *compiling* needs: code
    loaded from the cache is already machine code. Loading needs numba's runtime (NRT, initialised
    here) and the symbols the compiled code links to (numba's C helpers are installed when numba is
    imported; the hash secrets, installed with ``numba.cpython.hashing``, are installed here too).
    A compile still refreshes everything (numba's compiler does it itself), and functions outside
    cxsim load the usual way. Anything unexpected (a numba without these internals, a load that
    raises) falls back to numba's own method; ``CXSIM_NUMBA_FULL_LOAD=1`` turns the shortcut off.
    """
    try:
        from numba.core import caching
        from numba.core.runtime import rtsys
    except ImportError:
        return
    original = caching.Cache.load_overload
    if getattr(original, "cxsim_lean", False) or os.environ.get("CXSIM_NUMBA_FULL_LOAD"):
        return
    # numba internals this relies on (checked, not assumed: another numba version keeps numba's own way)
    if not all(hasattr(caching.Cache, name) for name in ("_load_overload", "_guard_against_spurious_io_errors")):
        return

    def load_overload(self, sig, target_context):
        if not str(getattr(self._py_func, "__module__", "")).startswith("cxsim."):
            return original(self, sig, target_context)
        try:
            rtsys.initialize(target_context)
            import numba.cpython.hashing  # noqa: F401  (the hash secrets' symbols)
            with self._guard_against_spurious_io_errors():
                return self._load_overload(sig, target_context)
        except Exception:  # noqa: BLE001 - numba's own load (registries first), as without this
            return original(self, sig, target_context)

    load_overload.cxsim_lean = True
    caching.Cache.load_overload = load_overload

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
from contextlib import contextmanager
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


def import_numba_without_yaml() -> None:
    """Import numba without PyYAML when there is no numba config file for it to read.

    numba imports PyYAML when it is imported (~0.02 s of every run's start-up) only to read a
    ``.numba_config.yaml`` in the current folder. Without such a file, numba is imported here with
    ``import yaml`` failing for the moment (numba then reads its settings from the environment, as it
    does anyway); with one, or once numba or PyYAML is imported, numba is imported the usual way.
    Other modules can import PyYAML afterwards as usual.
    """
    import sys

    if "numba" in sys.modules or "yaml" in sys.modules or os.path.exists(".numba_config.yaml"):
        return
    sys.modules["yaml"] = None  # type: ignore[assignment]  (Python's marker for "import yaml fails")
    try:
        import numba  # noqa: F401
    finally:
        if "yaml" in sys.modules and sys.modules["yaml"] is None:
            del sys.modules["yaml"]


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
            with self._guard_against_spurious_io_errors(), _lean_unpickling():
                return self._load_overload(sig, target_context)
        except Exception:  # noqa: BLE001 - numba's own load (registries first), as without this
            return original(self, sig, target_context)

    load_overload.cxsim_lean = True
    caching.Cache.load_overload = load_overload


@contextmanager
def _lean_unpickling():
    """While a cxsim function is unpickled from numba's cache, skip two things only a compile needs.

    - The library's *bitcode* (kept beside its machine code so that other functions can inline it):
      numba parses it (a 14 MB engine: ~0.11 s) and lists its symbols (~0.03 s) at every load. It is
      parsed here only if some compile asks to link the library; the entry point's address comes
      from the machine code, which is loaded as before.
    - The *environments* of numba's own implementations (``np.empty``, sorting, random numbers...):
      numba imports their modules to give each environment the module's globals, which only
      object-mode code reads (~0.06 s of imports: ``numba.np.arrayobj``, ``numba.cpython.unicode``,
      ``numpy.ma``...). A module not imported yet gets an environment with just its name.
    Everything is put back afterwards; anything unexpected raises, and the caller falls back to
    numba's own load.
    """
    import sys

    import llvmlite.binding as ll
    from numba.core import codegen, environment, itanium_mangler

    unserialize, rebuild_env = codegen.CPUCodeLibrary.__dict__["_unserialize"], environment._rebuild_env
    wrapper = itanium_mangler.PREFIX + "N" + itanium_mangler.mangle_identifier("cpython")  # funcdesc's wrapper name

    def lean_unserialize(cls, codegen_, state):
        name, kind, data = state
        if kind != "object":
            return unserialize.__func__(cls, codegen_, state)
        object_code, shared_bitcode = data
        library = codegen_.create_library(name)
        library.enable_object_caching()
        library._set_compiled_object(object_code)
        library._finalize_final_module()
        engine = codegen_._engine
        own = library.get_pointer_to_function

        def module_for_linking():
            if library._shared_module is None:
                library._shared_module = ll.parse_bitcode(shared_bitcode)
                engine._load_defined_symbols(library._shared_module)
            return library._shared_module

        def pointer_to_function(symbol: str) -> int:
            if symbol.startswith(wrapper):  # the entry point's Python wrapper: defined in every library
                library._ensure_finalized()
                return engine.get_function_address(symbol)
            module_for_linking()  # anything else: numba's own check, on the listed symbols
            return own(symbol)

        library._get_module_for_linking = module_for_linking
        library.get_pointer_to_function = pointer_to_function
        return library

    def lean_rebuild_env(modname, consts, env_name):
        if modname in sys.modules or environment.lookup_environment(env_name) is not None:
            return rebuild_env(modname, consts, env_name)
        env = environment.Environment({"__name__": modname})
        env.consts[:] = consts
        env.env_name = env_name
        environment.Environment._memo[env_name] = env
        return env

    codegen.CPUCodeLibrary._unserialize = classmethod(lean_unserialize)
    environment._rebuild_env = lean_rebuild_env
    try:
        yield
    finally:
        codegen.CPUCodeLibrary._unserialize = unserialize
        environment._rebuild_env = rebuild_env

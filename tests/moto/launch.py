#!/usr/bin/env python3
"""Start moto's server for the cognito-mfa test suite.

Usage: launch.py -H 127.0.0.1 -p PORT   (the arguments of ``moto.server.main``)

Two things differ from a plain ``moto_server``:

1. One monkeypatch of moto's cognito-idp backend (moto 5.2.x). moto builds the MFA_SETUP
   challenge with ``ChallengeParameters = {"MFAS_CAN_SETUP": ["SOFTWARE_TOKEN_MFA"]}``, so the
   wire carries a JSON *array*. In the service model ChallengeParameters is a map of string to
   string, and real Cognito sends the list as JSON text inside a string
   (``"MFAS_CAN_SETUP": "[\\"SOFTWARE_TOKEN_MFA\\"]"``). The Rust SDK rightly refuses the array,
   so the patch turns that one list into its compact JSON text. Nothing else is changed.

   The patch finds, by reading moto's source, every function of ``moto.cognitoidp`` that builds
   ``MFAS_CAN_SETUP`` and wraps each of them (they are methods of ``CognitoIdpBackend`` that
   return the response dict). If none is found, or one is somewhere the wrapper can't reach,
   the launcher exits non-zero with a message instead of serving the unpatched behaviour: a
   moto upgrade can't silently undo the patch. If a future moto sends a string already, the
   wrapper leaves it as it is.

2. The server exits by itself when the process that started it dies. A Rust test binary never
   drops its statics, so the server shared by one test binary would otherwise outlive it.
"""

import ast
import functools
import importlib
import inspect
import json
import os
import sys
import threading
import time

# moto checks TOTP codes only with this set; otherwise any code passes. The Rust side sets it
# too; it must be in the environment before moto reads it.
os.environ.setdefault("MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP", "true")

PATCH_KEY = "MFAS_CAN_SETUP"


def fail(message):
    sys.stderr.write(f"cognito-mfa moto launcher: {message}\n")
    sys.stderr.flush()
    sys.exit(2)


def _functions_building_key(module, key):
    """Names (``Class.method`` or ``function``) of the functions in module's source that
    contain the string literal key."""
    try:
        tree = ast.parse(inspect.getsource(module))
    except (OSError, TypeError, SyntaxError) as error:
        fail(f"cannot read the source of {module.__name__}: {error}")

    found = set()

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                visit(child, prefix + [child.name])
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                mentions = any(
                    isinstance(n, ast.Constant) and n.value == key for n in ast.walk(child)
                )
                if mentions:
                    found.add(".".join(prefix + [child.name]))
            else:
                visit(child, prefix)

    visit(tree, [])
    return found


def _stringify_mfas_can_setup(result):
    """The response dict with a list-valued ChallengeParameters["MFAS_CAN_SETUP"] replaced by
    its compact JSON text (Cognito's form); anything else is returned unchanged."""
    if not isinstance(result, dict):
        return result
    params = result.get("ChallengeParameters")
    if not isinstance(params, dict):
        return result
    value = params.get(PATCH_KEY)
    if not isinstance(value, (list, tuple)):
        return result
    patched_params = dict(params)
    patched_params[PATCH_KEY] = json.dumps(list(value), separators=(",", ":"))
    patched = dict(result)
    patched["ChallengeParameters"] = patched_params
    return patched


def _wrap(original):
    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        return _stringify_mfas_can_setup(original(*args, **kwargs))

    return wrapper


def patch_moto():
    try:
        import moto
        from moto.cognitoidp import models
    except ImportError as error:
        fail(f"cannot import moto's cognito-idp ({error}); install moto[server]==5.2.1")

    targets = set()
    for module_name in ("models", "responses", "utils"):
        try:
            module = importlib.import_module(f"moto.cognitoidp.{module_name}")
        except ImportError:
            continue
        for name in _functions_building_key(module, PATCH_KEY):
            targets.add((module, name))

    if not targets:
        fail(
            f"moto {moto.__version__}: no function of moto.cognitoidp builds {PATCH_KEY}; "
            "the MFA_SETUP patch has no target. Check tests/moto/launch.py against this moto."
        )

    backend_class = getattr(models, "CognitoIdpBackend", None)
    if backend_class is None:
        fail(f"moto {moto.__version__}: moto.cognitoidp.models.CognitoIdpBackend is gone")

    for module, name in sorted(targets, key=lambda t: (t[0].__name__, t[1])):
        if module is not models or not name.startswith("CognitoIdpBackend.") or name.count(".") != 1:
            fail(
                f"moto {moto.__version__}: {PATCH_KEY} is built in {module.__name__}.{name}, "
                "which the patch does not know how to wrap. Check tests/moto/launch.py."
            )
        method_name = name.split(".", 1)[1]
        original = backend_class.__dict__.get(method_name)
        if not callable(original):
            fail(f"moto {moto.__version__}: CognitoIdpBackend.{method_name} is not a method")

        setattr(backend_class, method_name, _wrap(original))

    # Prove the wrapper does what it says on moto's own list form.
    probe = _stringify_mfas_can_setup(
        {"ChallengeName": "MFA_SETUP", "ChallengeParameters": {PATCH_KEY: ["SOFTWARE_TOKEN_MFA"]}}
    )
    if probe["ChallengeParameters"][PATCH_KEY] != '["SOFTWARE_TOKEN_MFA"]':
        fail("the MFAS_CAN_SETUP patch self-check failed")

    return sorted(name for _, name in targets)


def exit_with_parent():
    """Exit the whole process (without cleanup: the server thread holds no state worth
    saving) as soon as the process that started us is gone."""
    parent = os.getppid()
    if parent == 1 or os.environ.get("COGNITO_MFA_MOTO_DETACH") == "1":
        return  # started detached on purpose; nothing to watch

    def watch():
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                # Say why: a person who started moto by hand from a shell
                # that has since gone sees the server vanish otherwise.
                sys.stderr.write(
                    f"launch.py: the process that started me ({parent}) is gone; "
                    "stopping moto (COGNITO_MFA_MOTO_DETACH=1 keeps it running)\n"
                )
                sys.stderr.flush()
                os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def main():
    exit_with_parent()
    patched = patch_moto()
    sys.stderr.write(
        "cognito-mfa moto launcher: MFAS_CAN_SETUP sent as a JSON string (patched "
        + ", ".join(patched)
        + ")\n"
    )
    sys.stderr.flush()

    from moto.server import main as moto_main

    moto_main(sys.argv[1:])


if __name__ == "__main__":
    main()

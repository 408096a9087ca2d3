"""Executing notebooks on a kernel kept warm across periods, with nbclient.

Starting a kernel and importing pandas, matplotlib, SQLAlchemy and the package take seconds;
a batch pays that once per worker process instead of once per period. Between two notebooks
the kernel's namespace is reset (``InteractiveShell.reset``), its figures closed, its working
folder moved to the new run's staging folder and its execution counter set back to 1, so a
notebook sees the same fresh state it would in a new kernel (only imported modules are
shared). A notebook that fails or times out has its kernel killed, and the next one gets a
new kernel: a failure can't leave state behind for another period.

The executed notebook is written once, at the end (papermill saved it after every cell), and
neither reading nor writing runs nbformat's JSON-schema validation (seconds on a large
notebook, plus the import of jsonschema's format checkers).
"""

from __future__ import annotations

import copy
import json
import os
import re
import time
from collections.abc import Mapping
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync

from analysis.errors import AnalysisError
from analysis.runs import QUICK_JSONSCHEMA_CODE
from analysis.source.urls import SCHEMA_ENV, URL_ENV

if TYPE_CHECKING:
    import nbformat

KERNEL = "session-analysis"
FALLBACK_KERNEL = "python3"
CELL_TIMEOUT_SECONDS = 600
START_TIMEOUT_SECONDS = 60
# Imported once per kernel as it starts (while the runner does its checks), so no notebook
# waits for them.
WARM_UP = QUICK_JSONSCHEMA_CODE + (
    "import matplotlib\n"
    "import matplotlib.pyplot\n"
    "import pandas\n"
    "import seaborn\n"
    "import analysis\n"
    "import analysis.investigation.collect\n"
    "import analysis.report.display, analysis.report.masking, analysis.report.plots\n"
    "import analysis.report.sections, analysis.report.root_causes\n"
    "import analysis.report.export\n"
)
# Back to a fresh namespace in ``folder`` (a JSON string literal), counting cells from 1.
RESET = (
    "get_ipython().reset(new_session=False)\n"
    "import os as _os\n"
    "_shell = get_ipython()\n"
    "import matplotlib.pyplot as _plt\n"
    "_plt.close('all')\n"
    "_os.chdir({folder})\n"
    "del _os\n"
    "_shell.execution_count = 1\n"
    # The inline backend draws each figure once to show it; pyplot's own post-execute hook
    # (installed with the first figure) drew it once more with Agg, for nothing.
    "_figure = _plt.figure()\n"
    "_plt.close(_figure)\n"
    "_hook = getattr(_plt, '_draw_all_if_interactive', None)\n"
    "if _hook in _shell.events.callbacks['post_execute']:\n"
    "    _shell.events.unregister('post_execute', _hook)\n"
    "del _shell, _plt, _figure, _hook\n"
)


class NotebookFailed(AnalysisError):
    """A notebook cell raised, or the notebook ran out of time; the message says which."""


def kernel_name() -> str:
    """The project's kernel when registered (``make setup``), else this interpreter's."""
    return KERNEL if KERNEL in KernelSpecManager().find_kernel_specs() else FALLBACK_KERNEL


def read_notebook(path: Path) -> nbformat.NotebookNode:
    """A version-4 notebook read without schema validation (older versions are converted)."""
    import nbformat

    text = Path(path).read_text(encoding="utf-8")
    if json.loads(text).get("nbformat") != 4:
        return nbformat.reads(text, as_version=4)
    return nbformat.v4.nbjson.reads(text)


def write_notebook(nb: nbformat.NotebookNode, path: Path) -> None:
    """Write ``nb`` as nbformat 4 JSON, without schema validation."""
    import nbformat

    Path(path).write_text(nbformat.v4.nbjson.writes(nb) + "\n", encoding="utf-8")


def kernel_database_env(url: str, schema: str | None) -> dict[str, str | None]:
    """The kernel's environment variables naming the database (None: unset): the URL reaches
    a notebook this way, never as a parameter."""
    return {URL_ENV: url, SCHEMA_ENV: schema}


def kernel_env(values: Mapping[str, str | None]) -> dict[str, str]:
    """This process's environment with ``values`` set (None: removed), for a kernel."""
    env = dict(os.environ)
    for name, value in values.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


class KernelSession:
    """One kernel, reused for notebook after notebook until it fails or ``close``.

    ``env`` is the kernel's environment on top of this process's (the database URL goes to
    the notebook this way, never as a parameter); a run with other ``env`` restarts it.
    ``warm`` imports the usual libraries as soon as the kernel is up.
    """

    def __init__(self, warm: bool = True) -> None:
        self.warm = warm
        self.manager: AsyncKernelManager | None = None
        self.client: Any = None
        self.env: dict[str, str | None] | None = None
        self.started = 0  # kernels started, for tests and logs

    @property
    def alive(self) -> bool:
        return self.manager is not None and bool(run_sync(self.manager.is_alive)())

    @property
    def pid(self) -> int | None:
        """The kernel's process id, while it runs."""
        provisioner = getattr(self.manager, "provisioner", None)
        process = getattr(provisioner, "process", None)
        return getattr(process, "pid", None)

    def start(self, env: Mapping[str, str | None], cwd: Path) -> None:
        """Launch a kernel in ``cwd`` with ``env`` (the previous one, if any, is killed); it
        imports ``WARM_UP`` as it starts. Returns at once: ``prepare`` waits for it."""
        self.kill()
        self.env = dict(env)
        manager = AsyncKernelManager(kernel_name=kernel_name())
        # The kernel app's own warnings (its TCP transport on localhost) are noise on stderr.
        # No command history: a runner's kernel has no use for it, and a notebook after the
        # first would print a history-session error when its counter goes back to 1.
        extra = ["--IPKernelApp.log_level=ERROR", "--HistoryManager.enabled=False"]
        extra += [f"--IPKernelApp.exec_lines=exec({WARM_UP!r})"] if self.warm else []
        # Held before it starts: an interrupt while the kernel spawns still finds it to kill.
        self.manager, self.client = manager, None
        run_sync(manager.start_kernel)(cwd=str(cwd), env=kernel_env(env), extra_arguments=extra)
        self.started += 1

    def _connect(self) -> None:
        """Wait until the launched kernel answers (its warm-up imports done)."""
        if self.client is not None:
            return
        assert self.manager is not None
        client = self.manager.client()
        client.start_channels()
        try:
            run_sync(client.wait_for_ready)(timeout=START_TIMEOUT_SECONDS)
        except BaseException:
            client.stop_channels()
            self.kill()
            raise
        client.allow_stdin = False
        self.client = client

    def _silent(self, code: str, timeout: float) -> None:
        """Run ``code`` in the kernel outside any notebook (no history, no counter)."""
        reply = run_sync(self.client.execute_interactive)(
            code, silent=True, store_history=False, timeout=timeout
        )
        if reply["content"]["status"] != "ok":
            content = reply["content"]
            raise RuntimeError(
                f"kernel set-up failed: {content.get('ename')}: {content.get('evalue')}"
            )

    def ready(self, env: Mapping[str, str | None], cwd: Path | None = None) -> None:
        """A running kernel with ``env``, its warm-up done (started if need be)."""
        if self.manager is None or self.env != dict(env) or not self.alive:
            self.start(env, cwd or Path.cwd())
        self._connect()

    def prepare(self, env: Mapping[str, str | None], cwd: Path) -> None:
        """A kernel with ``env`` and a fresh namespace, working in ``cwd`` (absolute: the
        kernel is in the previous notebook's folder, not this process's)."""
        self.ready(env, cwd)
        self._silent(RESET.format(folder=json.dumps(str(cwd))), START_TIMEOUT_SECONDS)

    def execute(
        self,
        nb: nbformat.NotebookNode,
        cwd: Path,
        env: Mapping[str, str | None],
        deadline: float | None = None,
        name: str = "notebook",
        limit: str = "its time limit",
    ) -> nbformat.NotebookNode:
        """Run every cell of ``nb`` (a copy is returned) in ``cwd``; by ``deadline``
        (``time.monotonic()``) when given. A failure kills the kernel and raises
        NotebookFailed naming the cell (its execution count) and the error."""
        # Imported here: the command line starts a kernel before anything heavy is imported.
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

        from analysis.source.engine import SOURCE_ERRORS

        nb = copy.deepcopy(nb)
        # Absolute: the kernel's working folder is the previous notebook's, not this process's.
        cwd = Path(cwd).absolute()
        try:
            self.prepare(env, cwd)
            runner = NotebookClient(
                nb,
                km=self.manager,
                kernel_name=kernel_name(),
                timeout=CELL_TIMEOUT_SECONDS,
                startup_timeout=START_TIMEOUT_SECONDS,
                resources={"metadata": {"path": str(cwd)}},
                allow_errors=False,
            )
            if deadline is not None:
                # nbclient asks before each cell how long it may take: what is left.
                runner.timeout_func = lambda _cell: max(1, int(deadline - time.monotonic()) + 1)
            runner.kc = self.client
            runner.execute()
            return nb
        except CellTimeoutError:
            self.kill()
            raise NotebookFailed(
                f"the notebook {name} did not finish within {limit}: raise --timeout, "
                "or split the range into shorter periods"
            ) from None
        except CellExecutionError as exc:
            self.kill()
            if exc.ename in SOURCE_ERRORS:  # a limit the user set, unreadable data: one line
                raise AnalysisError(str(exc.evalue)) from None
            disk = re.search(r"\[Errno (28|30|122)\] ([^:']+)", str(exc.evalue))
            if exc.ename in ("OSError", "PermissionError") and disk:
                # The report folder's disk, not the notebook: the runner says so.
                raise OSError(int(disk[1]), disk[2]) from None
            raise NotebookFailed(
                f"the notebook {name} failed in cell {_failed_cell(nb)}: {exc.ename}: {exc.evalue}"
            ) from None
        except DeadKernelError:
            self.kill()
            raise NotebookFailed(
                f"the kernel running {name} died (out of memory?): see the log"
            ) from None
        except BaseException:
            self.kill()
            raise

    def kill(self) -> None:
        """Stop the kernel at once (nothing to save in it)."""
        manager, client = self.manager, self.client
        self.manager = self.client = None
        if client is not None:
            with suppress(Exception):  # already gone
                client.stop_channels()
        if manager is not None and manager.has_kernel:
            with suppress(Exception):  # already dead: nothing left to stop
                run_sync(manager.shutdown_kernel)(now=True)

    close = kill

    def __enter__(self) -> KernelSession:
        return self

    def __exit__(self, *_: object) -> None:
        self.kill()


def _failed_cell(nb: nbformat.NotebookNode) -> object:
    """The execution count of the cell whose output is an error."""
    for cell in nb.cells:
        if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            return cell.get("execution_count")
    return "?"

"""Executed inside the sandbox: run a notebook with nbclient, survive errors, timeouts, crashes.

    python _run_kernel.py IN.ipynb OUT.ipynb CELL_TIMEOUT

Always writes OUT (the cells run so far). Exit status 0 when every cell ran (errors in cells
are recorded in their outputs, as nbgrader expects), 1 with a one-line reason on stdout when
the kernel died or could not start.
"""
import sys

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError


def main(source: str, target: str, cell_timeout: str) -> int:
    nb = nbformat.read(source, as_version=4)
    timeout = float(cell_timeout)
    client = NotebookClient(
        nb, timeout=timeout, allow_errors=True, interrupt_on_timeout=True, kernel_name="python3",
        record_timing=False,
        error_on_timeout={"ename": "CellTimeout", "evalue": f"cell ran over {timeout:g} s and was interrupted",
                          "traceback": [f"CellTimeout: cell ran over {timeout:g} s and was interrupted"]},
    )
    status = 0
    try:
        client.execute()
    except DeadKernelError:
        print("the kernel died (crash or exit) before the notebook finished")
        status = 1
    except CellTimeoutError:
        print(f"a cell ran over {cell_timeout} s and could not be interrupted")
        status = 1
    except Exception as error:  # noqa: BLE001 - whatever a submission does, report it in one line
        print(f"could not run the notebook: {type(error).__name__}: {error}".splitlines()[0])
        status = 1
    nbformat.write(nb, target)
    return status


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))

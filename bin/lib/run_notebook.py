"""Executes a notebook headless with parameters, papermill style, and writes the executed notebook
and its HTML export. Exits 1 if any cell produced an error output. Called by bin/run-notebook.

Parameters follow papermill's convention: a cell tagged "injected-parameters" is placed right after
the cell tagged "parameters" (or first, without one), replacing an earlier injected cell, and sets
each parameter with a Java assignment: `shots = 5;`, `name = "cub";`, `fast = true;`. A parameter
the parameters cell does not declare is refused (exit 2) before anything runs.
"""

import argparse
import json
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbconvert import HTMLExporter

INTEGER = re.compile(r"[-+]?\d+")
DECIMAL = re.compile(r"[-+]?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?")
# A Java declaration with an initialiser, `int shots = 5;` or `List<String> names = ...`: its name.
DECLARATION = re.compile(r"^\s*(?:final\s+)?[\w.<>\[\], ?]+?\s+([A-Za-z_$][\w$]*)\s*=", re.MULTILINE)


def resolve(text):
    """Returns a -p value as papermill reads it: a bool, an int, a float, or else the string."""
    if text in ("True", "true", "False", "false"):
        return text.lower() == "true"
    if INTEGER.fullmatch(text):
        return int(text)
    if DECIMAL.fullmatch(text):
        return float(text)
    return text


def java_literal(value):
    """Returns value as a Java literal: true/false, an int or long, a double, or a string."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value) if -(2**31) <= value < 2**31 else f"{value}L"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        # JSON string escapes (\", \\, \n, \uXXXX) are also Java string escapes.
        return json.dumps(value)
    raise ValueError(f"no Java literal for parameter value {value!r}")


def inject_parameters(nb, parameters):
    """Puts the injected-parameters cell after the parameters cell, replacing an old one."""
    nb.cells = [c for c in nb.cells if "injected-parameters" not in c.metadata.get("tags", [])]
    if not parameters:
        return
    lines = ["// Parameters"] + [f"{name} = {java_literal(v)};" for name, v in parameters.items()]
    cell = nbformat.v4.new_code_cell("\n".join(lines), metadata={"tags": ["injected-parameters"]})
    tagged = [i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])]
    nb.cells.insert(tagged[0] + 1 if tagged else 0, cell)


def declared_parameters(nb):
    """Returns the names the cells tagged "parameters" declare."""
    cells = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    return {name for c in cells for name in DECLARATION.findall(re.sub(r"//.*", "", c.source))}


def unknown_parameters_error(nb, parameters):
    """Returns a one-line error naming the parameters the notebook does not declare, or None."""
    declared = declared_parameters(nb)
    unknown = sorted(set(parameters) - declared)
    if not unknown:
        return None
    known = ", ".join(sorted(declared)) or "none (no cell is tagged parameters)"
    return f"unknown parameter {', '.join(unknown)}; the notebook's parameters are: {known}"


def error_outputs(nb):
    """Returns (cell index, error output) for every error output in the notebook."""
    return [
        (index, output)
        for index, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if output.output_type == "error"
    ]


def main():
    parser = argparse.ArgumentParser(
        prog="bin/run-notebook",
        description="Execute a notebook headless and write it, executed, as .ipynb and .html.",
    )
    parser.add_argument("notebook", type=Path)
    parser.add_argument(
        "output",
        type=Path,
        nargs="?",
        help="executed notebook (default: out/notebooks/NAME.ipynb); the HTML goes beside it",
    )
    parser.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="set a parameter; VALUE is read as a boolean, integer, double or else a string",
    )
    parser.add_argument(
        "-r",
        "--raw-parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="set a parameter to the string VALUE as is",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="apply the notebook's metadata.diffii.quick_parameters (CI's settings) first",
    )
    parser.add_argument("--kernel", help="kernel name (default: the notebook's kernelspec)")
    parser.add_argument(
        "--timeout", type=int, default=None, help="seconds a cell may run (default: no limit)"
    )
    args = parser.parse_args()

    nb = nbformat.read(args.notebook, as_version=4)
    parameters = {}
    if args.quick:
        parameters.update(nb.metadata.get("diffii", {}).get("quick_parameters", {}))
    parameters.update({name: resolve(value) for name, value in args.parameter})
    parameters.update({name: value for name, value in args.raw_parameter})
    # A misspelt name would become an assignment to an undeclared variable in a cell halfway down.
    unknown = unknown_parameters_error(nb, parameters)
    if unknown:
        print(f"bin/run-notebook: {args.notebook}: {unknown}", file=sys.stderr)
        return 2
    inject_parameters(nb, parameters)

    output = args.output or Path("out/notebooks") / args.notebook.name
    output.parent.mkdir(parents=True, exist_ok=True)
    client = NotebookClient(
        nb,
        kernel_name=args.kernel or nb.metadata.get("kernelspec", {}).get("name", ""),
        timeout=args.timeout,
        resources={"metadata": {"path": str(args.notebook.resolve().parent)}},
    )
    started = time.monotonic()
    failure = None
    try:
        client.execute()
    except CellExecutionError as error:
        failure = error
    finally:
        nbformat.write(nb, output)
        html, _ = HTMLExporter().from_notebook_node(nb)
        output.with_suffix(".html").write_text(html, encoding="utf-8")
    seconds = time.monotonic() - started

    errors = error_outputs(nb)
    for index, error in errors:
        print(f"{args.notebook}: cell {index} failed: {error.ename}: {error.evalue}", file=sys.stderr)
        for line in error.traceback:
            print(f"    {line}", file=sys.stderr)
    if failure is not None and not errors:
        print(f"{args.notebook}: {failure}", file=sys.stderr)
    status = "FAILED" if errors or failure else "ok"
    print(f"{args.notebook}: {status} in {seconds:.1f} s -> {output}, {output.with_suffix('.html')}")
    return 1 if errors or failure else 0


if __name__ == "__main__":
    sys.exit(main())

"""Tests of bin/run-notebook: parameters as Java literals, papermill's injected-parameters cell,
and headless runs on the installed "java" kernel that fail on any error output."""

import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

ROOT = Path(__file__).resolve().parents[4]
sys.path.insert(0, str(ROOT / "bin" / "lib"))

import run_notebook  # noqa: E402  (found through the path set above)


def java_notebook(*sources, parameters_cell=0):
    cells = [new_code_cell(source) for source in sources]
    cells[parameters_cell].metadata["tags"] = ["parameters"]
    return new_notebook(
        cells=cells,
        metadata={"kernelspec": {"name": "java", "display_name": "Java", "language": "java"}},
    )


class ParameterTests(unittest.TestCase):
    def test_values_become_java_literals(self):
        def literal(text):
            return run_notebook.java_literal(run_notebook.resolve(text))

        self.assertEqual(literal("5"), "5")
        self.assertEqual(literal("-3000000000"), "-3000000000L")
        self.assertEqual(literal("2.5"), "2.5")
        self.assertEqual(literal("1e-3"), "0.001")
        self.assertEqual(literal("True"), "true")
        self.assertEqual(literal("false"), "false")
        self.assertEqual(literal("cub"), '"cub"')
        self.assertEqual(literal('say "hi"\\now'), '"say \\"hi\\"\\\\now"')

    def test_injected_cell_follows_the_parameters_cell_and_replaces_an_old_one(self):
        nb = java_notebook("// intro", "int shots = 10;", "shots", parameters_cell=1)
        run_notebook.inject_parameters(nb, {"shots": 5})
        run_notebook.inject_parameters(nb, {"shots": 3, "name": "cub"})
        injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
        self.assertEqual(len(injected), 1)
        self.assertIs(nb.cells[2], injected[0])
        self.assertEqual(injected[0].source, '// Parameters\nshots = 3;\nname = "cub";')

    def test_parameters_the_notebook_does_not_declare_are_named(self):
        nb = java_notebook('// shots: how many\nint shots = 10;\nfinal String name = "a"; // x = 1', "shots")
        self.assertEqual(run_notebook.declared_parameters(nb), {"shots", "name"})
        self.assertIsNone(run_notebook.unknown_parameters_error(nb, {"shots": 5}))
        self.assertEqual(
            run_notebook.unknown_parameters_error(nb, {"shot": 5, "shots": 1}),
            "unknown parameter shot; the notebook's parameters are: name, shots",
        )

    def test_an_unknown_parameter_exits_2_with_one_line_before_anything_runs(self):
        folder = Path(tempfile.mkdtemp())
        source = folder / "in.ipynb"
        nbformat.write(java_notebook("int shots = 1;", "shots"), source)
        output = folder / "out.ipynb"
        done = subprocess.run(
            [str(ROOT / "bin" / "run-notebook"), str(source), str(output), "-p", "shot", "5"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        self.assertEqual(done.returncode, 2)
        self.assertEqual(len(done.stderr.strip().splitlines()), 1, done.stderr)
        self.assertIn("unknown parameter shot", done.stderr)
        self.assertFalse(output.exists())


class HeadlessRunTests(unittest.TestCase):
    def run_notebook(self, nb, *options):
        folder = Path(tempfile.mkdtemp())
        source = folder / "in.ipynb"
        nbformat.write(nb, source)
        output = folder / "out" / "run.ipynb"
        done = subprocess.run(
            [str(ROOT / "bin" / "run-notebook"), str(source), str(output), *options],
            capture_output=True,
            text=True,
            timeout=300,
        )
        self.assertTrue(output.exists(), done.stderr)
        self.assertTrue(output.with_suffix(".html").exists(), done.stderr)
        return done, nbformat.read(output, as_version=4)

    def test_parameters_reach_the_notebook(self):
        nb = java_notebook("int shots = 1;\ndouble scale = 1.0;", "shots * scale")
        done, executed = self.run_notebook(nb, "-p", "shots", "5", "-p", "scale", "2.5")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(executed.cells[-1].outputs[0].data["text/plain"], "12.5")

    def test_quick_parameters_come_from_the_notebook_metadata(self):
        nb = java_notebook("int shots = 1;", "shots")
        nb.metadata["diffii"] = {"quick_parameters": {"shots": 2}}
        done, executed = self.run_notebook(nb, "--quick")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(executed.cells[-1].outputs[0].data["text/plain"], "2")

    def test_an_error_output_fails_the_run_and_the_outputs_are_kept(self):
        nb = java_notebook("int shots = 1;", 'throw new IllegalStateException("broken");', "2")
        done, executed = self.run_notebook(nb)
        self.assertEqual(done.returncode, 1)
        self.assertIn("IllegalStateException: broken", done.stderr)
        self.assertEqual(executed.cells[1].outputs[0].output_type, "error")


if __name__ == "__main__":
    unittest.main()

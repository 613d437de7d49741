"""Protocol tests of the installed "java" kernel.

JavaKernelConformanceTests is Jupyter's own kernel conformance suite (jupyter_kernel_test) with
Java samples; JavaKernelBehaviourTests checks over the same protocol what notebooks rely on: a
failing cell keeps earlier state, an interrupt stops a long cell (a toolkit training loop within
5 s), 10 MB of printing is capped and does not hang, errors name the cell line, and charts,
images and tables render. Run by kernel/ci.sh after installing the kernel.
"""

import threading
import time
import unittest

import jupyter_kernel_test
from jupyter_client.manager import start_new_kernel

KERNEL_NAME = "java"
IMAGE = "new java.awt.image.BufferedImage(4, 4, java.awt.image.BufferedImage.TYPE_INT_RGB)"


class JavaKernelConformanceTests(jupyter_kernel_test.KernelTests):
    kernel_name = KERNEL_NAME
    language_name = "java"
    file_extension = ".jshell"

    code_hello_world = 'System.out.println("hello, world");'
    code_stderr = 'System.err.println("to stderr");'
    code_generate_error = 'throw new IllegalStateException("boom");'

    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": '"con" + "cat"', "result": "concat"},
        {"code": IMAGE, "mime": "image/png"},
    ]
    code_display_data = [
        {"code": f"display({IMAGE});", "mime": "image/png"},
        {
            "code": "display(tech.tablesaw.api.Table.create(\"t\","
            " tech.tablesaw.api.IntColumn.create(\"a\", 1, 2)));",
            "mime": "text/html",
        },
    ]

    complete_code_samples = ["int a = 1;", "System.out.println(1)", "void f() {}"]
    incomplete_code_samples = ["for (int i = 0; i < 3; i++) {", "int twice(int x) {", "1 +"]
    invalid_code_samples = ["int x = 1 +;", ")"]

    completion_samples = [
        {"text": "Integer.toHexS", "matches": {"toHexString("}},
        {"text": 'int unrelated = 1;\n"abc".toUpperC', "matches": {"toUpperCase("}},
    ]
    code_inspect_sample = "Math.abs"


class JavaKernelBehaviourTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.km, cls.kc = start_new_kernel(kernel_name=KERNEL_NAME, startup_timeout=120)

    @classmethod
    def tearDownClass(cls):
        cls.kc.stop_channels()
        cls.km.shutdown_kernel()

    def execute(self, code, interrupt_after=None):
        """Runs code; returns the reply content and the (type, content) of each output."""
        outputs = []

        def collect(msg):
            if msg["msg_type"] in ("stream", "error", "execute_result", "display_data"):
                outputs.append((msg["msg_type"], msg["content"]))

        if interrupt_after is not None:
            timer = threading.Timer(interrupt_after, self.km.interrupt_kernel)
            timer.start()
        reply = self.kc.execute_interactive(code, output_hook=collect, timeout=60)
        return reply["content"], outputs

    def result(self, code):
        reply, outputs = self.execute(code)
        self.assertEqual(reply["status"], "ok", outputs)
        results = [content["data"] for kind, content in outputs if kind == "execute_result"]
        self.assertEqual(len(results), 1, outputs)
        return results[0]

    def test_failing_cell_keeps_earlier_state(self):
        self.execute("int kept = 41;")
        reply, outputs = self.execute('kept++;\nthrow new RuntimeException("fails");')
        self.assertEqual(reply["status"], "error")
        self.assertEqual(self.result("kept + 1")["text/plain"], "43")

    def error(self, code):
        """Runs code that must fail; returns the content of its one error output."""
        reply, outputs = self.execute(code)
        self.assertEqual(reply["status"], "error")
        errors = [content for kind, content in outputs if kind == "error"]
        self.assertEqual(len(errors), 1, outputs)
        return errors[0]

    def test_error_shows_the_failing_cell_line(self):
        error = self.error('int ok = 1;\n\nthrow new IllegalStateException("boom");')
        traceback = "\n".join(error["traceback"])
        self.assertIn("java.lang.IllegalStateException: boom", traceback)
        self.assertIn('line 3: throw new IllegalStateException("boom");', traceback)

    def test_compile_error_shows_the_cell_line(self):
        error = self.error("int a = 1;\nint b = a + nope;")
        self.assertEqual(error["ename"], "CompilationException")
        self.assertIn("line 2: cannot find symbol", "\n".join(error["traceback"]))

    def test_interrupt_stops_a_long_cell(self):
        self.execute("int before = 7;")
        reply, outputs = self.execute("while (true) { before = 7; }", interrupt_after=1.0)
        self.assertEqual(reply["status"], "error")
        self.assertEqual(reply["ename"], "CellInterruptedException")
        self.assertEqual(self.result("before * 6")["text/plain"], "42")

    def test_interrupt_stops_a_toolkit_training_loop_within_five_seconds(self):
        self.execute("int earlier = 7;")
        code = (
            "var manager = ai.djl.ndarray.NDManager.newBaseManager();\n"
            "var w = manager.create(new float[] {1f, 2f});\n"
            'var sgd = new io.diffii.train.Sgd(Map.of("w", w), 0.9, 0);\n'
            'io.diffii.train.TrainingLoop.named("endless", Long.MAX_VALUE, 1)\n'
            '    .optimize("w", sgd, step -> 1e-3).quiet()\n'
            "    .run((step, rng, scope) -> w.square().sum());"
        )
        # Loading the PyTorch engine takes a few seconds; the interrupt lands in the loop.
        started = time.monotonic()
        reply, outputs = self.execute(code, interrupt_after=15.0)
        self.assertEqual(reply["ename"], "CellInterruptedException", outputs)
        self.assertLess(time.monotonic() - started, 15.0 + 5.0)
        self.assertEqual(self.result("earlier + w.toFloatArray().length")["text/plain"], "9")

    def test_ten_megabytes_of_output_are_capped_and_do_not_hang(self):
        started = time.monotonic()
        reply, outputs = self.execute(
            'for (int i = 0; i < 100_000; i++) {\n  System.out.println("x".repeat(99));\n}'
        )
        self.assertEqual(reply["status"], "ok")
        self.assertLess(time.monotonic() - started, 30.0)
        streams = [content for kind, content in outputs if kind == "stream"]
        self.assertLess(len(streams), 100)
        printed = sum(len(s["text"]) for s in streams if s["name"] == "stdout")
        self.assertLessEqual(printed, 1024 * 1024)
        notes = "".join(s["text"] for s in streams if s["name"] == "stderr")
        self.assertIn("output truncated", notes)
        self.assertEqual(self.result("1 + 1")["text/plain"], "2")

    def test_a_toolkit_error_shows_its_message_and_the_cell_line(self):
        error = self.error('int a = 1;\nio.diffii.train.TrainingLoop.named("empty", 0, 1);')
        traceback = "\n".join(error["traceback"])
        self.assertIn("a training run needs at least one step, got 0", traceback)
        self.assertIn('line 2: io.diffii.train.TrainingLoop.named("empty", 0, 1);', traceback)
        self.assertNotIn("jdk.internal.reflect", traceback)

    def test_chart_value_is_a_png(self):
        data = self.result(
            "var chart = new org.knowm.xchart.XYChartBuilder().width(300).height(200).build();\n"
            'chart.addSeries("s", new double[] {0, 1, 2}, new double[] {0, 1, 4});\n'
            "chart"
        )
        self.assertTrue(data["image/png"].startswith("iVBORw0KGgo"))  # the PNG signature
        self.assertIn("text/plain", data)

    def test_table_value_is_html_with_text(self):
        data = self.result(
            'tech.tablesaw.api.Table.create("t", tech.tablesaw.api.DoubleColumn.create("x", 0.5))'
        )
        self.assertIn("<table", data["text/html"])
        self.assertIn("x", data["text/plain"])

    def test_toolkit_is_on_the_classpath(self):
        data = self.result('Class.forName("io.diffii.nn.NamedBlock").getSimpleName()')
        self.assertEqual(data["text/plain"], "NamedBlock")


if __name__ == "__main__":
    unittest.main()

"""notebooks/lab.py's check(): what a student sees for each kind of answer,
and that a teacher's solution that no longer matches the run fails loudly.

  lab_check_test.py BUILD_DIR
"""

import contextlib
import importlib
import io
import json
import os
import sys
import tempfile
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
os.environ["ETCETERA_BUILD"] = sys.argv.pop(1) if len(sys.argv) > 1 else str(ROOT / "build")
sys.path.insert(0, str(ROOT / "notebooks"))


def load_lab(solutions=None):
    os.environ.pop("ETCETERA_LAB_SOLUTIONS", None)
    if solutions is not None:
        path = Path(tempfile.mkdtemp()) / "solutions.json"
        path.write_text(json.dumps(solutions))
        os.environ["ETCETERA_LAB_SOLUTIONS"] = str(path)
    import lab
    return importlib.reload(lab)


def printed(call):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        call()
    return out.getvalue()


class CheckTest(unittest.TestCase):
    def test_a_student_is_told_right_not_quite_or_not_answered(self):
        lab = load_lab()
        self.assertIn("right (3)", printed(lambda: lab.check("1.1", 3, 3)))
        self.assertIn("not quite: 4", printed(lambda: lab.check("1.1", 4, 3)))
        self.assertIn("not answered yet", printed(lambda: lab.check("1.1", ..., 3)))

    def test_answers_compare_loosely_where_a_student_would_expect(self):
        lab = load_lab()
        self.assertIn("right", printed(lambda: lab.check("q", " Yes", "yes")))
        self.assertIn("right", printed(lambda: lab.check("q", [1, 2], (1, 2))))
        self.assertIn("right", printed(lambda: lab.check("q", 0.9, 0.89, tolerance=0.02)))
        self.assertIn("not quite", printed(lambda: lab.check("q", 0.8, 0.89, tolerance=0.02)))
        self.assertIn("not quite", printed(lambda: lab.check("q", "many", 0.89, tolerance=0.02)))

    def test_the_teachers_solution_fills_a_blank_and_must_match_the_run(self):
        lab = load_lab({"1.1": 3})
        self.assertIn("right (3)", printed(lambda: lab.check("1.1", ..., 3)))
        with self.assertRaises(AssertionError):
            lab.check("1.1", ..., 4)
        with self.assertRaises(KeyError):
            lab.check("9.9", ..., 1)

    def test_the_module_comes_with_it(self):
        lab = load_lab()
        self.assertTrue(hasattr(lab.et, "Cluster"))


if __name__ == "__main__":
    unittest.main(verbosity=1)

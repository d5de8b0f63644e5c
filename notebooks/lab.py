"""What every lab notebook shares: the etcetera module, answer checks, pictures.

A notebook starts with `from lab import et, check, show`. `et` is the etcetera
module, found in the build tree (../build/python, or $ETCETERA_BUILD/python).

Answers. A question cell holds `answer_N = ...`; the student replaces the `...`.
The next cell calls check("N", answer_N, expected), where `expected` is usually
computed from the run just made, so it is right for whatever the student changed.
check() says whether the answer is right and never stops the notebook.

Teachers and the test suite set ETCETERA_LAB_SOLUTIONS to a JSON file of
answers (notebooks/solutions.json): every answer left as `...` is taken from
it, and a solution that does not match the run raises, so `./run notebooks`
fails when a lab's story no longer holds.
"""

import json
import os
import sys
from pathlib import Path

_here = Path(__file__).resolve().parent
_build = Path(os.environ.get("ETCETERA_BUILD", _here.parent / "build"))
sys.path.insert(0, str(_build / "python"))

try:
    import etcetera as et  # noqa: E402
except ImportError as e:  # pragma: no cover - a message for a student, not a test
    raise ImportError(
        f"the etcetera module is not built in {_build / 'python'}: run ./run build "
        f"(or set ETCETERA_BUILD to the build directory) ({e})"
    ) from e

_solutions_path = os.environ.get("ETCETERA_LAB_SOLUTIONS")
_solutions = json.loads(Path(_solutions_path).read_text()) if _solutions_path else None


def _same(answer, expected, tolerance):
    if tolerance is not None:
        try:
            return abs(float(answer) - float(expected)) <= tolerance
        except (TypeError, ValueError):
            return False
    if isinstance(expected, str) and isinstance(answer, str):
        return answer.strip().lower() == expected.strip().lower()
    if isinstance(expected, (list, tuple)) and isinstance(answer, (list, tuple)):
        return tuple(answer) == tuple(expected)
    return answer == expected


def check(question, answer, expected, tolerance=None, why=""):
    """Prints whether `answer` to `question` matches `expected` (within
    `tolerance` for numbers). Returns nothing, so that a notebook shows only the
    printed verdict."""
    if answer is ...:
        if _solutions is None:
            print(f"Question {question}: not answered yet. Replace the ... in the cell above.")
            return None
        if question not in _solutions:
            raise KeyError(f"no solution for question {question} in {_solutions_path}")
        answer = _solutions[question]
    if _same(answer, expected, tolerance):
        print(f"Question {question}: right ({expected!r}). {why}".rstrip())
        return None
    if _solutions is not None and answer == _solutions.get(question):
        raise AssertionError(
            f"question {question}: the solution {answer!r} does not match this run, "
            f"which says {expected!r}"
        )
    print(f"Question {question}: not quite: {answer!r}. Look again at the run above.")
    return None


def show(*pictures):
    """Shows pictures one after another (an Svg, a Linearizability result): a
    notebook draws each inline."""
    from IPython.display import display

    for p in pictures:
        display(p)

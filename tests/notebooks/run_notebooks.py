"""Executes the lab notebooks headless, as `./run notebooks` and the suite do.

  run_notebooks.py BUILD_DIR [--as-handed-out] [NOTEBOOK ...]

Each notebook (default: every notebooks/*.ipynb) runs top to bottom in a
fresh python3 kernel, with the teacher's answers (notebooks/solutions.json),
so every check cell must agree with the run. The executed copies, outputs
included, go to BUILD_DIR/notebooks/, with an HTML page of each. With
--as-handed-out they run as a student first gets them, every answer left
as ..., and every check must say so (in BUILD_DIR/notebooks/handed-out/).
A notebook fails if a cell raises, if any check did not pass, or if it shows no picture
(the notebook's metadata says what it must show: "etcetera": {"shows": [...]},
image/svg+xml for the visualizer's diagrams, image/png for matplotlib's plots,
text/html for a history diagram). Exit status:
0 when every notebook passed.
"""

import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[2]


def outputs(nb):
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            yield out


def problems(nb, handed_out):
    """What the executed notebook's outputs say went wrong, if anything."""
    found = []
    text = "".join(o.get("text", "") for o in outputs(nb) if o.get("output_type") == "stream")
    verdict = ": not answered yet" if handed_out else ": right"
    questions = [line for line in text.splitlines() if line.startswith("Question")]
    if not questions:
        found.append("no question was checked")
    found += [line for line in questions if verdict not in line]
    shown = [(kind, data) for o in outputs(nb) for kind, data in o.get("data", {}).items()]
    for kind in nb.metadata.get("etcetera", {}).get("shows", []):
        if kind == "text/html":  # a history diagram: an SVG inside a page
            if not any(k == kind and ("<svg" in d or "&lt;svg" in d) for k, d in shown):
                found.append("no history diagram (an SVG in text/html) in the outputs")
        elif not any(k == kind for k, _ in shown):
            what = {"image/svg+xml": "diagram", "image/png": "plot"}.get(kind, "output")
            found.append(f"no {what} ({kind}) in the outputs")
    return found


def html_page(nb):
    """The executed notebook as one HTML page. The exporter's sanitizer strips
    inline SVG down to its text, so each diagram goes in as an image instead."""
    import base64
    import copy

    from nbconvert import HTMLExporter

    page = copy.deepcopy(nb)
    for out in outputs(page):
        svg = out.get("data", {}).pop("image/svg+xml", None)
        if svg is not None:
            encoded = base64.b64encode(svg.encode()).decode()
            out["data"]["text/html"] = f'<img src="data:image/svg+xml;base64,{encoded}">'
    html, _ = HTMLExporter().from_notebook_node(page)
    return html


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    build = Path(sys.argv[1]).resolve()
    handed_out = "--as-handed-out" in sys.argv[2:]
    names = [a for a in sys.argv[2:] if a != "--as-handed-out"]
    names = names or sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    out_dir = build / "notebooks" / ("handed-out" if handed_out else "")
    out_dir.mkdir(parents=True, exist_ok=True)
    os.environ["ETCETERA_BUILD"] = str(build)
    if handed_out:
        os.environ.pop("ETCETERA_LAB_SOLUTIONS", None)
    else:
        os.environ["ETCETERA_LAB_SOLUTIONS"] = str(ROOT / "notebooks" / "solutions.json")
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    failed = []
    for name in names:
        path = ROOT / "notebooks" / name
        if not path.exists():
            print(f"{name}: no such notebook in notebooks/", file=sys.stderr)
            failed.append(name)
            continue
        nb = nbformat.read(path, as_version=4)
        start = time.monotonic()
        print(f"{name}: running {len(nb.cells)} cells ...", flush=True)
        client = NotebookClient(nb, timeout=900, kernel_name="python3",
                                resources={"metadata": {"path": str(ROOT / "notebooks")}})
        error = None
        try:
            client.execute()
        except CellExecutionError as e:
            error = str(e)
        nbformat.write(nb, out_dir / name)
        try:
            html = html_page(nb)
            (out_dir / name).with_suffix(".html").write_text(html)
        except Exception as e:  # the page is for reading; its absence fails nothing
            print(f"{name}: no HTML page ({e})", file=sys.stderr)
        wrong = [error] if error else problems(nb, handed_out)
        secs = time.monotonic() - start
        if wrong:
            failed.append(name)
            print(f"{name}: FAILED after {secs:.1f} s", flush=True)
            for w in wrong:
                print("  " + w.replace("\n", "\n  "), flush=True)
        else:
            print(f"{name}: ok in {secs:.1f} s -> {out_dir / name}", flush=True)
    print(f"{len(names) - len(failed)} of {len(names)} notebooks passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

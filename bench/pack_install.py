"""Validate and install a generated pack of 500 lessons; compare with markdown-it rendering alone.

    python bench/pack_install.py [--lessons 500]

Prints the seconds for validate+install (target: under 5 s on a 2-core machine), the seconds
markdown-it alone takes to render the same files, and their ratio (the loader's overhead).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._progress import Progress  # noqa: E402

STRANDS = ["self-image-and-identity", "online-relationships", "online-reputation", "online-bullying",
           "managing-online-information", "health-wellbeing-and-lifestyle", "privacy-and-security",
           "copyright-and-ownership"]
BANDS = ["4-7", "7-11", "11-14", "14-18"]
PARAGRAPH = ("Mia plays a game on her tablet after school. A message pops up from someone she does not know. "
             "She stops, thinks, and tells a grown-up she trusts. Together they block and report the account. ")


def lesson_text(number: int) -> str:
    strand, band = STRANDS[number % 8], BANDS[number % 4]
    sections = "\n".join(f"## Part {s}\n\n{PARAGRAPH * 3}\n\n- Stop\n- Think\n- Tell someone\n" for s in range(1, 5))
    questions = "\n".join(
        f"### Question {q}: what should Mia do?\n\n- [ ] Reply {{misconception=only-a-joke}}\n- [x] Tell an adult\n"
        f"- [ ] Keep it secret\n\n> Telling an adult you trust keeps you safe.\n" for q in range(1, 6))
    return (f"---\nid: lesson-{number}\ntitle: Generated lesson {number}\nstrand: {strand}\nages: {band}\n"
            f"minutes: 20\nobjectives:\n  - I can tell an adult.\n  - I can stop and think.\n"
            f"teacher_notes: |\n  **Timing** 20 minutes.\n---\n{PARAGRAPH}\n\n{sections}\n## Quiz\n\n{questions}")


def build_pack(root: Path, count: int) -> Path:
    pack = root / "generated"
    (pack / "lessons").mkdir(parents=True)
    (pack / "pack.yaml").write_text(
        'schema_version: 1\nid: generated\ntitle: Generated\nversion: "1.0.0"\ndescription: Benchmark pack\n'
        "language: en-GB\nlicence: CC0\nauthors: [bench]\naudience: pupils\n"
        "misconceptions:\n  only-a-joke: Pupils think hurtful messages are fine if meant as a joke.\n")
    for number in range(count):
        (pack / "lessons" / f"lesson-{number}.md").write_text(lesson_text(number))
    return pack


def time_markdown_alone(pack: Path) -> float:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    files = sorted((pack / "lessons").glob("*.md"))
    started = time.perf_counter()
    for path in files:
        md.render(path.read_text("utf-8"))
    return time.perf_counter() - started


def time_install(pack: Path, workdir: Path, count: int) -> float:
    from esafe_learn import create_app
    from esafe_learn.content.services import install_pack
    from esafe_learn.extensions import db

    app = create_app({"SECRET_KEY": "bench-" + "x" * 40, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir}/b.sqlite"})
    with app.app_context():
        db.create_all()
        bar = Progress("validate + install", count)
        started = time.perf_counter()
        install_pack(pack, progress=bar.step)
        db.session.commit()
        elapsed = time.perf_counter() - started
        db.engine.dispose()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lessons", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        pack = build_pack(workdir, args.lessons)
        markdown_seconds = time_markdown_alone(pack)
        install_seconds = time_install(pack, workdir, args.lessons)
    figures = {"lessons": args.lessons, "validate_and_install_s": round(install_seconds, 2),
               "markdown_it_alone_s": round(markdown_seconds, 2),
               "overhead_ratio": round(install_seconds / markdown_seconds, 1), "target_s": 5.0,
               "met": install_seconds < 5.0}
    print(f"{'pack of':<28}{args.lessons} lessons")
    verdict = "met" if figures["met"] else "MISSED"
    print(f"{'validate + install':<28}{install_seconds:.2f} s (target under 5 s: {verdict})")
    print(f"{'markdown-it alone':<28}{markdown_seconds:.2f} s")
    print(f"{'ratio':<28}{figures['overhead_ratio']}x")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()

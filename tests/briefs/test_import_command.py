"""``manage.py import_briefs``: one line per file, a summary, exit status 1 on any failure."""

import io
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from briefs.management.commands.import_briefs import Command
from briefs.models import Brief, BriefRevision, Source, Topic, TopicSuggestion

pytestmark = pytest.mark.django_db

DEMO = Path(__file__).resolve().parents[2] / "briefs" / "demo"

ARTICLE = """Ferry Timetable Cut For Winter

Operators will run fewer crossings from November to March.

Published Oct 2, 2025 | 9:00 AM GMT+01

By Jane Roe, Meridian Wire

The ferry company said demand falls by half in the winter months.

Island councils asked for at least two daily crossings.

Topics

Ferries
Island Transport
"""

OTHER_ARTICLE = """Bus Depot Opens On The Ring Road

The new depot houses forty electric buses and their chargers.

Published Oct 3, 2025 | 8:00 AM GMT+01

By John Roe, Meridian Wire

Drivers start their shifts from the depot next Monday.

Topics

Buses
"""


def run(*args):
    """Run the command; return (output lines, the CommandError or None)."""
    out = io.StringIO()
    try:
        call_command("import_briefs", *map(str, args), stdout=out, no_color=True)
        error = None
    except CommandError as raised:
        error = raised
    return out.getvalue().splitlines(), error


def write(folder, name, content):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def test_demo_archive_imports_as_a_living_archive_and_again_unchanged():
    lines, error = run(DEMO)

    assert error is None
    briefs = Brief.objects.published()
    assert briefs.count() >= 24
    assert Topic.objects.count() >= 40
    assert Source.objects.count() >= 3
    assert briefs.with_topics(
        list(Topic.objects.filter(name__in=["Rare Earths", "Semiconductors"]))
    ).count() >= 2
    untagged = briefs.filter(tagged_items__isnull=True)
    assert untagged.count() >= 3
    suggested = TopicSuggestion.objects.filter(brief__in=untagged).values("brief").distinct()
    assert suggested.count() >= 3
    months = {moment.month for moment in briefs.values_list("published_at", flat=True)}
    assert len(months) >= 6
    assert lines[-1].endswith("0 updated, 0 unchanged, 0 failed")

    second, error = run(DEMO)

    assert error is None
    assert all(line.startswith("unchanged: ") for line in second[:-1])
    total = briefs.count()
    assert second[-1] == f"{total} files: 0 created, 0 updated, {total} unchanged, 0 failed"


def test_each_file_gets_a_line_with_its_path_and_a_summary(tmp_path):
    first = write(tmp_path, "a.txt", ARTICLE)

    lines, error = run(first)

    assert error is None
    assert lines == [f"created: {first}", "1 file: 1 created, 0 updated, 0 unchanged, 0 failed"]


def test_changed_file_updates_the_brief_keeping_its_slug_and_a_revision(tmp_path):
    path = write(tmp_path, "ferry.txt", ARTICLE)
    run(path)
    slug = Brief.objects.get().slug

    write(tmp_path, "ferry.txt", ARTICLE.replace("by half", "by two thirds"))
    lines, error = run(path)

    assert lines[0] == f"updated: {path}"
    brief = Brief.objects.get()
    assert brief.slug == slug and "two thirds" in brief.body
    assert BriefRevision.objects.filter(brief=brief, reason="re-import").count() == 1


def test_dry_run_reports_and_writes_nothing(tmp_path):
    path = write(tmp_path, "ferry.txt", ARTICLE)

    lines, error = run(path, "--dry-run")

    assert lines[0] == f"created: {path}"
    assert lines[-1].endswith("(dry run: nothing was written)")
    assert not Brief.objects.exists() and not Topic.objects.exists()


def test_status_option_sets_the_status_of_new_briefs(tmp_path):
    run(write(tmp_path, "ferry.txt", ARTICLE), "--status", "draft")
    assert Brief.objects.get().status == Brief.Status.DRAFT
    assert not Brief.objects.published().exists()


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (b"  \n\r\n\t \n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", "binary"),
        ("Caf\u00e9 Owners Protest\n\nJuly 1, 2025\n\nBody.".encode("cp1252"), "not UTF-8"),
        (b"Big Title\n\n" + b"word " * (450 * 1024), "larger than 2 MB"),
        (b"Only A Title", "no body text"),
        (b"July 1, 2025\n\nA body without a title.", "no recognisable title"),
    ],
)
def test_bad_file_fails_with_one_line_exit_status_1_and_nothing_written(tmp_path, content, reason):
    bad = write(tmp_path, "bad.txt", content)

    lines, error = run(bad)

    assert lines[0].startswith(f"failed: {bad}: ")
    assert reason in lines[0]
    assert lines[1] == "1 file: 0 created, 0 updated, 0 unchanged, 1 failed"
    assert error is not None and error.returncode == 1
    assert not Brief.objects.exists() and not Source.objects.exists()


def test_one_bad_file_does_not_stop_the_good_ones(tmp_path):
    write(tmp_path, "1-bad.txt", b"")
    write(tmp_path, "2-good.txt", ARTICLE)

    lines, error = run(tmp_path)

    assert [line.split(":")[0] for line in lines[:2]] == ["failed", "created"]
    assert error.returncode == 1
    assert Brief.objects.count() == 1


def test_missing_path_is_a_failed_line_not_a_traceback(tmp_path):
    missing = tmp_path / "nope.txt"
    lines, error = run(missing)
    assert lines[0] == f"failed: {missing}: no such file or directory"
    assert error.returncode == 1


def test_directories_are_searched_recursively_for_txt_files_in_sorted_order(tmp_path):
    write(tmp_path, "b/second.txt", OTHER_ARTICLE)
    write(tmp_path, "a/first.txt", ARTICLE)
    write(tmp_path, "a/notes.md", "not a brief")

    lines, error = run(tmp_path)

    assert lines[:2] == [
        f"created: {tmp_path / 'a' / 'first.txt'}",
        f"created: {tmp_path / 'b' / 'second.txt'}",
    ]
    assert error is None


def test_dash_reads_one_brief_from_standard_input(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(ARTICLE.encode("utf-8"))))

    lines, error = run("-")

    assert lines[0] == "created: <stdin>"
    assert Brief.objects.get().raw_text == ARTICLE


def test_failure_exits_with_status_1_and_a_message_on_stderr(tmp_path, capsys):
    bad = write(tmp_path, "bad.txt", b"")

    with pytest.raises(SystemExit) as exited:
        Command().run_from_argv(["manage.py", "import_briefs", str(bad)])

    assert exited.value.code == 1
    captured = capsys.readouterr()
    assert f"failed: {bad}: file is empty" in captured.out
    assert "1 of 1 files failed" in captured.err
    assert "Traceback" not in captured.err

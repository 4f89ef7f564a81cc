"""`meibo import FILE`: the same pipeline from a terminal, with a bar and a summary."""

from api import cli
from api.cli import import_
from api.jobs.models import Job
from api.people.models import Person
from importers.models import ImportJob
from tests.factories.importers import csv_bytes

ROWS = [["氏名", "電話"], ["山田 太郎", "０３（１２３４）５６７８"], ["佐藤 花子", "12"]]


def test_it_previews_without_writing_and_lists_the_errors(db, tmp_path, capsys):
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes(ROWS))
    args = cli.parse(
        ["import", str(path), "--target", "people", "--errors", str(tmp_path / "errors.csv")]
    )

    assert import_.import_file(args) == 2

    out = capsys.readouterr().out
    assert "previewed (people.csv, cp932): 2 rows, insert 1" in out
    assert "row 3: 電話: a phone number starts with 0" in out
    assert "nothing written" in out
    assert Person.objects.count() == 0
    assert "佐藤 花子,12," in (tmp_path / "errors.csv").read_bytes().decode("cp932")
    job = Job.objects.get(kind="import_preview")
    assert job.state == Job.State.SUCCEEDED
    assert job.dispatched_at is not None  # run here, never sent to a worker


def test_it_commits_the_valid_rows(db, tmp_path, capsys):
    path = tmp_path / "people.csv"
    path.write_bytes(
        csv_bytes(
            [
                [*row, email]
                for row, email in zip(
                    ROWS, ["メール", "taro@example.jp", "hanako@example.jp"], strict=True
                )
            ]
        )
    )
    args = cli.parse(["import", str(path), "--target", "people", "--mode", "upsert", "--commit"])

    assert import_.import_file(args) == 2

    assert "committed (people.csv, cp932): 2 rows, inserted 1" in capsys.readouterr().out
    assert Person.objects.get().phone == "03-1234-5678"
    assert ImportJob.objects.get().state == "committed"
    # The search-index job ran here too: nobody is left for a worker to index.
    assert not Person.objects.filter(search_pending=True).exists()
    assert Job.objects.get(kind="search_index").state == Job.State.SUCCEEDED
    assert Person.objects.filter(search_text__contains="0312345678").exists()


def test_all_or_nothing_writes_nothing_when_a_row_fails(db, tmp_path, capsys):
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes(ROWS))
    args = cli.parse(["import", str(path), "--target", "people", "--commit", "--all-or-nothing"])

    assert import_.import_file(args) == 1

    assert "1 row(s) have errors" in capsys.readouterr().out
    assert Person.objects.count() == 0


def test_an_unreadable_file_fails_with_its_reason(db, tmp_path, capsys):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")

    assert import_.import_file(cli.parse(["import", str(path), "--target", "people"])) == 1

    assert "failed: the file is empty" in capsys.readouterr().out

"""`kiosk enrol | identify | import | people | calibrate` as an admin uses them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from PIL import Image

from kiosk.cli import cli

TI = "face_recognition/tests/test_images/"


def run(data_dir: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, [*args, "--data-dir", str(data_dir)])


def people_count(data_dir: Path) -> int:
    result = run(data_dir, "people", "list", "--json")
    assert result.exit_code == 0, result.output
    return len([line for line in result.stdout.splitlines() if line.strip()])


@pytest.fixture
def enrolled(tmp_path: Path, faces_dir: Path) -> Path:
    data = tmp_path / "var"
    r = run(data, "enrol", "--name", "Barack Obama", "--id-number", "001061012345",
            "--dob", "1961-08-04", "--photo", str(faces_dir / TI / "obama.jpg"),
            "--photo", str(faces_dir / TI / "obama2.jpg"), "--consent", "--actor", "admin1")
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout)
    assert summary["created"] and summary["templates_stored"] == 1
    # obama2 turns the head too far for an enrolment sample
    assert summary["photos_rejected"] == [
        {"file": str(faces_dir / TI / "obama2.jpg"), "reason": "not_frontal"}
    ]
    assert summary["id_number"] == "001*******45"
    r = run(data, "enrol", "--name", "Joe Biden", "--id-number", "001042012345",
            "--photo", str(faces_dir / TI / "biden.jpg"), "--consent")
    assert r.exit_code == 0, r.output
    return data


def test_identify_json_lines(enrolled: Path, faces_dir: Path) -> None:
    photos = [faces_dir / TI / n for n in ("obama3.jpg", "biden.jpg", "obama_partial_face.jpg")]
    r = run(enrolled, "identify", "--json", *map(str, photos),
            str(faces_dir / "dlib/examples/faces/dogs.jpg"))
    assert r.exit_code == 0, r.output
    lines = [json.loads(x) for x in r.stdout.splitlines()]
    assert [x["match"]["name"] if x["match"] else None for x in lines] == [
        "Barack Obama", "Joe Biden", None, None
    ]
    assert [x["reason"] for x in lines] == [None, None, "cut_off", "no_face"]
    assert lines[0]["faces"] == 1 and lines[3]["faces"] == 0
    assert 0 < lines[0]["match"]["distance"] < 0.55
    plain = run(enrolled, "identify", str(photos[0]))
    assert plain.stdout.startswith(f"{photos[0]}: Barack Obama (citizen 1, distance 0.")


def test_people_list_show_delete(enrolled: Path, faces_dir: Path) -> None:
    listing = run(enrolled, "people", "list")
    assert "Barack Obama" in listing.stdout and "001*******45" in listing.stdout
    assert "001061012345" not in listing.stdout
    shown = json.loads(run(enrolled, "people", "show", "1", "--actor", "auditor").stdout)
    assert shown["name"] == "Barack Obama" and shown["templates"] == 1
    r = run(enrolled, "people", "delete", "1", "--yes", "--actor", "admin9")
    assert r.exit_code == 0 and "1 template(s)" in r.stdout
    assert people_count(enrolled) == 1
    after = run(enrolled, "identify", "--json", str(faces_dir / TI / "obama3.jpg"))
    assert json.loads(after.stdout)["reason"] == "unknown"
    assert run(enrolled, "people", "show", "1").exit_code == 1


def test_same_face_under_another_id_is_refused(enrolled: Path, faces_dir: Path) -> None:
    r = run(enrolled, "enrol", "--name", "Someone Else", "--id-number", "079061099999",
            "--photo", str(faces_dir / TI / "obama3.jpg"), "--consent")
    assert r.exit_code == 1
    assert "already enrolled as citizen 1 (001*******45)" in r.output
    assert people_count(enrolled) == 2


def test_bad_inputs_are_clear_and_store_nothing(tmp_path: Path, faces_dir: Path) -> None:
    data = tmp_path / "var"
    notimg = tmp_path / "notes.jpg"
    notimg.write_text("not a photo")
    cut = tmp_path / "cut.jpg"
    cut.write_bytes((faces_dir / TI / "obama.jpg").read_bytes()[:20000])
    huge = tmp_path / "huge.png"
    Image.new("L", (8000, 6250)).save(huge)
    cases = {
        str(tmp_path / "missing.jpg"): "file not found",
        str(notimg): "not an image file",
        str(cut): "damaged or truncated",
        str(huge): "50 megapixels",
        str(faces_dir / "dlib/examples/faces/dogs.jpg"): "no_face",
    }
    for photo, message in cases.items():
        r = run(data, "enrol", "--name", "A", "--id-number", "079061012345", "--photo", photo,
                "--consent")
        assert r.exit_code == 1, (photo, r.output)
        assert message in r.output and "nothing stored" in r.output
        ident = run(data, "identify", photo)
        assert ident.exit_code == (0 if message == "no_face" else 1)
        assert message in ident.output
    assert people_count(data) == 0


def test_consent_id_number_and_config_errors(tmp_path: Path, faces_dir: Path) -> None:
    data = tmp_path / "var"
    photo = str(faces_dir / TI / "obama.jpg")
    no_consent = run(data, "enrol", "--name", "A", "--id-number", "079061012345",
                     "--photo", photo)
    assert no_consent.exit_code == 2 and "consent" in no_consent.output
    bad_id = run(data, "enrol", "--name", "A", "--id-number", "12345", "--photo", photo,
                 "--consent")
    assert bad_id.exit_code == 2 and "12 digits" in bad_id.output
    cfg = tmp_path / "bad.toml"
    cfg.write_text("[recognition]\ndetection_width = 5\n")
    r = run(data, "identify", "--config", str(cfg), photo)
    assert r.exit_code == 2
    assert "recognition.detection_width" in r.output and "Traceback" not in r.output
    assert people_count(data) == 0


def test_import_folder_of_face_crops(tmp_path: Path, faces_dir: Path) -> None:
    johns = faces_dir / "dlib/examples/johns"
    src = tmp_path / "import"
    people = sorted(p for p in johns.iterdir() if p.is_dir())[:3]
    for person in people:
        (src / person.name).mkdir(parents=True)
        for f in sorted(person.glob("*.jpg")):
            (src / person.name / f.name).symlink_to(f)
    ids = ["079061000001", "079061000002"]
    csv_rows = [
        f"{p.name},{p.name.replace('_', ' ')},{i}" for p, i in zip(people[:2], ids, strict=True)
    ]
    (src / "people.csv").write_text("folder,name,id_number\n" + "\n".join(csv_rows) + "\n")
    data = tmp_path / "var"
    r = run(data, "import", str(src), "--face-crop", "--max-photos", "4", "--consent")
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout.strip().splitlines()[-1])
    assert summary["enrolled"] == 2 and summary["templates"] >= 4
    assert [s["folder"] for s in summary["skipped"]] == [people[2].name]
    assert people_count(data) == 2
    held_out = sorted(people[0].glob("*.jpg"))[-1]
    ident = json.loads(run(data, "identify", "--json", "--face-crop", str(held_out)).stdout)
    assert ident["match"]["name"] == people[0].name.replace("_", " ")
    cal = run(data, "calibrate")
    assert cal.exit_code == 0, cal.output
    report = json.loads(cal.stdout)
    assert report["citizens"] == 2 and report["genuine_pairs"] > 0
    assert report["rank1"] is not None and report["expected_false_accepts_at_configured"] >= 0


def _import_tree(tmp_path: Path, faces_dir: Path, n: int = 3) -> tuple[Path, list[Path]]:
    johns = faces_dir / "dlib/examples/johns"
    src = tmp_path / "import"
    people = sorted(p for p in johns.iterdir() if p.is_dir())[:n]
    for person in people:
        (src / person.name).mkdir(parents=True)
        for f in sorted(person.glob("*.jpg"))[:2]:
            (src / person.name / f.name).symlink_to(f)
    return src, people


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig", "utf-16-be"])
def test_import_reads_people_csv_saved_by_spreadsheets(tmp_path: Path, faces_dir: Path,
                                                       encoding: str) -> None:
    src, people = _import_tree(tmp_path, faces_dir, 2)
    rows = [f"{people[0].name},Nguyễn Thị Ánh,079061000001",
            f"{people[1].name},Trần Văn Đức,079061000002"]
    text = "folder,name,id_number\r\n" + "\r\n".join(rows) + "\r\n"
    data = (b"\xfe\xff" + text.encode("utf-16-be")) if encoding == "utf-16-be" else (
        text.encode(encoding))
    (src / "people.csv").write_bytes(data)
    r = run(tmp_path / "var", "import", str(src), "--face-crop", "--consent")
    assert r.exit_code == 0, r.output
    assert "Traceback" not in r.output
    summary = json.loads(r.stdout.strip().splitlines()[-1])
    assert summary["enrolled"] == 2, summary
    listed = run(tmp_path / "var", "people", "list", "--json")
    assert {json.loads(x)["name"] for x in listed.stdout.splitlines()} == {
        "Nguyễn Thị Ánh", "Trần Văn Đức"}


def test_import_reports_duplicate_dangling_and_bad_rows(tmp_path: Path, faces_dir: Path
                                                        ) -> None:
    src, people = _import_tree(tmp_path, faces_dir, 3)
    (src / "people.csv").write_text(
        "folder,name,id_number\n"
        f"{people[0].name},First Try,079061000001\n"
        f"{people[0].name},Second Try,079061000002\n"  # which one is right?
        f"{people[1].name},\"Bad\x07Name\",079061000003\n"
        f"{people[2].name},{'A' * 500},079061000004\n"
        "no_such_folder,Ghost,079061000005\n", encoding="utf-8")
    r = run(tmp_path / "var", "import", str(src), "--face-crop", "--consent")
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout.strip().splitlines()[-1])
    reasons = {s["folder"]: s["reason"] for s in summary["skipped"]}
    assert "listed twice" in reasons[people[0].name]
    assert "control character" in reasons[people[1].name]
    assert "more than 120" in reasons[people[2].name]
    assert "no such folder" in reasons["no_such_folder"]
    assert summary["enrolled"] == 0 and people_count(tmp_path / "var") == 0


def test_undecodable_people_csv_is_one_line(tmp_path: Path, faces_dir: Path) -> None:
    src, people = _import_tree(tmp_path, faces_dir, 1)
    (src / "people.csv").write_bytes(
        f"folder,name,id_number\n{people[0].name},Nguy\xe1n,079061000001\n".encode("latin-1"))
    r = run(tmp_path / "var", "import", str(src), "--face-crop", "--consent")
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert "not UTF-8 or UTF-16" in r.output and len(r.output.strip().splitlines()) == 1


def test_enrol_refuses_control_characters_and_absurd_names(tmp_path: Path, faces_dir: Path
                                                           ) -> None:
    photo = str(faces_dir / TI / "obama.jpg")
    for name, message in (("Obama\nAdmin", "control character"),
                          ("Obama\u202eamabO", "control character"),
                          ("x" * 121, "more than 120"), ("   ", "empty")):
        r = run(tmp_path / "var", "enrol", "--name", name, "--id-number", "001061012345",
                "--photo", photo, "--consent")
        assert r.exit_code == 2 and message in r.output, (name, r.output)
    assert people_count(tmp_path / "var") == 0


def test_wrong_key_and_corrupt_database_are_one_line_errors(enrolled: Path, faces_dir: Path
                                                            ) -> None:
    photo = str(faces_dir / TI / "obama3.jpg")
    key = enrolled / "face.key"
    good = key.read_bytes()
    key.write_bytes(bytes(32))  # another kiosk's key
    r = run(enrolled, "identify", photo)
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert "face key does not open" in r.output and len(r.output.strip().splitlines()) == 1
    key.write_bytes(good[:10])
    r = run(enrolled, "identify", photo)
    assert r.exit_code == 2 and "holds 10 bytes" in r.output
    key.write_bytes(good)
    db = enrolled / "kiosk.db"
    for name in ("kiosk.db-wal", "kiosk.db-shm"):
        (enrolled / name).unlink(missing_ok=True)
    db.write_bytes(b"this is not a database" * 100)
    for args in (("identify", photo), ("people", "list")):
        r = run(enrolled, *args)
        assert r.exit_code == 3, (args, r.output)
        assert "kiosk database cannot be read" in r.output and "Traceback" not in r.output


def test_kiosk_database_is_private(enrolled: Path) -> None:
    import stat

    for name in ("kiosk.db", "face.key"):
        assert stat.S_IMODE((enrolled / name).stat().st_mode) == 0o600, name


def test_a_16_bit_png_is_read_with_its_real_brightness(tmp_path: Path, faces_dir: Path
                                                       ) -> None:
    import numpy as np

    from recognition.images import load_image

    grey = np.asarray(Image.open(faces_dir / TI / "obama.jpg").convert("L"), dtype=np.uint16)
    path = tmp_path / "obama16.png"
    Image.fromarray(grey * 257).save(path)  # a 16-bit greyscale PNG (mode I;16)
    assert Image.open(path).mode.startswith("I")
    loaded = load_image(path)
    assert loaded.shape == (*grey.shape, 3) and loaded.dtype == np.uint8
    assert np.abs(loaded[..., 0].astype(int) - grey).max() <= 1
    data = tmp_path / "var"
    r = run(data, "enrol", "--name", "Barack Obama", "--id-number", "001061012345",
            "--photo", str(path), "--consent")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["templates_stored"] == 1

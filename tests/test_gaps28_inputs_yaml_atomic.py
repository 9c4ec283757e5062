"""Issue 28: the safe YAML loader and the atomic writers at their boundaries.

Every case is a tiny hand-made file whose answer (the line, the byte, the limit) was worked
out by hand; the pure-Python loader (PyYAML built without libyaml) is exercised as well as
the libyaml one, and the atomic writers meet real failures (a folder under /proc, a file in
the way, /dev/full), not mocks.
"""

from __future__ import annotations

import errno
import os

import pytest
import yaml

from planner import atomic
from planner.errors import OutputError, ScenarioError
from planner.inputs import safeyaml
from planner.inputs.safeyaml import decode_text, load_yaml_file, safe_load, suggest


@pytest.fixture(params=["libyaml", "pure"])
def loader(request, monkeypatch):
    """Both parsers: libyaml where PyYAML has it, the pure-Python one elsewhere."""
    if request.param == "libyaml" and not safeyaml._FAST:
        pytest.skip("PyYAML without libyaml")
    if request.param == "pure":
        monkeypatch.setattr(safeyaml, "_FAST", False)
    return request.param


# --- safe YAML: refusals name file, line and field ---------------------------------------------


def test_an_alias_is_refused_on_its_own_line(loader):
    text = "a: &x 1\n"  # an anchor alone is refused too (line 1)
    with pytest.raises(ScenarioError) as e:
        safe_load(text, "s.yaml")
    assert e.value.reason == "YAML anchors (&x) are not allowed in a scenario file"
    assert (e.value.file, e.value.row) == ("s.yaml", 1)


def test_an_alias_without_anchor_is_refused_with_its_line(loader):
    # an alias to an unknown anchor: the alias is met first, on line 3
    text = "a: 1\nb: 2\nc: *nowhere\n"
    with pytest.raises(ScenarioError) as e:
        safe_load(text, "s.yaml")
    assert e.value.reason.startswith("YAML aliases (*name) are not allowed in a scenario file; "
                                     "write the value out")
    assert e.value.row == 3


def test_a_duplicate_key_names_both_lines_and_the_key(loader):
    text = "name: A\nx: 1\nname: B\n"
    with pytest.raises(ScenarioError) as e:
        safe_load(text, "s.yaml")
    assert e.value.reason == "duplicate key 'name' (first on line 1)"
    assert (e.value.file, e.value.row, e.value.field) == ("s.yaml", 3, "name")


def test_a_merge_key_is_refused_with_its_line(loader):
    text = "a: 1\nb:\n  <<: {c: 2}\n"
    with pytest.raises(ScenarioError) as e:
        safe_load(text, "s.yaml")
    assert e.value.reason == "YAML merge keys (<<) are not allowed in a scenario file"
    assert e.value.row == 3


def test_a_complex_key_is_refused(loader):
    text = "a: 1\n? [x, y]\n: 2\n"
    with pytest.raises(ScenarioError) as e:
        safe_load(text, "s.yaml")
    assert e.value.reason == "a mapping key must be plain text"
    assert e.value.row == 2


@pytest.mark.parametrize("depth", [1, 2, 3, 5])
def test_nesting_exactly_at_the_limit_loads_one_deeper_is_refused(loader, depth):
    # ``depth`` nested flow lists around a scalar: [[[1]]] is 3 list levels and the scalar a 4th
    ok = "[" * depth + "1" + "]" * depth
    assert safe_load(ok, "s.yaml", max_depth=depth + 1) is not None
    for text, limit in ((ok, depth), ("[" * (depth + 1) + "1" + "]" * (depth + 1), depth)):
        with pytest.raises(ScenarioError) as e:
            safe_load(text, "s.yaml", max_depth=limit)
        assert e.value.reason == f"the YAML is nested more than {limit} levels deep"
        assert (e.value.file, e.value.row) == ("s.yaml", 1)


def test_nesting_in_block_mappings_counts_each_level(loader):
    # a: {b: {c: 1}} written as blocks: 3 mapping levels and the scalars a 4th; the refusal is
    # on line 3, where the text goes too deep
    text = "a:\n  b:\n    c: 1\n"
    assert safe_load(text, max_depth=4) == {"a": {"b": {"c": 1}}}
    for limit in (3, 2):
        with pytest.raises(ScenarioError) as e:
            safe_load(text, "s.yaml", max_depth=limit)
        assert e.value.reason == f"the YAML is nested more than {limit} levels deep"
        assert e.value.row == 3


def test_pure_python_depth_counts_keys_and_values_of_a_mapping(monkeypatch):
    monkeypatch.setattr(safeyaml, "_FAST", False)
    # a mapping (1) whose value is a list (2) holding a scalar (3): limit 3 loads, 2 refuses
    assert safe_load("a: [1]\n", max_depth=3) == {"a": [1]}
    with pytest.raises(ScenarioError, match="more than 2 levels"):
        safe_load("a: [1]\n", max_depth=2)
    # the key itself sits one level under its mapping: {a: 1} needs 2 levels
    assert safe_load("a: 1\n", max_depth=2) == {"a": 1}
    with pytest.raises(ScenarioError, match="more than 1 levels"):
        safe_load("a: 1\n", max_depth=1)


def test_an_empty_document_is_none_and_a_plain_one_loads(loader):
    assert safe_load("", "s.yaml") is None
    assert safe_load("# only a comment\n", "s.yaml") is None
    assert safe_load("a: [1, 2]\nb: x\n") == {"a": [1, 2], "b": "x"}


def test_invalid_yaml_is_not_valid_yaml_with_its_line(loader):
    with pytest.raises(ScenarioError) as e:
        safe_load("a: 1\nb: [1, 2\nc: 3\n", "s.yaml")
    assert e.value.reason.startswith("not valid YAML: ")
    # the problem's line (3: where ']' is missing), not the context's (2: where the list opened)
    assert (e.value.file, e.value.row) == ("s.yaml", 3)


def test_a_python_tag_is_unsupported_yaml_not_executed(loader):
    with pytest.raises(ScenarioError) as e:
        safe_load("a: 1\nb: !!python/object/apply:os.system ['true']\n", "s.yaml")
    assert e.value.reason.startswith("unsupported YAML: ")
    assert (e.value.file, e.value.row) == ("s.yaml", 2)


def test_libyaml_nesting_limit_is_reported_as_ours(monkeypatch):
    """A flow nested deeper than libyaml's own limit is our 'nested too deep' message."""
    if not safeyaml._FAST:
        pytest.skip("PyYAML without libyaml")
    text = "[" * 2000 + "]" * 2000
    try:  # libyaml has a nesting limit of its own since 0.2.5 (PyYAML wheels from 6.0.2 carry it)
        yaml.load(text, Loader=yaml.CSafeLoader)
        pytest.skip("this libyaml has no nesting limit of its own")
    except yaml.YAMLError:
        pass
    with pytest.raises(ScenarioError) as e:
        safe_load(text, "s.yaml", max_depth=5000)
    assert e.value.reason == "the YAML is nested more than 5000 levels deep"
    assert e.value.file == "s.yaml" and e.value.row == 1


# --- size in bytes, not characters -------------------------------------------------------------


def test_the_size_cap_counts_utf8_bytes_of_text():
    # "ä" is 2 bytes in UTF-8: 5 of them are 10 bytes
    text = "a: " + "ä" * 5 + "\n"  # 3 + 10 + 1 = 14 bytes, 9 characters
    assert safe_load(text, max_bytes=14) == {"a": "ä" * 5}
    with pytest.raises(ScenarioError) as e:
        safe_load(text, "s.yaml", max_bytes=13)
    assert e.value.reason == "the file is 14 bytes; a scenario file may be at most 13"
    assert e.value.file == "s.yaml"


def test_the_size_cap_on_bytes_and_the_thousands_separator():
    data = b"a: " + b"x" * 1_000_998 + b"\n"  # 1,001,002 bytes
    with pytest.raises(ScenarioError) as e:
        safe_load(data, "big.yaml")
    assert e.value.reason == "the file is 1,001,002 bytes; a scenario file may be at most 1,000,000"


def test_load_yaml_file_checks_size_before_reading(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_bytes(b"a: 1\n")  # 5 bytes
    assert load_yaml_file(p, max_bytes=5) == {"a": 1}
    with pytest.raises(ScenarioError) as e:
        load_yaml_file(p, max_bytes=4)
    assert e.value.reason == "the file is 5 bytes; a scenario file may be at most 4"
    assert e.value.file == str(p)


def test_load_yaml_file_missing_folder_and_unreadable(tmp_path):
    with pytest.raises(ScenarioError) as e:
        load_yaml_file(tmp_path / "nope.yaml")
    assert (e.value.reason, e.value.file) == ("file not found", str(tmp_path / "nope.yaml"))
    with pytest.raises(ScenarioError) as e:
        load_yaml_file(tmp_path)
    assert (e.value.reason, e.value.file) == ("is a folder, not a YAML file", str(tmp_path))
    # a file that exists but cannot be read (a dangling-free special file: a FIFO-less case is
    # /proc/self/mem, readable size 0 but read() fails)
    with pytest.raises(ScenarioError) as e:
        load_yaml_file("/proc/self/mem")
    assert e.value.reason.startswith("cannot read the file: ")
    assert e.value.file == "/proc/self/mem"


def test_the_file_name_reaches_errors_from_a_file(tmp_path):
    p = tmp_path / "dup.yaml"
    p.write_text("a: 1\na: 2\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as e:
        load_yaml_file(p)
    assert (e.value.file, e.value.row, e.value.field) == (str(p), 2, "a")


# --- text decoding --------------------------------------------------------------------------------


def test_a_utf8_bom_is_dropped_from_bytes_and_text():
    assert decode_text(b"\xef\xbb\xbfa: 1\n", "s.yaml") == "a: 1\n"
    assert safe_load("\ufeffa: 1\n") == {"a": 1}
    assert safe_load(b"\xef\xbb\xbfa: 1\n") == {"a": 1}


@pytest.mark.parametrize("bom", [b"\xff\xfe", b"\xfe\xff"])
def test_utf16_is_refused_by_name(bom):
    with pytest.raises(ScenarioError) as e:
        decode_text(bom + "a: 1".encode("utf-16-le"), "s.yaml")
    assert (e.value.reason, e.value.file) == ("the file is UTF-16; save it as UTF-8", "s.yaml")


def test_latin1_is_refused_with_byte_line_and_hint():
    data = "a: 1\nname: Järvenpää\n".encode("latin-1")  # first ä (0xe4) on line 2
    with pytest.raises(ScenarioError) as e:
        decode_text(data, "s.yaml")
    assert e.value.reason == ("the file is not UTF-8 text (byte 0xe4). It looks like latin-1/Windows-1252"
                              " (e.g. from an old editor or Excel); save it as UTF-8.")
    assert (e.value.file, e.value.row) == ("s.yaml", 2)


def test_bytes_that_are_neither_utf8_nor_cp1252_get_the_plain_hint():
    data = b"a: 1\nb: 2\nc: \x81\n"  # 0x81 is undefined in cp1252 too; line 3
    with pytest.raises(ScenarioError) as e:
        decode_text(data, "s.yaml")
    assert e.value.reason == "the file is not UTF-8 text (byte 0x81). Save it as UTF-8."
    assert e.value.row == 3


def test_nul_characters_are_refused():
    with pytest.raises(ScenarioError) as e:
        decode_text(b"a: 1\x00\n", "s.yaml")
    assert (e.value.reason, e.value.file) == ("the file contains NUL characters: not a text file", "s.yaml")


def test_suggest_names_the_closest_choice_or_nothing():
    assert suggest("adds", ["add", "close", "merge"]) == " (did you mean 'add'?)"
    assert suggest("zzz", ["add", "close", "merge"]) == ""
    # cutoff 0.6: 'mrg' vs 'merge' ratio 2*3/8 = 0.75 passes; 'xe' vs 'merge' 2*1/7 < 0.6 does not
    assert suggest("mrg", ["merge"]) == " (did you mean 'merge'?)"
    assert suggest("xe", ["merge"]) == ""


# --- atomic outputs -------------------------------------------------------------------------------


def test_a_folder_that_cannot_be_created_is_one_output_error():
    # /proc exists and is a folder, yet nothing can be created in it, not even by root
    with pytest.raises(OutputError) as e:
        atomic.write_atomic("/proc/planner-no-such/x.csv", "a")
    assert str(e.value).startswith("cannot create the folder /proc/planner-no-such: ")
    with pytest.raises(OutputError) as e:
        with atomic.atomic_folder("/proc/planner-no-such/out"):
            pass
    assert str(e.value).startswith("cannot create the parent folder of /proc/planner-no-such: ")


def test_a_folder_where_nothing_can_be_written_is_one_output_error():
    with pytest.raises(OutputError) as e:
        atomic.write_atomic("/proc/x.csv", "a")
    assert str(e.value).startswith("cannot write to /proc: ")
    with pytest.raises(OutputError) as e:
        with atomic.atomic_folder("/proc/planner-out"):
            pass
    assert str(e.value).startswith("cannot write to /proc: ")


def test_a_file_in_the_way_of_the_parent_is_named(tmp_path):
    f = tmp_path / "notes.txt"
    f.write_text("mine")
    with pytest.raises(OutputError) as e:
        atomic.check_out_folder(f / "sub" / "out")
    assert str(e.value) == f"--out {f / 'sub' / 'out'}: {f} is a file, not a folder"
    with pytest.raises(OutputError) as e:
        atomic.check_out_file(f / "x.csv", "--report")
    assert str(e.value) == f"--report {f / 'x.csv'}: {f} is a file, not a folder"
    with pytest.raises(OutputError) as e:
        atomic.check_out_file(tmp_path, "--map")
    assert str(e.value) == f"--map {tmp_path} is a folder; give a file path such as {tmp_path}/<name>"
    with pytest.raises(OutputError) as e:
        atomic.check_out_folder(f)
    assert str(e.value) == f"--out {f} is a file; give a folder (new or existing)"
    assert f.read_text() == "mine"


def test_a_full_disk_while_writing_a_file_says_so_and_keeps_the_old_file(tmp_path):
    out = tmp_path / "a.csv"
    out.write_text("old")
    with pytest.raises(OutputError) as e:
        with atomic.atomic_file(out, "--table"):
            with open("/dev/full", "wb") as full:  # a real ENOSPC
                full.write(b"x" * 10)
    msg = str(e.value)
    assert msg.startswith(f"cannot write {out}: ")
    assert msg.endswith(" (the disk is full); the previous file, if any, is unchanged")
    assert out.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.csv"]  # no partial file left


def test_a_full_disk_while_writing_a_folder_says_so_and_keeps_the_old_folder(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "a.csv").write_text("old")
    with pytest.raises(OutputError) as e:
        with atomic.atomic_folder(out) as stage:
            (stage / "a.csv").write_text("new")
            with open("/dev/full", "wb") as full:
                full.write(b"x" * 10)
    msg = str(e.value)
    assert msg.startswith(f"cannot write {out}: ")
    assert msg.endswith(" (the disk is full); the previous output, if any, is unchanged")
    assert (out / "a.csv").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_another_os_error_is_not_called_a_full_disk(tmp_path):
    out = tmp_path / "a.csv"
    with pytest.raises(OutputError) as e:
        with atomic.atomic_file(out):
            open(tmp_path / "missing" / "x", "rb")  # ENOENT
    assert "(the disk is full)" not in str(e.value)
    assert str(e.value).endswith("; the previous file, if any, is unchanged")
    assert not out.exists()


def test_an_output_error_inside_passes_through_unchanged(tmp_path):
    with pytest.raises(OutputError) as e:
        with atomic.atomic_file(tmp_path / "a.csv"):
            raise OutputError("my own words")
    assert str(e.value) == "my own words"
    with pytest.raises(OutputError) as e:
        with atomic.atomic_folder(tmp_path / "run"):
            raise OutputError("my own words too")
    assert str(e.value) == "my own words too"
    assert list(tmp_path.iterdir()) == []


def test_write_atomic_writes_text_as_utf8_and_bytes_as_given(tmp_path):
    p = atomic.write_atomic(tmp_path / "sub" / "a.txt", "Järvenpää")
    assert p == tmp_path / "sub" / "a.txt"
    assert p.read_bytes() == "Järvenpää".encode()
    atomic.write_atomic(p, b"\xff\x00")
    assert p.read_bytes() == b"\xff\x00"


def test_a_users_link_and_subfolder_are_carried_into_the_new_set(tmp_path):
    out = tmp_path / "run"
    with atomic.atomic_folder(out) as stage:
        (stage / "a.csv").write_text("first")
    (out / "notes").mkdir()
    (out / "notes" / "n.txt").write_text("mine")
    os.symlink("notes/n.txt", out / "link.txt")
    with atomic.atomic_folder(out) as stage:
        (stage / "b.csv").write_text("second")
    assert sorted(p.name for p in out.iterdir()) == [atomic.MANIFEST, "b.csv", "link.txt", "notes"]
    assert (out / "notes" / "n.txt").read_text() == "mine"
    assert (out / "link.txt").is_symlink() and os.readlink(out / "link.txt") == "notes/n.txt"
    assert (out / atomic.MANIFEST).read_text(encoding="utf-8") == "b.csv\n"


def test_a_manifest_cannot_make_the_planner_remove_what_is_outside_or_itself(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    (out / "gone.csv").write_text("planner's")
    (out / atomic.MANIFEST).write_text("gone.csv\n.\n..\nsub/x\n", encoding="utf-8")
    with atomic.atomic_folder(out) as stage:
        (stage / "new.csv").write_text("x")
    assert sorted(p.name for p in out.iterdir()) == [atomic.MANIFEST, "keep.txt", "new.csv"]


def test_a_data_folder_without_manifest_holds_only_what_was_written(tmp_path):
    out = tmp_path / "m"
    with atomic.atomic_folder(out, manifest=False) as stage:
        (stage / "x.npy").write_bytes(b"1")
    assert [p.name for p in out.iterdir()] == ["x.npy"]


def test_the_fallback_swap_puts_old_at_stage_and_new_at_out(tmp_path, monkeypatch):
    """Where renameat2 is missing: two renames, the old set ends where the new one was."""
    monkeypatch.setattr(atomic, "_exchange", lambda a, b: False)
    out, stage = tmp_path / "out", tmp_path / "stage"
    out.mkdir()
    stage.mkdir()
    (out / "v").write_text("old")
    (stage / "v").write_text("new")
    atomic._swap(stage, out)
    assert (out / "v").read_text() == "new" and (stage / "v").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "stage"]


def test_the_fallback_swap_restores_out_when_the_second_rename_fails(tmp_path, monkeypatch):
    monkeypatch.setattr(atomic, "_exchange", lambda a, b: False)
    out = tmp_path / "out"
    out.mkdir()
    (out / "v").write_text("old")
    with pytest.raises(OSError):
        atomic._swap(tmp_path / "missing-stage", out)
    assert (out / "v").read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_the_exchange_reports_a_missing_path_as_an_os_error(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    try:
        swapped = atomic._exchange(a, b)
    except OSError as exc:
        assert exc.errno == errno.ENOENT and exc.filename == str(b)
    else:
        assert swapped is False  # a system without renameat2
    b.mkdir()
    (a / "x").write_text("a")
    if atomic._exchange(a, b):
        assert (b / "x").read_text() == "a" and not (a / "x").exists()


def test_clean_stale_of_a_missing_parent_or_foreign_names_removes_nothing(tmp_path):
    assert atomic.clean_stale(tmp_path / "nope" / "out") == []
    out = tmp_path / "out"
    other = tmp_path / ".out.backup"  # the prefix but not the planner's layout: the user's
    other.write_text("mine")
    old = os.path.getmtime(other) - atomic.STALE_AFTER_S - 10
    os.utime(other, (old, old))
    assert atomic.clean_stale(out) == []
    assert other.exists()


def test_a_legacy_leftover_goes_only_when_older_than_a_day(tmp_path):
    out = tmp_path / "out"
    young = tmp_path / ".out.partial-abc"  # the layout without host and pid
    old = tmp_path / ".out.old-def"
    young.mkdir()
    old.write_text("x")
    t = os.path.getmtime(old)
    os.utime(old, (t - atomic.STALE_AFTER_S - 5, t - atomic.STALE_AFTER_S - 5))
    os.utime(young, (t - atomic.STALE_AFTER_S + 60, t - atomic.STALE_AFTER_S + 60))
    assert atomic.clean_stale(out) == [old]
    assert young.exists() and not old.exists()


def test_another_hosts_leftover_waits_a_day_whatever_its_pid(tmp_path):
    out = tmp_path / "out"
    foreign = tmp_path / f".out.partial-elsewhere{atomic._HOST}-1-abc"
    foreign.mkdir()
    assert atomic.clean_stale(out) == []  # young: kept (pid 1 of another host says nothing)
    t = os.path.getmtime(foreign) - atomic.STALE_AFTER_S - 1
    os.utime(foreign, (t, t))
    assert atomic.clean_stale(out) == [foreign]


def test_a_leftover_of_a_live_process_of_this_host_stays(tmp_path):
    out = tmp_path / "out"
    mine = tmp_path / f".out.partial-{atomic._HOST}-{os.getpid()}-abc"
    mine.mkdir()
    t = os.path.getmtime(mine) - 10 * atomic.STALE_AFTER_S
    os.utime(mine, (t, t))
    assert atomic.clean_stale(out) == []
    assert mine.exists()


def test_a_dead_runs_old_set_with_out_present_is_removed_not_restored(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "v").write_text("current")
    pid = 2 ** 22 + 12345  # above Linux's pid_max: no such process
    old = tmp_path / f".out.old-{atomic._HOST}-{pid}-abc"
    old.mkdir()
    (old / "v").write_text("older")
    assert atomic.clean_stale(out) == [old]
    assert (out / "v").read_text() == "current"


def test_the_process_check(tmp_path):
    assert atomic._alive(os.getpid()) is True
    assert atomic._alive(2 ** 22 + 12345) is False


def test_libyaml_parses_where_pyyaml_has_it():
    """libyaml's event check runs first (fast on 1 MB files): its own wording reaches the message."""
    if not safeyaml._FAST:
        pytest.skip("PyYAML without libyaml")
    with pytest.raises(ScenarioError) as e:
        safe_load("a: 1\nb: [1, 2\nc: 3\n", "s.yaml")
    assert e.value.reason == "not valid YAML: did not find expected ',' or ']'"

"""The golden-image dependency policy: pins, VCS/URL installs, --upgrade, Level 2 redefinitions."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from platform_constructs.errors import Problem
from platform_constructs.images import dependencies as deps

NAMES = st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,6}([-_.][A-Za-z0-9]{1,5}){0,2}", fullmatch=True)
VERSIONS = st.from_regex(r"[0-9]{1,2}(\.[0-9]{1,3}){0,3}", fullmatch=True)
LOOSE_SPECS = st.sampled_from(["", ">=1.0", "~=2.1", "<3", "==1.*", ">=1,<2", "!=1.5"])


def _lines(problems: tuple[Problem, ...]) -> list[int]:
    return [int(p.argument.rsplit(" ", 1)[1]) for p in problems]


def test_issue_example_names_torch_and_the_git_line_with_line_numbers() -> None:
    checked = deps.check_runtime(["torch", "pandas==2.0.3", "git+https://github.com/x/y"], source="runtime")
    assert _lines(checked.problems) == [1, 3]
    assert [p.value for p in checked.problems] == ["torch", "git+https://github.com/x/y"]
    assert "pin `torch`" in checked.problems[0].fix
    assert "VCS/URL" in checked.problems[1].fix
    assert checked.pins() == {"pandas": "2.0.3"}


def test_every_forbidden_form_is_reported_with_its_own_line() -> None:
    lines = [
        "# frozen 2026-11",          # 1 comment
        "",                          # 2 blank
        "numpy==1.24.3  # pinned",   # 3 ok
        "-U pandas==2.0.3",          # 4 upgrade
        "--upgrade",                 # 5 upgrade
        "-e ./local",                # 6 editable
        "mylib @ https://x/y.whl",   # 7 direct URL
        "https://x/pkg-1.0.tar.gz",  # 8 URL
        "--extra-index-url https://pypi.example.com/simple",  # 9 index
        "-r other.txt",              # 10 include
        "scikit-learn>=1.3",         # 11 unpinned
        "torch==2.*",                # 12 wildcard
        "scipy==1.11.4 \\",          # 13 continuation, ok
        "    --hash=sha256:abc",     # 14 (part of 13)
        "Numpy==1.25.0",             # 15 duplicate at another version (PEP 503 name)
        "!!!",                       # 16 unparseable
    ]
    checked = deps.check_runtime(lines, source="runtime_requirements")
    assert _lines(checked.problems) == [4, 5, 6, 7, 8, 9, 10, 11, 12, 15, 16]
    assert checked.pins() == {"numpy": "1.24.3", "scipy": "1.11.4"}
    assert "line 3" in checked.problems[-2].fix


def test_level2_may_not_redefine_a_level1_pin_at_another_version() -> None:
    pins = {"numpy": "1.24.3", "scikit-learn": "1.3.0"}
    checked = deps.check_project(
        ["requests==2.31.0", "NumPy==1.25.0", "scikit_learn", "scikit-learn==1.3.0", "numpy<1.24", "boto3"],
        source="requirements", runtime_pins=pins)
    assert _lines(checked.problems) == [2, 5]
    assert "`numpy==1.24.3`" in checked.problems[0].fix


def test_frozen_text_drops_comments_and_keeps_requirements() -> None:
    checked = deps.check_runtime(["# c", "torch==2.1.0  # gpu", "", "pandas==2.0.3"], source="r")
    assert checked.frozen_text() == "torch==2.1.0\npandas==2.0.3\n"


def test_a_path_is_read_as_a_requirements_file(tmp_path: Path) -> None:
    frozen = tmp_path / "requirements-frozen.txt"
    frozen.write_text("torch==2.1.0\ntransformers\n", encoding="utf-8")
    lines, source, problem = deps.read_requirements(str(frozen), argument="runtime_requirements")
    assert problem is None and lines == ["torch==2.1.0", "transformers"]
    assert str(frozen) in source
    _, _, missing = deps.read_requirements(str(tmp_path / "nope.txt"), argument="runtime_requirements")
    assert missing is not None and missing.argument == "runtime_requirements"


@given(st.lists(st.tuples(NAMES, VERSIONS), min_size=1, max_size=15, unique_by=lambda t: deps.normalize(t[0])))
def test_pinned_lines_always_pass(pairs: list[tuple[str, str]]) -> None:
    checked = deps.check_runtime([f"{n}=={v}" for n, v in pairs], source="r")
    assert checked.problems == ()
    assert checked.pins() == {deps.normalize(n): v for n, v in pairs}


@given(st.lists(st.tuples(NAMES, VERSIONS, st.booleans()), min_size=1, max_size=15,
                unique_by=lambda t: deps.normalize(t[0])), LOOSE_SPECS)
def test_exactly_the_unpinned_lines_are_reported(entries: list[tuple[str, str, bool]], loose: str) -> None:
    lines = [f"{n}=={v}" if pinned else f"{n}{loose}" for n, v, pinned in entries]
    checked = deps.check_runtime(lines, source="r")
    expected = [i for i, (_, _, pinned) in enumerate(entries, start=1) if not pinned]
    assert _lines(checked.problems) == expected


@given(NAMES, st.sampled_from(["-", "_", ".", "--", "_."]))
def test_names_are_compared_after_pep503_normalisation(name: str, separator: str) -> None:
    variant = name.upper().replace("-", separator).replace("_", separator).replace(".", separator)
    checked = deps.check_project([f"{variant}==0.0.1"], source="r", runtime_pins={deps.normalize(name): "9.9.9"})
    assert _lines(checked.problems) == [1]

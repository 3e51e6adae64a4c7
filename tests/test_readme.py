"""The README is for users: short, in line with the command's help and the settings, free of project history."""

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")


def _help_commands(*group: str) -> set[str]:
    """Command names in `claimgraph [group] --help`."""
    out = subprocess.run(
        [sys.executable, "-m", "service", *group, "--help"], capture_output=True, text=True, cwd=REPO, timeout=120
    ).stdout
    listed = out.split("Commands:", 1)[1]
    return {line.split()[0] for line in listed.splitlines() if line.startswith("  ") and line.split()}


def test_the_command_list_matches_the_help():
    block = re.search(r"## Commands\n\n```bash\n(.*?)```", README, re.S)
    assert block is not None, "the README has no command list"
    listed = [line.split()[1:3] for line in block.group(1).splitlines() if line.startswith("claimgraph ")]
    top = {words[0] for words in listed}
    assert top == _help_commands()
    groups = {words[0] for words in listed if words[0] in ("reference", "annotations")}
    for group in groups:
        assert {w[1] for w in listed if w[0] == group} == _help_commands(group)


def test_every_setting_is_in_the_configuration_table():
    from service.settings import Settings

    for name in Settings.model_fields:
        assert f"CLAIMGRAPH_{name.upper()}" in README, f"CLAIMGRAPH_{name.upper()} is not documented"


def test_readme_is_short_links_what_exists_and_tells_no_history():
    assert len(README.encode("utf-8")) <= 15_000  # 15 KB: what it does, how to run it, current figures
    for target in re.findall(r"\]\(([^)#]+)\)", README):
        assert (REPO / target).exists(), target
    for pattern in (r"\bsession\b", r"\bissue \d", r"\bengineer", r"\brun \d\b", r"\bthis session\b"):
        assert not re.search(pattern, README, re.I), pattern
    docs = (REPO / "docs" / "measurements.md").read_text(encoding="utf-8")
    assert not re.search(r"\bsession|\bissue \d|\bengineer", docs, re.I)

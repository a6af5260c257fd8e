import os
from pathlib import Path

import pytest

from routing.municipality_file import load_demo_municipality
from routing.rule_file import load_default_rules

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def default_rules():
    return load_default_rules()


@pytest.fixture(scope="session")
def demo_city():
    return load_demo_municipality()


@pytest.fixture(scope="session")
def dev_jsonl() -> Path:
    """../shared/eval/dev.jsonl beside the repo (CI), else /work/shared/eval; absent only outside CI."""
    candidates = [Path(os.environ["MARUGOTO_DEV_JSONL"])] if os.environ.get("MARUGOTO_DEV_JSONL") else []
    candidates += [REPO_ROOT.parent / "shared/eval/dev.jsonl", Path("/work/shared/eval/dev.jsonl")]
    for path in candidates:
        if path.is_file():
            return path
    if os.environ.get("CI") == "true":
        pytest.fail(f"dev.jsonl is missing in CI; looked at: {', '.join(map(str, candidates))}")
    pytest.skip("dev.jsonl is not beside the repo")

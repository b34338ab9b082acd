"""bench/suite_durations.py: seconds per test module from JUnit XML, and the change between two runs."""

from tests.support.bench import load_bench

REPORT = """<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest">
<testcase classname="tests.worker.test_cli" name="a" time="{cli_a}" />
<testcase classname="tests.worker.test_cli" name="b" time="{cli_b}" />
<testcase classname="tests.backend.test_events" name="c" time="{events}" />
</testsuite></testsuites>"""


def test_module_times_add_up_and_the_change_is_after_minus_before(tmp_path, capsys):
    durations = load_bench("suite_durations")
    before, after = tmp_path / "before.xml", tmp_path / "after.xml"
    before.write_text(REPORT.format(cli_a=30.0, cli_b=12.5, events=4.0))
    after.write_text(REPORT.format(cli_a=8.0, cli_b=2.5, events=4.5))
    assert durations.module_seconds(before) == {"tests.worker.test_cli": 42.5, "tests.backend.test_events": 4.0}

    assert durations.main([str(before), str(after)]) == 0

    rows = [line.split() for line in capsys.readouterr().out.splitlines()]
    assert rows[0] == ["module", "before", "after", "change"]
    assert rows[1:] == [["tests.worker.test_cli", "42.5", "10.5", "-32.0"],
                        ["tests.backend.test_events", "4.0", "4.5", "+0.5"],
                        ["total", "46.5", "15.0", "-31.5"]]

"""`marugoto demo --no-serve`: seeds the demo city once; a re-run only renews the admin password."""

from sqlalchemy import select

from bot.cli.main import cli
from bot.services import build_services
from console.passwords import verify_password
from routing.municipality_file import load_demo_municipality
from storage.models import Queue, RuleSetVersion, StaffUser


def test_demo_seeds_queues_agencies_rules_and_an_admin(runner, tmp_path, settings):
    env = {"MARUGOTO_VAR_DIR": str(tmp_path / "var"), "MARUGOTO_DATABASE_URL": settings.database_url}
    first = runner.invoke(cli, ["demo", "--no-serve"], env=env)
    assert first.exit_code == 0, first.output
    second = runner.invoke(cli, ["demo", "--no-serve"], env=env)
    assert second.exit_code == 0, second.output
    first_password = first.output.split("one-time password: ")[1].split()[0]
    second_password = second.output.split("one-time password: ")[1].split()[0]
    assert first_password != second_password

    city = load_demo_municipality()
    services = build_services(settings)
    with services.sessions() as session:
        queues = session.scalars(select(Queue)).all()
        assert {q.key for q in queues if q.kind == "queue"} == {q.key for q in city.queues}
        assert {q.key for q in queues if q.kind == "agency"} == {a.key for a in city.agencies}
        assert [v.version for v in session.scalars(select(RuleSetVersion))] == [1]
        (admin,) = session.scalars(select(StaffUser)).all()
        assert admin.role == "admin" and admin.must_change_password
        assert verify_password(admin.password_hash, second_password)
        assert not verify_password(admin.password_hash, first_password)
    services.close()

"""Key rotation: every encrypted column moves to the active key, resumably; old keys are then unneeded."""

import base64

from sqlalchemy import select

from bot.cli.main import cli
from bot.settings import Settings
from storage.crypto import Cipher
from storage.db import make_engine, make_session_factory
from storage.encrypted_columns import CASE_NOTE_BODY, ENCRYPTED_COLUMNS, STAFF_TOTP_SECRET
from storage.key_rotation import count_key_ids, rotate_batch
from storage.models import AuditEvent, Base, CaseNote, InboundEvent, Message, Resident, StaffUser
from storage.repositories.cases import add_message, create_case, message_text
from storage.repositories.inbound import inbound_payload, store_inbound_event
from storage.repositories.residents import get_or_create_resident, get_resident_by_user_id, resident_user_id

HASH_KEY = b"h" * 32
OLD = ("old", b"o" * 32)
NEW = ("new", b"n" * 32)


def _b64(key: bytes) -> str:
    return base64.urlsafe_b64encode(key).decode()


def _env(tmp_path, url, keys):
    return {
        "MARUGOTO_VAR_DIR": str(tmp_path / "var"),
        "MARUGOTO_DATABASE_URL": url,
        "MARUGOTO_ENCRYPTION_KEYS": ",".join(f"{kid}:{_b64(key)}" for kid, key in keys),
        "MARUGOTO_HASH_KEY": _b64(HASH_KEY),
    }


def _seed(sessions, cipher, n_messages=5):
    """One row in every encrypted column, several messages; returns the plaintexts by label."""
    with sessions.begin() as session:
        resident = get_or_create_resident(session, cipher, "U0123456789abcdef", channel="line")
        case = create_case(session, resident, channel="line")
        for i in range(n_messages):
            add_message(session, cipher, case, sender="resident", text=f"母の介護が{i}")
        store_inbound_event(session, cipher, webhook_event_id="ev1", event_type="message",
                            resident_hash=resident.user_hash, payload_json='{"text": "秘密"}',
                            redelivery=False, event_at=None)
        staff = StaffUser(login="sato", display_name="佐藤", password_hash="x",
                          totp_secret_enc=STAFF_TOTP_SECRET.encrypt(cipher, "JBSWY3DPEHPK3PXP"))
        session.add(staff)
        session.flush()
        session.add(CaseNote(case_id=case.id, staff_id=staff.id, body_enc=CASE_NOTE_BODY.encrypt(cipher, "面談メモ")))


def _read_everything(sessions, cipher):
    with sessions() as session:
        return {
            "user_ids": [resident_user_id(cipher, r) for r in session.scalars(select(Resident))],
            "messages": sorted(message_text(cipher, m) for m in session.scalars(select(Message))),
            "payloads": [inbound_payload(cipher, e) for e in session.scalars(select(InboundEvent))],
            "notes": [CASE_NOTE_BODY.decrypt(cipher, n.body_enc) for n in session.scalars(select(CaseNote))],
            "totp": [STAFF_TOTP_SECRET.decrypt(cipher, s.totp_secret_enc) for s in session.scalars(select(StaffUser))],
        }


def test_every_mapped_encrypted_column_is_registered():
    """A new `*_enc` column that is not in the registry would never be rotated: this fails then."""
    registered = {(entry.model.__tablename__, entry.attribute) for entry in ENCRYPTED_COLUMNS}
    mapped = {
        (mapper.local_table.name, column.key)
        for mapper in Base.registry.mappers
        for column in mapper.columns
        if column.key.endswith("_enc")
    }
    assert mapped == registered
    assert len({entry.context for entry in ENCRYPTED_COLUMNS}) == len(ENCRYPTED_COLUMNS)


def test_rotate_then_read_everything_with_the_new_key_alone(runner, tmp_path, database_url):
    engine = make_engine(database_url)
    sessions = make_session_factory(engine)
    _seed(sessions, Cipher([OLD], HASH_KEY))
    before = _read_everything(sessions, Cipher([OLD], HASH_KEY))

    result = runner.invoke(cli, ["keys", "rotate", "--batch-size", "2"], env=_env(tmp_path, database_url, [NEW, OLD]))
    assert result.exit_code == 0, result.output
    assert "messages.body_enc: 5 rows re-encrypted to key new" in result.output
    assert "messages.body_enc: 4 re-encrypted so far" in result.output  # batches of two

    assert _read_everything(sessions, Cipher([NEW], HASH_KEY)) == before
    with sessions() as session:
        for entry in ENCRYPTED_COLUMNS:
            assert set(count_key_ids(session, entry)) <= {"new"}
        audit = session.scalars(select(AuditEvent).where(AuditEvent.action == "keys.rotate")).one()
        assert audit.detail["rows"]["residents.user_id_enc"] == 1 and "母" not in str(audit.detail)

    check = runner.invoke(cli, ["keys", "rotate", "--check"], env=_env(tmp_path, database_url, [NEW]))
    assert check.exit_code == 0, check.output
    assert "messages.body_enc: new=5" in check.output
    engine.dispose()


def test_an_interrupted_rotation_resumes_where_it_stopped(runner, tmp_path, sqlite_url):
    engine = make_engine(sqlite_url)
    sessions = make_session_factory(engine)
    _seed(sessions, Cipher([OLD], HASH_KEY))
    both = Cipher([NEW, OLD], HASH_KEY)
    message_column = next(e for e in ENCRYPTED_COLUMNS if e.label == "messages.body_enc")
    with sessions.begin() as session:  # the first batch of a run that was then killed
        assert rotate_batch(session, both, message_column, batch_size=3) == 3
    with sessions() as session:
        assert count_key_ids(session, message_column) == {"new": 3, "old": 2}

    check = runner.invoke(cli, ["keys", "rotate", "--check"], env=_env(tmp_path, sqlite_url, [NEW, OLD]))
    assert check.exit_code == 1 and "messages.body_enc: new=3, old=2" in check.output

    result = runner.invoke(cli, ["keys", "rotate"], env=_env(tmp_path, sqlite_url, [NEW, OLD]))
    assert result.exit_code == 0, result.output
    assert "messages.body_enc: 2 rows re-encrypted to key new" in result.output
    assert len(_read_everything(sessions, Cipher([NEW], HASH_KEY))["messages"]) == 5
    engine.dispose()


def test_a_row_under_an_unknown_key_stops_rotation_with_a_clear_error(runner, tmp_path, sqlite_url):
    engine = make_engine(sqlite_url)
    sessions = make_session_factory(engine)
    _seed(sessions, Cipher([OLD], HASH_KEY))
    result = runner.invoke(cli, ["keys", "rotate"], env=_env(tmp_path, sqlite_url, [NEW]))
    assert result.exit_code == 1
    assert "key_rotation_failed: residents.user_id_enc row 1" in result.output
    # Nothing was lost: the old key still reads every row.
    assert len(_read_everything(sessions, Cipher([OLD], HASH_KEY))["messages"]) == 5
    engine.dispose()


def test_generate_prints_a_key_the_settings_accept(runner, tmp_path):
    result = runner.invoke(cli, ["keys", "generate", "--kid", "k2"])
    assert result.exit_code == 0
    line = result.stdout.strip()
    assert line.startswith("k2:")
    settings = Settings.from_env({"MARUGOTO_ENCRYPTION_KEYS": line, "MARUGOTO_HASH_KEY": _b64(HASH_KEY),
                                  "MARUGOTO_SECRET_KEY": "x" * 20, "MARUGOTO_VAR_DIR": str(tmp_path)})
    assert settings.encryption_keys[0][0] == "k2" and len(settings.encryption_keys[0][1]) == 32
    assert runner.invoke(cli, ["keys", "generate", "--kid", "bad-id"]).exit_code != 0


def test_rehash_moves_lookups_to_the_new_hash_key_and_is_resumable(runner, tmp_path, database_url):
    """After --rehash the resident is found under the new hash key only, with their raw events."""
    engine = make_engine(database_url)
    sessions = make_session_factory(engine)
    _seed(sessions, Cipher([OLD], HASH_KEY))
    new_hash_key = b"H" * 32
    env = {**_env(tmp_path, database_url, [OLD]), "MARUGOTO_HASH_KEY": _b64(new_hash_key)}

    refused = runner.invoke(cli, ["keys", "rotate", "--rehash"], env=env)
    assert refused.exit_code == 2 and "MARUGOTO_PREVIOUS_HASH_KEY" in refused.output

    env["MARUGOTO_PREVIOUS_HASH_KEY"] = _b64(HASH_KEY)
    result = runner.invoke(cli, ["keys", "rotate", "--rehash"], env=env)
    assert result.exit_code == 0, result.output
    assert "residents: 1 lookup hashes moved" in result.output
    new = Cipher([OLD], new_hash_key)
    with sessions() as session:
        resident = get_resident_by_user_id(session, new, "U0123456789abcdef")
        assert resident is not None
        assert get_resident_by_user_id(session, Cipher([OLD], HASH_KEY), "U0123456789abcdef") is None
        assert [e.resident_hash for e in session.scalars(select(InboundEvent))] == [resident.user_hash]
        assert len(session.scalars(select(Resident)).all()) == 1

    again = runner.invoke(cli, ["keys", "rotate", "--rehash"], env=env)
    assert again.exit_code == 0 and "residents: 0 lookup hashes moved" in again.output
    engine.dispose()

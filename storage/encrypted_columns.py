"""Every encrypted column in one registry: model, attribute and the context bound as associated data.

Call sites encrypt and decrypt through these entries, and `marugoto keys rotate`
walks the same list, so a column added here is rotated too. A test checks that
every mapped `*_enc` column is registered, so a new one cannot be forgotten.
"""

from dataclasses import dataclass

from sqlalchemy.orm import InstrumentedAttribute

from storage.crypto import Cipher
from storage.models import Base, CaseNote, InboundEvent, Message, Resident, StaffUser


@dataclass(frozen=True)
class EncryptedColumn:
    model: type[Base]
    attribute: str
    context: str

    @property
    def label(self) -> str:
        return f"{self.model.__tablename__}.{self.attribute}"

    @property
    def column(self) -> InstrumentedAttribute:
        return getattr(self.model, self.attribute)

    def encrypt(self, cipher: Cipher, plaintext: str) -> str:
        return cipher.encrypt(plaintext, context=self.context)

    def decrypt(self, cipher: Cipher, token: str) -> str:
        return cipher.decrypt(token, context=self.context)


RESIDENT_USER_ID = EncryptedColumn(Resident, "user_id_enc", "residents.user_id")
MESSAGE_BODY = EncryptedColumn(Message, "body_enc", "messages.body")
CASE_NOTE_BODY = EncryptedColumn(CaseNote, "body_enc", "case_notes.body")
INBOUND_PAYLOAD = EncryptedColumn(InboundEvent, "payload_enc", "inbound_events.payload")
STAFF_TOTP_SECRET = EncryptedColumn(StaffUser, "totp_secret_enc", "staff_users.totp_secret")

ENCRYPTED_COLUMNS: tuple[EncryptedColumn, ...] = (
    RESIDENT_USER_ID,
    MESSAGE_BODY,
    CASE_NOTE_BODY,
    INBOUND_PAYLOAD,
    STAFF_TOTP_SECRET,
)

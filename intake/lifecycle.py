"""The case lifecycle as an explicit table; every status change is checked here.

intake (bot is talking) -> open (in a queue) -> assigned -> waiting (for the
resident) -> resolved; open or assigned can be referred to an agency's queue.
"""

TRANSITIONS: dict[str, frozenset[str]] = {
    "intake": frozenset({"open", "resolved"}),
    "open": frozenset({"assigned", "referred", "resolved"}),
    "assigned": frozenset({"open", "waiting", "referred", "resolved"}),
    "waiting": frozenset({"assigned", "open", "resolved"}),
    "referred": frozenset({"assigned", "open", "resolved"}),
    "resolved": frozenset({"open"}),
}

OUTCOMES: dict[str, str] = {
    "supported": "支援につながった",
    "referred_out": "他機関へつないだ",
    "information": "情報提供で終了",
    "no_contact": "連絡がとれず終了",
    "withdrawn": "相談者の希望で終了",
    "duplicate": "重複",
}


class InvalidTransition(Exception):
    code = "invalid_transition"

    def __init__(self, current: str, target: str):
        super().__init__(f"a case cannot go from {current} to {target}")
        self.current, self.target = current, target


def check_transition(current: str, target: str) -> None:
    if target not in TRANSITIONS.get(current, frozenset()):
        raise InvalidTransition(current, target)

"""Every resident-facing string of the conversation, by key.

A municipality may override any text. An override must keep exactly the
placeholders of the default (so no one can drop the emergency numbers or the
reference number by accident) and quick-reply labels must fit LINE's 20 characters.
"""

import string
from collections.abc import Mapping

from intake.errors import CatalogueError
from routing.facts import AGE_BAND_NAMES_JA, CONTACT_NAMES_JA

DEFAULTS: dict[str, str] = {
    # greeting and notice
    "greeting": (
        "{municipality}の福祉の相談窓口です。友だち追加ありがとうございます。\n"
        "暮らしや家族のこと、どんなことでも、このLINEで相談できます。名前を言わなくても大丈夫です。"
    ),
    "notice": (
        "書いていただいた内容は、{municipality}の相談担当者が読み、ご相談への対応のために大切に保管します。\n"
        "受付時間: {office_hours}\n受付時間内に、担当者が順番に読んでご連絡します。"
    ),
    "notice_closed": "いまは受付時間外です。ご相談はこのまま受け付けます。担当者が読むのは{next_opening}からになります。",
    "notice_emergency": "命や安全にかかわる緊急のときは、すぐにこちらへ電話してください。\n{contacts}",
    "contact_line": "・{name} {number}",
    "ask_concern": "どんなことでお困りですか？\nご自身の言葉で書いてください。何回かに分けても大丈夫です。",
    "welcome_back": "おかえりなさい。またお話しできてうれしいです。",
    # collecting the concern
    "concern_ack": (
        "ありがとうございます。ほかにもあれば、続けて書いてください。\n"
        "書き終わったら「これで全部です」を押してください。"
    ),
    "concern_empty": "まだご相談の内容を受け取っていないようです。どんなことでお困りか、書いてみてください。",
    "label_done": "これで全部です",
    "media": (
        "送っていただいたものは、担当者が見られるように保管します。\n"
        "ただ、こちらでは写真やスタンプの内容を読み取れません。ご相談は文字で書いていただけますか？"
    ),
    # emergency
    "emergency": (
        "命や安全にかかわる状況かもしれません。今すぐ危険なときは、ためらわずに電話してください。\n"
        "{contacts}\n\n{municipality}の担当者にも、このご相談を知らせました。"
    ),
    "emergency_closed": "いまは受付時間外のため、{municipality}からの連絡は遅れることがあります。今すぐ危険なときは、上の番号に電話してください。",
    # nothing detected: general information
    "offer_help": (
        "ありがとうございます。{municipality}の一般的なご案内はこちらです。\n{general_info}\n\n"
        "担当者に相談したいことがあれば、このままおつなぎします。"
    ),
    "label_connect": "担当者に相談する",
    "label_info_only": "案内だけで大丈夫",
    "info_only_done": "わかりました。またいつでも話しかけてください。",
    # questions
    "questions_intro": "ありがとうございます。担当者につなぐ前に、いくつか教えてください。答えたくないものは「わからない」で大丈夫です。",
    "q_whose": "これは、どなたについてのご相談ですか？",
    "label_whose_self": "自分のこと",
    "label_whose_family": "家族のこと",
    "label_whose_acquaintance": "知人・近所の人のこと",
    "q_age_self": "あなたの年代を教えてください。",
    "q_age_family": "ご心配なご家族の年代を教えてください。",
    "q_age_8050": "ご心配なご家族（お子さんなど）の年代を教えてください。",
    "q_age_acquaintance": "ご心配な方の、だいたいの年代を教えてください。",
    **{f"label_age_{band}": name for band, name in AGE_BAND_NAMES_JA.items()},
    "q_district": "お住まいの地区を教えてください。",
    "q_district_other": "ご心配な方がお住まいの地区を教えてください。",
    "q_contact": "担当者からのご連絡は、どの方法がよいですか？（まずはこのLINEで、ご都合をうかがいます）",
    "q_contact_private": (
        "担当者からのご連絡は、どの方法がよいですか？\n"
        "一緒に住んでいる方に知られたくないときは「このLINE」か「窓口」がおすすめです。"
    ),
    **{f"label_contact_{way}": name for way, name in CONTACT_NAMES_JA.items()},
    "q_consent": (
        "最後に、ご相談の内容を、{municipality}と関係機関（福祉・医療・学校など）が集まる"
        "「重層的支援会議」で共有して、一緒に支援を考えてもよいですか？\n"
        "「いいえ」でもご相談は受け付けます。その場合も、守秘義務のある「支援会議」で、"
        "必要な範囲の情報を共有することがあります。"
    ),
    "label_yes": "はい",
    "label_no": "いいえ",
    "label_unknown": "わからない",
    "reask": "すみません、うまく受け取れませんでした。書いていただいた内容は担当者に届けます。下のボタンから選んでいただけますか？",
    "skip_question": "ありがとうございます。この質問はとばして、次に進みますね。",
    "stale_button": "そのボタンは、いまは使えないようです。",
    # hand-off
    "handoff": "ご相談を受け付けました。\n受付番号: {case_ref}\n{summary}",
    "summary_line": "・{label}: {value}",
    "summary_whose": "どなたのこと",
    "summary_age_band": "年代",
    "summary_district": "地区",
    "summary_contact": "ご希望の連絡方法",
    "summary_consent": "会議での共有",
    "consent_granted": "同意する",
    "consent_declined": "同意しない（支援会議のみ）",
    "reply_open": "担当者が内容を読んで、まずこのLINEでご連絡します（目安: {reply_by}ごろまで）。",
    "reply_closed": (
        "いまは受付時間外です（受付時間: {office_hours}）。担当者が次の受付時間に内容を読み、"
        "まずこのLINEでご連絡します（目安: {reply_by}ごろまで）。"
    ),
    "meanwhile": (
        "それまでの間、伝えたいことが増えたら、このトークに書いてください。担当者に届きます。\n"
        "急に危険を感じたときは、{urgent_contacts}に電話してください。\n\n"
        "「最初から」で新しい相談、「終了」で会話の終わり、「削除」で記録の削除ができます。"
    ),
    "handed_off_reminder": "ご相談は担当者に届いています（受付番号: {case_ref}）。伝えたいことは、このトークに書いてください。",
    # commands
    "restart": "はじめからやり直します。",
    "restart_after_case": "受付番号 {case_ref} のご相談は、担当者に届いています。新しいご相談として、お聞きしますね。",
    "end": "ありがとうございました。ここで会話を終わります。\nまた話したくなったら、いつでもメッセージを送ってください。",
    "end_after_case": (
        "受付番号 {case_ref} のご相談は、担当者に届いています。担当者からこのLINEにご連絡することがあります。\n"
        "また話したくなったら、いつでもメッセージを送ってください。"
    ),
    "delete_confirm": (
        "これまでのご相談の内容と記録を削除します。削除すると、担当者はご相談の続きを対応できなくなります。"
        "法律で保存が必要な記録は、削除できないことがあります。\n削除してよろしいですか？"
    ),
    "label_delete_yes": "削除する",
    "label_delete_no": "やめる",
    "delete_reask": "削除する場合は「削除する」、やめる場合は「やめる」を押してください。",
    "delete_done": "削除を受け付けました。これまでのご相談の記録を削除します。\nまた相談したくなったら、いつでもメッセージを送ってください。",
    "delete_cancelled": "削除はしませんでした。",
    "delete_paused": "削除の手続きはいったん止めました。必要なら、あとでもう一度「削除」と送ってください。",
}

_FORMATTER = string.Formatter()


def placeholders(text: str) -> frozenset[str]:
    try:
        return frozenset(name for _, name, _, _ in _FORMATTER.parse(text) if name is not None)
    except ValueError as exc:
        raise CatalogueError(f"broken braces in {text!r}") from exc


def _check_override(key: str, text: object) -> None:
    if key not in DEFAULTS:
        raise CatalogueError(f"unknown message key {key!r}")
    if not isinstance(text, str) or not text.strip():
        raise CatalogueError(f"override {key!r} must be non-empty text")
    expected, found = placeholders(DEFAULTS[key]), placeholders(text)
    if found != expected:
        raise CatalogueError(
            f"override {key!r} must use exactly the placeholders {sorted(expected)}, found {sorted(found)}"
        )
    if key.startswith("label_") and len(text) > 20:
        raise CatalogueError(f"quick-reply label {key!r} is longer than 20 characters")


class Catalogue:
    def __init__(self, overrides: Mapping[str, str] | None = None):
        overrides = dict(overrides or {})
        for key, text in overrides.items():
            _check_override(key, text)
        self._texts = {**DEFAULTS, **overrides}

    def text(self, key: str, **values: str) -> str:
        try:
            template = self._texts[key]
        except KeyError:
            raise CatalogueError(f"unknown message key {key!r}") from None
        missing = placeholders(template) - set(values)
        if missing:
            raise CatalogueError(f"message {key!r} needs values for {sorted(missing)}")
        return template.format(**values)

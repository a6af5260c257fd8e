"""The baseline: the pattern of line-bot-sdk-python's own Flask examples.

Verify the signature, then classify and call the reply API inside the request
handler, synchronously. Same classifier, same gunicorn configuration, same
messages as marugoto; nothing stored. Run as
`python -m bot.bench.baseline_app --port P --workers N` (by `marugoto bench`).
Unlike the SDK's examples it does not log the request body.
"""

import argparse

from flask import Flask, abort, request
from linebot.v3 import WebhookHandler
from linebot.v3.exceptions import InvalidSignatureError
from linebot.v3.messaging import ApiClient, Configuration, MessagingApi, ReplyMessageRequest, TextMessage
from linebot.v3.webhooks import FollowEvent, MessageEvent, TextMessageContent

from nlp.classifier import load_classifier

GREETING = "相談窓口です。困っていることを自由に書いてください。"


def create_baseline_app(channel_secret: str, access_token: str, api_url: str) -> Flask:
    app = Flask(__name__)
    handler = WebhookHandler(channel_secret)
    configuration = Configuration(host=api_url, access_token=access_token)
    classifier = load_classifier()

    def reply(reply_token: str, text: str) -> None:
        with ApiClient(configuration) as api_client:
            MessagingApi(api_client).reply_message_with_http_info(
                ReplyMessageRequest(reply_token=reply_token, messages=[TextMessage(text=text)])
            )

    @handler.add(FollowEvent)
    def on_follow(event: FollowEvent) -> None:
        reply(event.reply_token, GREETING)

    @handler.add(MessageEvent, message=TextMessageContent)
    def on_text(event: MessageEvent) -> None:
        result = classifier.classify(event.message.text)
        domains = "、".join(result.domains) or "未分類"
        reply(event.reply_token, f"受け付けました（{domains}）。")

    @app.post("/callback")
    def callback():
        signature = request.headers.get("X-Line-Signature", "")
        body = request.get_data(as_text=True)
        try:
            handler.handle(body, signature)
        except InvalidSignatureError:
            abort(400)
        return "OK"

    @app.get("/readyz")
    def ready():
        return "ok"

    return app


def main() -> None:
    from bot.cli.serve import GunicornApplication
    from bot.gunicorn_config import gunicorn_options
    from bot.settings import Settings

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, required=True)
    args = parser.parse_args()
    settings = Settings.from_env()
    options = gunicorn_options(settings, host="127.0.0.1", port=args.port, workers=args.workers)
    GunicornApplication(
        lambda: create_baseline_app(
            settings.line_channel_secret, settings.line_channel_access_token, settings.line_api_url
        ),
        options,
    ).run()


if __name__ == "__main__":
    main()

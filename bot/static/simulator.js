// The resident simulator: sends what the resident does, polls for what they receive.
"use strict";

const USER_KEY = "marugoto-simulator-user";
const POLL_MS = 1500;
const MEDIA_LABELS = { sticker: "（スタンプ）", image: "（写真）", audio: "（音声）", video: "（動画）",
  file: "（ファイル）", location: "（位置情報）" };

const urls = document.querySelector("main").dataset;
let userId = localStorage.getItem(USER_KEY);
let lastId = 0;
let lastSeen = null; // the newest message, for its quick replies

const talk = document.getElementById("talk");
const quick = document.getElementById("quick");
const typing = document.getElementById("typing");
const statusLine = document.getElementById("status");

function newUserId() {
  const bytes = crypto.getRandomValues(new Uint8Array(15));
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return "Usim" + hex.slice(0, 29);
}

async function send(event) {
  statusLine.textContent = "";
  typing.hidden = event.kind === "unfollow";
  try {
    const answer = await fetch(urls.eventsUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ user_id: userId, ...event }),
    });
    if (!answer.ok) throw new Error(String(answer.status));
  } catch (error) {
    typing.hidden = true;
    statusLine.textContent = "送信できませんでした。もう一度お試しください。";
  }
  poll();
}

function bubbleText(message) {
  if (message.text) return message.text;
  return MEDIA_LABELS[message.kind] || "（メッセージ）";
}

function render(message) {
  const item = document.createElement("li");
  item.className = message.sender;
  const bubble = document.createElement("div");
  bubble.className = "bubble";
  if (message.sender === "staff") {
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = "担当者";
    bubble.append(who);
  }
  bubble.append(document.createTextNode(bubbleText(message)));
  item.append(bubble);
  talk.append(item);
}

function showQuickReplies() {
  quick.replaceChildren();
  if (!lastSeen || lastSeen.sender === "resident") return;
  for (const button of lastSeen.quick_replies) {
    const tap = document.createElement("button");
    tap.type = "button";
    tap.textContent = button.label;
    tap.addEventListener("click", () => send({ kind: "postback", data: button.data }));
    quick.append(tap);
  }
}

async function poll() {
  try {
    const answer = await fetch(`${urls.messagesUrl}?user_id=${encodeURIComponent(userId)}&after=${lastId}`);
    if (!answer.ok) return;
    const data = await answer.json();
    const fresh = data.messages.filter((message) => message.id > lastId); // polls may overlap
    for (const message of fresh) {
      render(message);
      lastId = message.id;
      lastSeen = message;
      if (message.sender !== "resident") typing.hidden = true;
    }
    if (fresh.length) {
      showQuickReplies();
      talk.scrollTop = talk.scrollHeight;
    }
  } catch (error) {
    statusLine.textContent = "サーバーに接続できません。";
  }
}

function startAsNewResident() {
  userId = newUserId();
  localStorage.setItem(USER_KEY, userId);
  talk.replaceChildren();
  quick.replaceChildren();
  lastId = 0;
  lastSeen = null;
  send({ kind: "follow" });
}

document.getElementById("compose").addEventListener("submit", (event) => {
  event.preventDefault();
  const box = document.getElementById("text");
  const text = box.value.trim();
  if (!text) return;
  box.value = "";
  send({ kind: "text", text });
});

document.querySelector(".menu").addEventListener("click", (event) => {
  const action = event.target.dataset && event.target.dataset.action;
  if (!action) return;
  event.currentTarget.open = false;
  if (action === "new-resident") startAsNewResident();
  else if (action === "unblock") send({ kind: "follow", data: "unblocked" });
  else send({ kind: action });
});

if (userId) poll();
else startAsNewResident();
setInterval(poll, POLL_MS);

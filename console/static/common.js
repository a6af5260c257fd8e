// Shared by every console page: CSRF header for fetch, the emergency bar, the alert sound.
"use strict";
(function () {
  const Marugoto = (window.Marugoto = {});
  let audio = null;
  let soundOn = false;

  Marugoto.csrf = function () { return document.body.dataset.csrf; };

  Marugoto.getJSON = async function (url) {
    const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (response.status === 401) { Marugoto.sessionEnded(); throw new Error("logged out"); }
    if (!response.ok) { throw new Error("HTTP " + response.status); }
    return response.json();
  };

  Marugoto.sessionEnded = function () {
    const bar = document.getElementById("emergency-bar");
    if (bar && !document.getElementById("session-ended")) {
      const p = document.createElement("p");
      p.id = "session-ended";
      p.className = "error";
      p.textContent = "ログインの有効期限が切れました。ページを読み込み直してログインしてください。";
      document.querySelector("main").prepend(p);
    }
  };

  // Browsers allow sound only after a user gesture: any click on the page unlocks it.
  function unlock() {
    if (!window.AudioContext) { return; }
    audio = audio || new AudioContext();
    if (audio.state === "suspended") { audio.resume(); }
    soundOn = true;
    const toggle = document.getElementById("sound-toggle");
    if (toggle) { toggle.textContent = "通知音: オン"; }
  }
  document.addEventListener("click", unlock, { once: false, capture: true });

  Marugoto.beep = function () {
    if (!soundOn || !audio) { return; }
    const start = audio.currentTime;
    [0, 0.35, 0.7].forEach(function (offset) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.type = "square";
      osc.frequency.value = 880;
      gain.gain.setValueAtTime(0.15, start + offset);
      gain.gain.exponentialRampToValueAtTime(0.001, start + offset + 0.25);
      osc.connect(gain).connect(audio.destination);
      osc.start(start + offset);
      osc.stop(start + offset + 0.26);
    });
  };

  const seen = new Set(JSON.parse(sessionStorage.getItem("marugoto-emergencies") || "[]"));
  let lastReminder = 0;
  const REMINDER_MS = 120000;

  // Show the unacknowledged emergencies; alert (sound + flash) when a new one appears.
  Marugoto.showEmergencies = function (pinned) {
    const bar = document.getElementById("emergency-bar");
    const list = document.getElementById("emergency-list");
    if (!bar || !list) { return; }
    list.replaceChildren();
    let fresh = false;
    pinned.forEach(function (row) {
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = row.url;
      a.textContent = row.reference;
      li.append(a, " " + (row.queue || "") + " ／ 待ち時間 " + row.waiting_for);
      list.append(li);
      if (!seen.has(row.id)) { fresh = true; seen.add(row.id); }
    });
    sessionStorage.setItem("marugoto-emergencies", JSON.stringify(Array.from(seen)));
    bar.hidden = pinned.length === 0;
    document.title = (pinned.length ? "【緊急 " + pinned.length + "件】" : "") + document.title.replace(/^【緊急 \d+件】/, "");
    const now = Date.now();
    if (fresh || (pinned.length && now - lastReminder > REMINDER_MS)) {
      lastReminder = now;
      bar.classList.remove("flash");
      void bar.offsetWidth;
      bar.classList.add("flash");
      Marugoto.beep();
    }
  };

  Marugoto.poll = function (seconds, task) {
    async function tick() {
      try { await task(); } catch (error) { if (error.message === "logged out") { return; } }
      setTimeout(tick, seconds * 1000);
    }
    tick();
  };

  // Forms that cannot be undone ask first (data-confirm holds the question).
  document.addEventListener("submit", function (event) {
    const question = event.target.dataset && event.target.dataset.confirm;
    if (question && !window.confirm(question)) { event.preventDefault(); event.stopImmediatePropagation(); }
  }, true);

  document.addEventListener("DOMContentLoaded", function () {
    const bar = document.getElementById("emergency-bar");
    // The queue page polls its own endpoint, which includes the emergencies.
    if (!bar || document.getElementById("queue-table")) { return; }
    Marugoto.poll(Number(bar.dataset.pollSeconds) || 5, async function () {
      const data = await Marugoto.getJSON(bar.dataset.pollUrl);
      Marugoto.showEmergencies(data.pinned);
    });
  });
})();

// The case page: canned replies, no double submit, live delivery status and new-message notice.
"use strict";
(function () {
  const DELIVERY_NAMES = { received: "受信", pending: "送信中", sent: "送信済み", failed: "送信失敗" };

  document.addEventListener("DOMContentLoaded", function () {
    const select = document.getElementById("canned-select");
    const textarea = document.getElementById("reply-body");
    if (select && textarea) {
      select.addEventListener("change", function () {
        const option = select.selectedOptions[0];
        if (option && option.dataset.body) {
          textarea.value = textarea.value ? textarea.value + "\n" + option.dataset.body : option.dataset.body;
          textarea.focus();
        }
        select.value = "";
      });
    }
    // A second click while the first submit is on its way does nothing (the server also dedupes).
    document.querySelectorAll("form.action").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (form.dataset.sent) { event.preventDefault(); return; }
        form.dataset.sent = "1";
        form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
      });
    });

    const head = document.getElementById("case-head");
    if (!head) { return; }
    const shown = Number(head.dataset.messageCount);
    window.Marugoto.poll(Number(head.dataset.pollSeconds) || 5, async function () {
      const data = await window.Marugoto.getJSON(head.dataset.statusUrl);
      data.deliveries.forEach(function (d) {
        const label = document.querySelector('[data-delivery-for="' + d.id + '"]');
        if (label && DELIVERY_NAMES[d.delivery_status]) {
          label.textContent = DELIVERY_NAMES[d.delivery_status];
          label.className = "delivery d-" + d.delivery_status;
          if (d.delivery_status === "failed" && !label.closest("li").querySelector(".retry")) {
            document.getElementById("case-update").hidden = false;
          }
        }
      });
      if (data.message_count > shown) { document.getElementById("case-update").hidden = false; }
    });
  });
})();

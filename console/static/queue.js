// The queue page: re-render the rows from the JSON API every few seconds (no reload).
"use strict";
(function () {
  function text(value) { return document.createTextNode(value == null ? "" : String(value)); }

  function span(cls, value) {
    const s = document.createElement("span");
    s.className = cls;
    s.textContent = value;
    return s;
  }

  function cell(children, cls) {
    const td = document.createElement("td");
    if (cls) { td.className = cls; }
    children.forEach(function (child) { td.append(child); });
    return td;
  }

  function renderRow(row, isNew) {
    const tr = document.createElement("tr");
    tr.dataset.id = row.id;
    const classes = [];
    if (row.emergency_pending) { classes.push("pinned"); }
    if (row.overdue) { classes.push("overdue-row"); }
    if (isNew) { classes.push("new-row"); }
    tr.className = classes.join(" ");
    const link = document.createElement("a");
    link.href = row.url;
    link.textContent = row.reference;
    const first = [link];
    if (!row.reachable) { first.push(text(" "), span("badge blocked", "ブロック")); }
    const tags = row.domains.map(function (d) { return span("tag", d); });
    if (row.complex) { tags.push(span("tag complex", "複合")); }
    row.patterns.forEach(function (p) { tags.push(span("tag pattern", p)); });
    tr.append(
      cell(first),
      cell([span("urgency u-" + row.urgency, row.urgency_name)]),
      cell([text(row.status_name)]),
      cell([text(row.queue)]),
      cell(tags),
      cell([text(row.district)]),
      cell([text(row.assignee)]),
      cell([text(row.waiting_for)]),
      cell([text(row.due_text)], row.overdue ? "overdue" : "")
    );
    return tr;
  }

  document.addEventListener("DOMContentLoaded", function () {
    const marker = document.getElementById("queue-updated");
    const body = document.getElementById("queue-body");
    if (!marker || !body) { return; }
    const known = new Set(Array.from(body.querySelectorAll("tr[data-id]")).map(function (tr) { return tr.dataset.id; }));
    window.Marugoto.poll(Number(marker.dataset.pollSeconds) || 5, async function () {
      const data = await window.Marugoto.getJSON(marker.dataset.pollUrl);
      const rows = data.cases.map(function (row) {
        const isNew = !known.has(String(row.id));
        known.add(String(row.id));
        return renderRow(row, isNew);
      });
      if (rows.length === 0) {
        const tr = document.createElement("tr");
        tr.className = "empty";
        const td = cell([text("該当する案件はありません。")]);
        td.colSpan = 9;
        tr.append(td);
        rows.push(tr);
      }
      body.replaceChildren.apply(body, rows);
      window.Marugoto.showEmergencies(data.pinned);
      marker.textContent = " 最終更新 " + new Date().toLocaleTimeString("ja-JP");
    });
  });
})();

// The Today board refreshes itself from /api/v1/today every 10 seconds (no reload).
"use strict";
(function () {
  var PERIOD_MS = 10000;
  function num(v, digits) {
    if (v === null || v === undefined) return "\u2013";
    return Number(v).toLocaleString("de-DE", { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }
  function wait(s) {
    if (s === null || s === undefined) return "\u2013";
    var whole = Math.floor(s);
    return Math.floor(whole / 60) + ":" + String(whole % 60).padStart(2, "0");
  }
  var show = {
    calls: function (r) { return num(r.calls, 0); },
    offered: function (r) { return num(r.offered, 0); },
    service_level: function (r) { return r.service_level === null ? "\u2013" : num(r.service_level, 1) + " %"; },
    asa_s: function (r) { return r.asa_s === null ? "\u2013" : num(r.asa_s, 1) + " s"; },
    abandon_rate: function (r) { return r.abandon_rate === null ? "\u2013" : num(r.abandon_rate, 1) + " %"; },
    waiting: function (r) { return num(r.waiting, 0); },
    longest_wait_s: function (r) { return wait(r.longest_wait_s); },
    tickets_open: function (r) {
      return num(r.tickets_open, 0) + (r.tickets_overdue ? " (" + r.tickets_overdue + " overdue)" : "");
    }
  };
  function update(row, data) {
    if (!row) return;
    row.querySelectorAll("[data-k]").forEach(function (cell) {
      var key = cell.getAttribute("data-k");
      cell.textContent = show[key](data);
      if (key === "waiting") cell.classList.toggle("hot", !!data.waiting);
    });
  }
  function refresh() {
    fetch("/api/v1/today", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.status === 401) { window.location.assign("/login?next=/"); return null; }
        return response.ok ? response.json() : null;
      })
      .then(function (board) {
        if (!board) return;
        board.tenants.forEach(function (r) {
          update(document.querySelector('#today tr[data-tenant="' + CSS.escape(r.tenant) + '"]'), r);
        });
        if (board.total) update(document.querySelector('#today tr[data-tenant="all"]'), board.total);
        document.getElementById("as-of").textContent = board.as_of.substring(11, 16);
        document.getElementById("live-warning").hidden = board.live;
        document.body.setAttribute("data-refreshed", board.as_of);
      })
      .catch(function () { /* keep the last figures; the next poll tries again */ });
  }
  window.setInterval(refresh, PERIOD_MS);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) refresh(); });
})();

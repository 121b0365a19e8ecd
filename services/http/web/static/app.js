// The quota meter of a leader's board, updated as levels are chosen (no inline script; CSP
// allows scripts from this site only). The decision itself is checked by the server.
(function () {
  "use strict";
  function update() {
    var form = document.getElementById("board-form");
    if (!form) { return; }
    var chosen = {};
    var decided = {};
    form.querySelectorAll("select.level-choice").forEach(function (s) {
      if (s.value) { chosen[s.value] = (chosen[s.value] || 0) + 1; }
    });
    form.querySelectorAll("[data-decided-level]").forEach(function (li) {
      var l = li.getAttribute("data-decided-level");
      decided[l] = (decided[l] || 0) + 1;
    });
    document.querySelectorAll(".meter[data-level]").forEach(function (m) {
      var level = m.getAttribute("data-level");
      var used = Number(m.getAttribute("data-taken")) + (chosen[level] || 0);
      var cap = Number(m.getAttribute("data-cap"));
      if (m.getAttribute("data-base") === "good") {
        var good = (decided.B || 0) + (chosen.B || 0);
        cap = Math.floor(good * Number(m.getAttribute("data-share")) + 1e-9);
      }
      var bar = m.querySelector("meter");
      var out = m.querySelector("output");
      var flag = m.querySelector(".over");
      bar.max = Math.max(cap, 1);
      bar.value = used;
      out.textContent = out.textContent.replace(/^\d+(.*?)\d+$/, used + "$1" + cap);
      m.classList.toggle("over", used > cap);
      flag.hidden = used <= cap;
    });
  }
  // Reasons are required when the decision departs from the proposal or the self-assessment
  // (the server says so too, on the line; this only says it before sending).
  function reasons(select) {
    var line = select.closest("li.line");
    var box = line && line.querySelector("textarea");
    if (!box) { return; }
    var basis = (line.getAttribute("data-basis") || "").split(" ").filter(Boolean);
    box.required = Boolean(select.value) && basis.some(function (b) { return b !== select.value; });
  }
  document.addEventListener("change", function (e) {
    if (e.target && e.target.classList && e.target.classList.contains("level-choice")) {
      reasons(e.target);
      update();
    }
  });
  document.addEventListener("DOMContentLoaded", update);
  document.addEventListener("htmx:afterSettle", update);
})();

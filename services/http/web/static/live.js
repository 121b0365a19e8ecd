// Live results: when the page holds #results-live, open the site's own socket (/live; the
// session cookie identifies the person, no token reaches this script) and, when a result is
// published or amended, reload the table in place and say so in the live region.
(function () {
  "use strict";
  var socket = null;
  var seen = null;
  function refresh(count) {
    var box = document.getElementById("results-live");
    if (!box) { return; }
    if (seen !== null && count !== seen && window.htmx) {
      window.htmx.ajax("GET", window.location.pathname, {target: "#results-live", select: "#results-live", swap: "outerHTML"}).then(function () {
        var say = document.getElementById("live-status");
        if (say) { say.textContent = say.getAttribute("data-arrived"); say.hidden = false; }
      });
    }
    seen = count;
  }
  function connect() {
    var box = document.getElementById("results-live");
    if (!box) {
      if (socket) { socket.close(1000); socket = null; seen = null; }
      return;
    }
    if (socket) { return; }
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + window.location.host + "/live", "graphql-transport-ws");
    socket.onopen = function () { socket.send(JSON.stringify({type: "connection_init"})); };
    socket.onmessage = function (event) {
      var m = JSON.parse(event.data);
      if (m.type === "connection_ack") {
        socket.send(JSON.stringify({id: "results", type: "subscribe", payload: {operationName: "WebMyResultsLive"}}));
      } else if (m.type === "next" && m.payload && m.payload.data && m.payload.data.myResults) {
        var published = m.payload.data.myResults.filter(function (r) { return r.publishedAt; });
        refresh(published.map(function (r) { return r.periodId + r.level + r.score; }).join("|"));
        var box2 = document.getElementById("results-live");
        if (box2) { box2.setAttribute("data-connected", "yes"); }
      }
    };
    socket.onclose = function () { socket = null; };
  }
  document.addEventListener("DOMContentLoaded", connect);
  document.addEventListener("htmx:afterSettle", connect);
})();

/* Live dashboard and event screen: counters and page parts kept current over a websocket.
   The page is complete without this script; it only saves reloading. */
(function () {
  "use strict";
  var root = document.querySelector("[data-live]");
  if (!root || !window.WebSocket) return;
  var status = root.querySelector("[data-live-status]");
  var parts = (root.getAttribute("data-parts") || "").split(" ");
  var delay = 1000;
  var paused = status ? status.getAttribute("data-paused") || "Live updates paused; reconnecting…" : "";

  function setStats(stats) {
    Object.keys(stats).forEach(function (key) {
      root.querySelectorAll('[data-stat="' + key + '"]').forEach(function (el) {
        el.textContent = stats[key];
      });
    });
  }

  function refresh(part) {
    if (parts.indexOf(part) < 0) return;
    var target = root.querySelector('[data-part="' + part + '"]');
    if (!target) return;
    var url = new URL(window.location.href);
    url.searchParams.set("part", part);
    fetch(url, { credentials: "same-origin" }).then(function (r) {
      return r.ok ? r.text() : null;
    }).then(function (html) {
      if (html !== null) target.innerHTML = html;
    }).catch(function () {});
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + root.getAttribute("data-ws"));
    socket.onopen = function () {
      delay = 1000;
      root.setAttribute("data-connected", "true");
      if (status) status.textContent = "";
    };
    socket.onmessage = function (event) {
      var message = JSON.parse(event.data);
      if (message.type === "stats") setStats(message.stats);
      if (message.type === "refresh") message.parts.forEach(refresh);
      root.dispatchEvent(new CustomEvent("live:message", { detail: message }));  // for presenter.js
    };
    socket.onclose = function () {
      root.setAttribute("data-connected", "false");
      if (status) status.textContent = status.getAttribute("data-paused-text") || paused;
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 10000);  // a live screen retries at least every 10 s
    };
  }

  root.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-breakdown-link]");
    var panel = root.querySelector("[data-breakdown]");
    if (!link || !panel) return;
    event.preventDefault();
    fetch(link.href + "?part=1", { credentials: "same-origin" }).then(function (r) {
      return r.text();
    }).then(function (html) {
      panel.innerHTML = html;
      panel.scrollIntoView({ block: "nearest" });
    });
  });

  connect();
})();

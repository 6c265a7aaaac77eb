/* Presenter mode on the event screen: follows the view facilitators choose and the pinned statement's votes.
   live.js hands every websocket message on as a "live:message" event. Without JavaScript the page shows
   the state it was loaded with. */
(function () {
  "use strict";
  var root = document.querySelector("[data-live][data-view]");
  if (!root) return;
  var latest = {};

  function fetchPart(part) {
    var target = root.querySelector('[data-part="' + part + '"]');
    if (!target) return Promise.resolve();
    var url = new URL(window.location.href);
    url.searchParams.set("part", part);
    var ticket = (latest[part] || 0) + 1;
    latest[part] = ticket;
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      return r.ok ? r.text() : null;
    }).then(function (html) {
      if (html !== null && latest[part] === ticket) target.innerHTML = html;  // only the newest answer counts
    }).catch(function () {});
  }

  function apply(block, key, figures) {
    block.querySelectorAll('[data-pin-key="' + key + '"]').forEach(function (box) {
      box.querySelectorAll("[data-pin]").forEach(function (el) {
        var value = figures[el.getAttribute("data-pin")];
        if (value !== undefined) el.textContent = value;
      });
      box.querySelectorAll("[data-pin-bar]").forEach(function (el) {
        var value = figures[el.getAttribute("data-pin-bar") + "_pct"];
        if (value !== undefined) el.style.width = value + "%";
      });
    });
  }

  function pinned(message) {
    var block = root.querySelector("[data-pinned-shape]");
    if (!block || block.getAttribute("data-pinned-shape") !== message.shape) {
      fetchPart("pinned");  // another statement, or its groups changed: draw the block afresh
      return;
    }
    apply(block, "overall", message.overall);
    message.groups.forEach(function (group) { apply(block, String(group.number), group); });
  }

  root.addEventListener("live:message", function (event) {
    var message = event.detail;
    if (message.type === "screen") {
      var show = function () { root.setAttribute("data-view", message.view); };
      if (message.view === "pinned") fetchPart("pinned").then(show);
      else {
        var block = root.querySelector('[data-part="pinned"]');
        latest.pinned = (latest.pinned || 0) + 1;  // an answer still on its way is dropped
        if (block) block.innerHTML = "";  // nothing pinned any more: no stale block left behind
        if (message.view === "results") fetchPart("results").then(show);
        else show();
      }
    } else if (message.type === "pinned") {
      pinned(message);
    } else if (message.type === "refresh" && message.parts.indexOf("analysis") >= 0) {
      fetchPart("results");
      if (root.getAttribute("data-view") === "pinned") fetchPart("pinned");  // the groups may have changed
    }
  });
})();
